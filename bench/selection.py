"""Ingest and selection at national scale (issues 3 and 8), each against a floor measured in the same run.

For every size (``BENCH_SIZE``: ``small`` = 100,000 applicants; ``full`` =
100,000 and 1,000,000; ``huge`` adds 5,000,000, which alone takes longer than
the ~20 minutes ``full`` is kept under, so it is a separate choice), on
PostgreSQL (``DATABASE_URL``, default the ``prakerja_bench`` database on the
local server, created and migrated when missing):

1. empty the people, batch and ledger tables (only in a database whose name
   says ``bench``, unless ``BENCH_ALLOW_RESET=1``), create batch 1 with a
   quota per regency (514 regions) proportional to its eligible applicants,
   quota 1.7% of the applicants (116,000 places for 6.7 million in 2020);
2. **ingest**: ``prakerja generate-population --people N --apply-to-batch 1``,
   timed; floors: a bare ``COPY`` of N narrow rows from a file into a scratch
   table (``floor``; PEERS.md: about 475,000 rows/s), and a bare ``COPY``, in
   one session, of the very rows the generator wrote (six tables, with their
   indexes and foreign keys) into empty copies of the tables (``same_rows``);
3. close the batch, ``VACUUM ANALYZE`` the applications (a batch closes days
   after its last application: autovacuum would have been by), then the
   selection floor: ``SELECT id FROM batches_application WHERE batch_id = %s
   ORDER BY md5(seed || token)``, fetched whole;
4. **selection**: ``batches.actions.select_batch`` (re-check, KK cap, quotas,
   draw, writing every application's result, the audit digest), timed, with
   its steps, and the peak memory (``ru_maxrss``) of the process running it.

Then the same on SQLite for 100,000 applicants: same seed, same batch number
and batch seed, so the selection must give the very digest PostgreSQL gave;
and a dry run (``select --verify``) must reproduce it.

Each step runs in its own process (``python bench/selection.py worker …``) so
memory is measured per step and a step that hangs is stopped by a timeout.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/prakerja_bench"
SIZES = {
    "small": (100_000,),
    "full": (100_000, 1_000_000),
    "huge": (100_000, 1_000_000, 5_000_000),
}
SQLITE_SIZE = 100_000
SQLITE_SELECT_TIMEOUT = 300  # seconds; a selection still running then is reported as such
SEED = 1
BATCH = 1
BATCH_SEED = "prakerja-bench-selection"  # the same draw on both backends, so their digests compare
QUOTA_SHARE = 116_000 / 6_700_000
BUDGET_SECONDS = {"small": 8 * 60, "full": 20 * 60, "huge": 75 * 60}
LOADED_TABLES = (  # in the order their rows may be inserted (foreign keys)
    "registry_civilregistryrecord",
    "accounts_user",
    "registry_person",
    "registry_declaration",
    "aptitude_attempt",
    "batches_application",
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class OutOfTime(Exception):
    pass


class Clock:
    def __init__(self, budget: float) -> None:
        self.deadline = time.monotonic() + budget

    def left(self) -> float:
        left = self.deadline - time.monotonic()
        if left < 5:
            raise OutOfTime("the time budget of this benchmark is used up")
        return left


# --- running steps in their own processes --------------------------------------------------------
def environment(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="prakerja.settings",
        PRAKERJA_HOME=str(ROOT),
        PRAKERJA_ENV=env["PRAKERJA_ENV"] if env.get("PRAKERJA_ENV") in ("dev", "test") else "dev",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p),
    )
    return env


def worker(database_url: str, action: str, clock: Clock, timeout: float | None = None, **args: Any) -> dict[str, Any]:
    """Run one step in a fresh process; its last line of output is the step's JSON result."""
    command = [PYTHON, str(Path(__file__).resolve()), "worker", action, json.dumps(args)]
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        command,
        env=environment(database_url),
        stdout=subprocess.PIPE,
        text=True,
        timeout=min(timeout or clock.left(), clock.left()),
        check=False,
        cwd=ROOT,
    )
    if result.returncode != 0:
        raise RuntimeError(f"step {action} failed ({result.returncode}): {result.stdout[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def prakerja(database_url: str, clock: Clock, *args: str) -> None:
    subprocess.run(  # noqa: S603 (our own interpreter)
        [PYTHON, "-c", "from prakerja.cli import main; main()", *args],
        env=environment(database_url) | {"PYTHONWARNINGS": "ignore"},
        stdout=subprocess.DEVNULL,
        timeout=clock.left(),
        check=True,
        cwd=ROOT,
    )


def peak_mb() -> float:
    """This process's peak resident memory, in MB.

    ``VmHWM`` where Linux has it: ``ru_maxrss`` carries a parent's peak over fork and exec, so a
    step started after the orchestrator fetched millions of rows would report the orchestrator's.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def run_worker(action: str, args: dict[str, Any]) -> dict[str, Any]:
    """Inside the step's process."""
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command

    from prakerja.batches import actions, selection
    from prakerja.batches.models import Application, Batch
    from prakerja.core import clock

    # One instant for the batch's dates, its closing and the selection's cut-off, the same in every step
    # and on both backends: the digest covers the selection's parameters, the cut-off among them.
    at = dt.datetime.fromisoformat(args.get("at") or clock.now().isoformat())
    if action == "prepare":
        now = at
        actions.create_batch(
            number=args["number"],
            quota=args["quota"],
            opens_at=now - dt.timedelta(hours=1),
            closes_at=now + dt.timedelta(days=7),
            allocation=Batch.Allocation.REGENCY,
            method=Batch.Method.PROPORTIONAL,
        )
        Batch.objects.filter(number=args["number"]).update(seed=BATCH_SEED)
        actions.open_batch(args["number"])
        return {}
    if action == "ingest":
        started = time.perf_counter()
        call_command(
            "generate_population",
            people=args["people"],
            seed=args["seed"],
            apply_to_batch=args["number"],
            stdout=sys.stderr,
        )
        seconds = time.perf_counter() - started
        applications = Application.objects.filter(batch__number=args["number"]).count()
        from prakerja.registry.models import Person

        return {
            "seconds": seconds,
            "people": Person.objects.count(),
            "applications": applications,
            "memory_mb": peak_mb(),
        }
    if action == "close":
        with clock.freeze(at):
            actions.close_batch(args["number"])
        return {}
    if action == "select":
        steps: dict[str, float] = {}

        def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
            def wrapper(*a: Any, **k: Any) -> Any:
                started = time.perf_counter()
                try:
                    return function(*a, **k)
                finally:
                    steps[name] = steps.get(name, 0.0) + time.perf_counter() - started

            return wrapper

        for name in ("build_pool", "eligible_counts", "store_quotas", "write_results", "digest"):
            if hasattr(selection, name):
                setattr(selection, name, timed(name, getattr(selection, name)))
        started = time.perf_counter()
        with clock.freeze(at):
            digest = actions.select_batch(args["number"])
        seconds = time.perf_counter() - started
        memory = peak_mb()
        batch = Batch.objects.get(number=args["number"])
        rows = Application.objects.filter(batch=batch)
        selected = rows.filter(result__status=Application.Status.SELECTED).count()
        result = {
            "seconds": seconds,
            "memory_mb": memory,
            "digest": digest,
            "applications": rows.count(),
            "selected": selected,
            "quota": batch.quota,
            "quota_sum": sum(batch.quotas.values_list("quota", flat=True)),
            "regions": batch.quotas.count(),
            "steps": {name: round(value, 3) for name, value in steps.items()},
        }
        return result
    if action == "verify":
        started = time.perf_counter()
        with clock.freeze(at):
            digest = actions.select_batch(args["number"], dry_run=True)
        stored = Batch.objects.get(number=args["number"]).selection_digest
        return {
            "seconds": time.perf_counter() - started,
            "digest": digest,
            "reproduced": digest == stored,
            "memory_mb": peak_mb(),
        }
    raise SystemExit(f"unknown step {action}")


# --- PostgreSQL: the database, resets and floors -------------------------------------------------
def connect(database_url: str, autocommit: bool = True) -> Any:
    import psycopg

    return psycopg.connect(database_url, autocommit=autocommit)


def ensure_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    try:
        connect(database_url).close()
        return
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
    with connect(urlunsplit(parts._replace(path="/postgres"))) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    log(f"created database {name}")


def reset(database_url: str) -> None:
    """Empty what a previous size left: people, batches, ledger, audit (the regions stay)."""
    name = urlsplit(database_url).path.lstrip("/")
    if "bench" not in name and os.environ.get("BENCH_ALLOW_RESET") != "1":
        raise SystemExit(
            f"refusing to empty database {name!r}: its name does not say 'bench' (set BENCH_ALLOW_RESET=1 to allow)"
        )
    with connect(database_url) as conn:
        # The audit log is append-only (core/audit_guard.py); a benchmark database may empty it.
        conn.execute("SELECT set_config('prakerja.audit_erasable', 'on', false)")
        conn.execute(
            "TRUNCATE accounts_user, registry_civilregistryrecord, registry_person, batches_batch, batches_result, "
            "core_auditevent RESTART IDENTITY CASCADE"
        )
        conn.execute("DROP SCHEMA IF EXISTS bench_floor CASCADE")
        conn.execute("DROP TABLE IF EXISTS bench_copy_floor")
        conn.execute("CHECKPOINT")  # start each size from the same state of the write-ahead log


def database_info(database_url: str) -> dict[str, Any]:
    with connect(database_url) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        settings = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]
            for name in ("shared_buffers", "work_mem", "max_wal_size", "synchronous_commit")
        }
        host = urlsplit(database_url).hostname or "local socket"
    return {
        "database": f"PostgreSQL {version.split()[0]} on {host}, shared_buffers {settings['shared_buffers']}",
        "database_settings": settings,
    }


def narrow_copy_floor(database_url: str, rows: int) -> dict[str, float]:
    """A bare COPY of ``rows`` narrow rows (id, a 16-digit text, a small number) from a file, no index."""
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as out:
        path = out.name
        for start in range(0, rows, 100_000):
            numbers = range(start, min(rows, start + 100_000))
            out.write("".join(f"{i}\t{3273010000000000 + i}\t{i % 97}\n" for i in numbers))
    try:
        with connect(database_url) as conn:
            conn.execute("DROP TABLE IF EXISTS bench_copy_floor")
            conn.execute("CREATE TABLE bench_copy_floor (id bigint, nik varchar(16), n integer)")
            started = time.perf_counter()
            with conn.transaction(), conn.cursor() as cursor, open(path, "rb") as source:
                with cursor.copy("COPY bench_copy_floor FROM STDIN") as copy:
                    while block := source.read(1 << 20):
                        copy.write(block)
            seconds = time.perf_counter() - started
            conn.execute("DROP TABLE bench_copy_floor")
    finally:
        os.unlink(path)
    return {"seconds": seconds, "rows_per_s": rows / seconds}


def same_rows_floor(database_url: str, applicants: int) -> dict[str, float]:
    """COPY the rows the generator wrote, from files, in one session, into empty copies of their tables.

    Same columns, indexes and (deferred) foreign keys as the real tables; what is left is
    PostgreSQL's own work for these rows, without Python, generation or look-ups.
    """
    directory = Path(tempfile.mkdtemp(prefix="prakerja-bench-"))
    try:
        with connect(database_url) as conn:
            conn.execute("DROP SCHEMA IF EXISTS bench_floor CASCADE")
            conn.execute("CREATE SCHEMA bench_floor")
            conn.execute("SET search_path = public")
            for table in LOADED_TABLES:
                conn.execute(f"CREATE TABLE bench_floor.{table} (LIKE public.{table} INCLUDING ALL)")
                with conn.cursor() as cursor, open(directory / table, "wb") as out:
                    with cursor.copy(f"COPY public.{table} TO STDOUT") as copy:
                        for block in copy:
                            out.write(block)
            for table in LOADED_TABLES:
                keys = conn.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f'",
                    (f"public.{table}",),
                ).fetchall()
                for name, definition in keys:
                    definition = re.sub(
                        r"REFERENCES (\w+)\(",
                        lambda m: f"REFERENCES {'bench_floor' if m[1] in LOADED_TABLES else 'public'}.{m[1]}(",
                        definition,
                    )
                    conn.execute(f"ALTER TABLE bench_floor.{table} ADD CONSTRAINT {name} {definition}")
            conn.execute("CHECKPOINT")
            started = time.perf_counter()
            with conn.transaction(), conn.cursor() as cursor:
                for table in LOADED_TABLES:
                    with cursor.copy(f"COPY bench_floor.{table} FROM STDIN") as copy:
                        with open(directory / table, "rb") as source:
                            while block := source.read(1 << 20):
                                copy.write(block)
            seconds = time.perf_counter() - started
            conn.execute("DROP SCHEMA bench_floor CASCADE")
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return {"seconds": seconds, "applicants_per_s": applicants / seconds}


def draw_floor(database_url: str, number: int) -> dict[str, Any]:
    with connect(database_url) as conn:
        batch_id, seed = conn.execute("SELECT id, seed FROM batches_batch WHERE number = %s", (number,)).fetchone()
        conn.execute("VACUUM ANALYZE batches_application")
        query = "SELECT id FROM batches_application WHERE batch_id = %s ORDER BY md5(%s || token)"
        started = time.perf_counter()
        rows = conn.execute(query, (batch_id, seed)).fetchall()
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(rows)}


# --- the benchmark -------------------------------------------------------------------------------
def postgresql_size(database_url: str, people: int, clock: Clock, same_rows: bool, at: str) -> dict[str, Any]:
    quota = max(1, round(people * QUOTA_SHARE))
    log(f"PostgreSQL, {people:,} people: reset, batch {BATCH} (quota {quota:,} over 514 regencies)")
    reset(database_url)
    worker(database_url, "prepare", clock, number=BATCH, quota=quota, at=at)
    log(f"ingest: generate-population --people {people} --apply-to-batch {BATCH}")
    ingest = worker(database_url, "ingest", clock, people=people, seed=SEED, number=BATCH)
    log(f"ingest: {ingest['seconds']:.1f} s, {people / ingest['seconds']:,.0f} applicants/s")
    narrow = narrow_copy_floor(database_url, people)
    log(f"ingest floor: bare COPY of {people:,} narrow rows {narrow['seconds']:.1f} s")
    same = None
    if same_rows:
        clock.left()
        same = same_rows_floor(database_url, people)
        log(f"ingest floor: the same rows by bare COPY in one session {same['seconds']:.1f} s")
    worker(database_url, "close", clock, number=BATCH, at=at)
    floor = draw_floor(database_url, BATCH)
    log(f"selection floor: ORDER BY md5(seed || token) over {floor['rows']:,} rows {floor['seconds']:.2f} s")
    selected = worker(database_url, "select", clock, number=BATCH, at=at)
    log(f"selection: {selected['seconds']:.1f} s, peak memory {selected['memory_mb']:.0f} MB")
    return {"people": people, "ingest": ingest, "narrow": narrow, "same": same, "floor": floor, "select": selected}


def sqlite_size(people: int, clock: Clock, at: str) -> dict[str, Any]:
    directory = Path(tempfile.mkdtemp(prefix="prakerja-bench-sqlite-"))
    url = f"sqlite:///{directory / 'bench.sqlite3'}"
    try:
        log(f"SQLite, {people:,} people: migrate, regions, batch {BATCH}")
        prakerja(url, clock, "migrate", "--noinput", "-v0")
        prakerja(url, clock, "load-regions")
        quota = max(1, round(people * QUOTA_SHARE))
        worker(url, "prepare", clock, number=BATCH, quota=quota, at=at)
        ingest = worker(url, "ingest", clock, people=people, seed=SEED, number=BATCH)
        log(f"SQLite ingest: {ingest['seconds']:.1f} s, {people / ingest['seconds']:,.0f} applicants/s")
        worker(url, "close", clock, number=BATCH, at=at)
        try:
            selected = worker(url, "select", clock, timeout=SQLITE_SELECT_TIMEOUT, number=BATCH, at=at)
        except subprocess.TimeoutExpired:
            log(f"SQLite selection: not finished after {SQLITE_SELECT_TIMEOUT} s, stopped")
            return {"people": people, "ingest": ingest, "select": {"timed_out_after_s": SQLITE_SELECT_TIMEOUT}}
        log(f"SQLite selection: {selected['seconds']:.1f} s")
        if selected["seconds"] < 120:
            selected["verify"] = worker(url, "verify", clock, timeout=SQLITE_SELECT_TIMEOUT, number=BATCH, at=at)
        return {"people": people, "ingest": ingest, "select": selected}
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def run(size: str) -> dict[str, dict[str, Any]]:
    """The ``ingest`` and ``selection`` entries of ``bench/results/latest.json`` (and ``machine`` facts)."""
    sizes = SIZES[size]
    clock = Clock(BUDGET_SECONDS[size])
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"the selection benchmark needs PostgreSQL in DATABASE_URL, not {database_url.split(':')[0]}")
    ensure_database(database_url)
    # One run at a time per database: a second one would empty the tables under the first.
    guard = connect(database_url)
    if not guard.execute("SELECT pg_try_advisory_lock(hashtext('prakerja-bench'))").fetchone()[0]:
        guard.close()
        raise SystemExit("another benchmark run is using this database; wait for it to finish")
    try:
        return _run(size, sizes, clock, database_url)
    finally:
        guard.close()


def _run(size: str, sizes: tuple[int, ...], clock: Clock, database_url: str) -> dict[str, dict[str, Any]]:
    prakerja(database_url, clock, "migrate", "--noinput", "-v0")
    prakerja(database_url, clock, "load-regions")
    at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    results: list[dict[str, Any]] = []
    problems: list[str] = []
    sqlite: dict[str, Any] | None = None
    try:
        for people in sizes:
            results.append(postgresql_size(database_url, people, clock, same_rows=people <= 1_000_000, at=at))
        sqlite = sqlite_size(SQLITE_SIZE, clock, at)
    except (OutOfTime, subprocess.TimeoutExpired) as exc:
        problems.append(f"stopped: {exc}")
        log(f"stopped early: {exc}")
    if not results:
        raise SystemExit("no size completed: " + "; ".join(problems))
    return summarize(database_url, results, sqlite, problems)


def summarize(
    database_url: str, results: list[dict[str, Any]], sqlite: dict[str, Any] | None, problems: list[str]
) -> dict[str, dict[str, Any]]:
    # The issues' reference size is 1,000,000 applicants; the largest size run counts when smaller.
    main = next((r for r in results if r["people"] == 1_000_000), results[-1])
    ingest, narrow, same = main["ingest"], main["narrow"], main["same"]
    per_s = main["people"] / ingest["seconds"]
    rows_written = ingest["people"] * 5 + ingest["applications"]
    ingest_entry: dict[str, Any] = {
        "figure": round(per_s),
        "unit": "applicants/s",
        "floor": round(narrow["rows_per_s"]),
        "floor_unit": "rows/s, bare COPY of as many narrow rows from a file",
        "ratio": round(per_s / narrow["rows_per_s"], 4),
        "size": main["people"],
        "target": 0.25,
        "target_figure": 50_000,
        "rows_per_s": round(rows_written / ingest["seconds"]),
        "seconds": round(ingest["seconds"], 2),
        "memory_mb": round(ingest["memory_mb"]),
        "scaling": {str(r["people"]): round(r["people"] / r["ingest"]["seconds"]) for r in results},
    }
    if same:
        ingest_entry["same_rows_floor"] = round(same["applicants_per_s"])
        ingest_entry["same_rows_ratio"] = round(per_s / same["applicants_per_s"], 3)
        ingest_entry["same_rows_note"] = (
            "bare COPY, one session, of the rows the generator wrote (6 tables, their indexes and foreign keys)"
        )
    if sqlite:
        ingest_entry["sqlite"] = {
            "size": sqlite["people"],
            "applicants_per_s": round(sqlite["people"] / sqlite["ingest"]["seconds"]),
        }
    selected = main["select"]
    floor = main["floor"]
    selection_entry: dict[str, Any] = {
        "figure": round(selected["seconds"], 2),
        "unit": "s",
        "floor": round(floor["seconds"], 2),
        "floor_unit": "s, SELECT id … ORDER BY md5(seed || token), fetched whole",
        "ratio": round(floor["seconds"] / selected["seconds"], 3),
        "size": main["people"],
        "target": 0.2,
        "target_seconds": 30,
        "memory_mb": round(selected["memory_mb"]),
        "memory_limit_mb": 1024,
        "applications": selected["applications"],
        "quota": selected["quota"],
        "selected": selected["selected"],
        "regions": selected["regions"],
        "steps": selected["steps"],
        "scaling": {str(r["people"]): round(r["select"]["seconds"], 2) for r in results},
        "floor_scaling": {str(r["people"]): round(r["floor"]["seconds"], 2) for r in results},
        "memory_scaling_mb": {str(r["people"]): round(r["select"]["memory_mb"]) for r in results},
    }
    if sqlite:
        pg_small = next((r for r in results if r["people"] == sqlite["people"]), None)
        s = sqlite["select"]
        if "timed_out_after_s" in s:
            selection_entry["sqlite"] = {"size": sqlite["people"], "seconds": None, **s}
        else:
            selection_entry["sqlite"] = {
                "size": sqlite["people"],
                "seconds": round(s["seconds"], 2),
                "memory_mb": round(s["memory_mb"]),
                "selected": s["selected"],
                "quota": s["quota"],
                "steps": s["steps"],
                "rerun_reproduces_digest": s["verify"]["reproduced"] if "verify" in s else None,
                "same_digest_as_postgresql": pg_small is not None and pg_small["select"]["digest"] == s["digest"],
            }
    if problems:
        selection_entry["incomplete"] = ingest_entry["incomplete"] = "; ".join(problems)
    return {
        "machine": database_info(database_url),
        "ingest": ingest_entry,
        "selection": selection_entry,
    }


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "worker":
        outcome = run_worker(sys.argv[2], json.loads(sys.argv[3]) if len(sys.argv) > 3 else {})
        print(json.dumps(outcome))
    else:
        print(json.dumps(run(os.environ.get("BENCH_SIZE", "full")), indent=2))
