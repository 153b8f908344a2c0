"""``make bench``: run the benchmarks, merge their entries into ``bench/results/latest.json``, print the table.

``BENCH_SIZE`` is ``small`` (a quick run), ``full`` (the default: what the
issues ask, kept under about 20 minutes on a 2-core machine) or ``huge``
(adds 5,000,000 applicants to the selection growth curve; about an hour).
``BENCH_ONLY=selection,…`` runs some of them. Each benchmark module has
``run(size) -> {"machine": {…}, name: entry, …}``; an entry is
``{"figure", "unit", "floor", "ratio", "size", "target", …}`` with ``ratio``
higher-is-better (CONTRACT.md). Entries of benchmarks not run this time are
kept as they were.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "latest.json"
# module in bench/ -> the entries it writes
BENCHMARKS: dict[str, tuple[str, ...]] = {
    "selection": ("ingest", "selection"),
    "marketplace": ("redeem", "catalog"),
    "payouts": ("payouts",),
    "dashboard": ("dashboard",),
    "registration": ("registration", "me_read"),
}


def machine() -> dict[str, Any]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory / 2**30, 1),
        "cpu": _cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load() -> dict[str, Any]:
    try:
        data = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        data = {}
    data.setdefault("machine", {})
    data.setdefault("benchmarks", {})
    return data


def save(data: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(RESULTS)


def table(data: dict[str, Any]) -> str:
    m = data.get("machine", {})
    lines = [
        f"Machine: {m.get('cores')} cores, {m.get('memory_gb')} GB, {m.get('database', '?')}",
        "",
        f"{'benchmark':<12} {'size':>10} {'figure':>16} {'floor':>16} {'ratio':>8} {'target':>8}  status",
        "-" * 84,
    ]
    for name, e in sorted(data.get("benchmarks", {}).items()):
        unit = _short(e.get("unit", ""))
        figure = _number(e.get("figure"), unit)
        floor = _number(e.get("floor"), _short(e.get("floor_unit", "")) or unit)
        ratio, target = e.get("ratio"), e.get("target")
        status = "-" if ratio is None or target is None else ("meets" if ratio >= target else "BELOW target")
        if e.get("incomplete"):
            status += " (incomplete)"
        lines.append(
            f"{name:<12} {e.get('size', ''):>10,} {figure:>16} {floor:>16} "
            f"{_plain(ratio):>8} {_plain(target):>8}  {status}"
        )
    for name in ("ingest", "selection"):
        e = data.get("benchmarks", {}).get(name)
        if not e:
            continue
        lines.append("")
        if name == "ingest":
            lines.append(
                f"ingest: {e['figure']:,} applicants/s (issue 8 asks {e.get('target_figure', 50_000):,}); "
                f"{e.get('rows_per_s', 0):,} rows/s over 6 tables; loader peak memory {e.get('memory_mb')} MB"
            )
            if "same_rows_floor" in e:
                lines.append(
                    f"  the same rows by bare COPY in one session: {e['same_rows_floor']:,} applicants/s "
                    f"(ratio {e['same_rows_ratio']})"
                )
            lines.append("  growth: " + ", ".join(f"{int(k):,}: {v:,}/s" for k, v in e.get("scaling", {}).items()))
            if "sqlite" in e:
                lines.append(f"  SQLite {e['sqlite']['size']:,}: {e['sqlite']['applicants_per_s']:,} applicants/s")
        else:
            lines.append(
                f"selection: {e['figure']} s for {e.get('applications', 0):,} applications, {e.get('regions')} "
                f"regions, quota {e.get('quota', 0):,} (issue 3 asks < {e.get('target_seconds', 30)} s, "
                f"< {e.get('memory_limit_mb', 1024)} MB); peak memory {e.get('memory_mb')} MB"
            )
            lines.append(
                "  growth (s): "
                + ", ".join(
                    f"{int(k):,}: {v} (floor {e.get('floor_scaling', {}).get(k)})" for k, v in e["scaling"].items()
                )
            )
            lines.append("  steps (s): " + ", ".join(f"{k} {v}" for k, v in e.get("steps", {}).items()))
            s = e.get("sqlite")
            if s and s.get("seconds") is None:
                lines.append(f"  SQLite {s['size']:,}: not finished after {s.get('timed_out_after_s')} s")
            elif s:
                lines.append(
                    f"  SQLite {s['size']:,}: {s['seconds']} s, {s['memory_mb']} MB; same digest as PostgreSQL: "
                    f"{s['same_digest_as_postgresql']}; rerun reproduces it: {s['rerun_reproduces_digest']}"
                )
    redeem = data.get("benchmarks", {}).get("redeem")
    if redeem:
        phases, half = redeem.get("phases", {}), redeem.get("p99_at_half_ms", {})
        lines += [
            "",
            f"redeem: floor {redeem['floor']:,.0f}/s, status {phases.get('status', {}).get('per_second', 0):,.0f}/s, "
            f"commit {phases.get('commit', {}).get('per_second', 0):,.0f}/s; p99 at half of each one's maximum: "
            f"status {half.get('status')} ms, commit {half.get('commit')} ms (issue 4 asks < 50 ms)",
        ]
    catalog = data.get("benchmarks", {}).get("catalog")
    if catalog:
        lines += [
            "",
            f"catalog: p95 {catalog['figure']} ms over {catalog['size']:,} programs and "
            f"{catalog.get('classes', 0):,} classes (issue 4 asks < 150 ms); /health/ p95 {catalog['floor']} ms",
        ]
    registration = data.get("benchmarks", {}).get("registration")
    if registration:
        half, surge = registration.get("at_half_rate", {}), registration.get("surge", {})
        lines += [
            "",
            f"registration: {registration['figure']:,.1f}/s, p50 {registration.get('p50_ms')} ms, "
            f"p99 {registration.get('p99_ms')} ms ({registration.get('connections')} in flight); at "
            f"{half.get('rate')}/s: p50 {half.get('p50_ms')} ms, p99 {half.get('p99_ms')} ms",
        ]
        if surge:
            lines.append(
                f"  surge at {surge.get('rate')}/s: {surge.get('statuses')}, 5xx {surge.get('server_errors')}, "
                f"failed connections {surge.get('failed_connections')}; persisted == 201s: "
                f"{surge.get('persisted_equals_201')}; all in after retrying: {surge.get('all_in_after_retry')}"
            )
    return "\n".join(lines)


def _plain(value: Any) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _short(unit: str) -> str:
    """'ms, p95 of …' -> 'ms'; 'requests/s (the slower …)' -> 'requests/s'."""
    return unit.split(",")[0].split(" (")[0].strip()


def _number(value: Any, unit: str) -> str:
    if value is None:
        return ""
    if unit == "s":
        return f"{value:,.2f} s"
    return f"{value:,.0f} {unit}"


def main() -> int:
    size = os.environ.get("BENCH_SIZE", "full")
    if size not in ("small", "full", "huge"):
        print(f"BENCH_SIZE must be small, full or huge, not {size!r}", file=sys.stderr)
        return 2
    only = {n.strip() for n in os.environ.get("BENCH_ONLY", "").split(",") if n.strip()}
    sys.path.insert(0, str(BENCH))
    data = load()
    started = time.monotonic()
    failed = []
    for module_name, entries in BENCHMARKS.items():
        if only and module_name not in only and not (only & set(entries)):
            continue
        print(f"== {module_name} (BENCH_SIZE={size})", file=sys.stderr, flush=True)
        try:
            result = importlib.import_module(module_name).run(size)
        except Exception as exc:  # one benchmark failing must not lose the others' results
            print(f"!! {module_name} failed: {exc}", file=sys.stderr)
            failed.append(module_name)
            continue
        data["machine"].update(machine() | result.pop("machine", {}))
        for name, entry in result.items():
            entry["measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            entry["bench_size"] = size
            data["benchmarks"][name] = entry
        save(data)
    print(f"\nbench/results/latest.json ({time.monotonic() - started:.0f} s)\n")
    print(table(data))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
