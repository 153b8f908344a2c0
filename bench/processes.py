"""Running a benchmark's steps in processes of their own: the production settings profile on the
benchmark's database, one step as a fresh Django process whose last output line is its JSON result, and
the CPU a running process has used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


# Fixed keys for the benchmarks' throw-away data (production refuses to start without PII keys).
BENCH_PII_KEYS = {
    "PII_ENCRYPTION_KEY": "YmVuY2gtcHJha2VyamEtZW5jcnlwdGlvbi1rZXkhISE=",
    "PII_INDEX_KEY": "YmVuY2gtcHJha2VyamEtYmxpbmQtaW5kZXgta2V5ISE=",
}
BENCH_STATIC = ROOT / "var" / "bench-static"
_static_collected: set[str] = set()


def production_environment(database_url: str, secret: str, **extra: str) -> dict[str, str]:
    """This process's environment with the production profile pointed at ``database_url`` (plus ``extra``).

    Production serves hashed static files from a manifest, so pages need ``collectstatic`` first: it runs
    once per ``make bench`` (about half a minute), into ``var/bench-static``."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="prakerja.settings",
        PRAKERJA_HOME=str(ROOT),
        PRAKERJA_ENV="production",
        SECRET_KEY=secret,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p),
        PYTHONWARNINGS="ignore",
        STATIC_ROOT=str(BENCH_STATIC),
        **extra,
    )
    for name, value in BENCH_PII_KEYS.items():
        env.setdefault(name, value)
    if str(BENCH_STATIC) not in _static_collected:
        print("bench: collectstatic (production serves hashed files from a manifest)…", file=sys.stderr, flush=True)
        subprocess.run(  # noqa: S603 (our own interpreter)
            [PYTHON, "-m", "django", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
        )
        _static_collected.add(str(BENCH_STATIC))
    return env


def run_step(script: str, env: dict[str, str], action: str, args: dict[str, Any]) -> dict[str, Any]:
    """Run ``script worker action args`` and return its last output line, parsed as JSON."""
    command = [PYTHON, str(Path(script).resolve()), "worker", action, json.dumps(args)]
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        command, env=env, stdout=subprocess.PIPE, text=True, check=False, cwd=ROOT
    )
    if result.returncode != 0:
        raise RuntimeError(f"step {action} failed ({result.returncode}): {result.stdout[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far (Linux: /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
