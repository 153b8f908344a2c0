"""Registration throughput, authenticated reads and a registration surge (issue 8), over HTTP on loopback.

``registration``: ``POST /api/v1/auth/register`` — every request a valid, distinct registration (email,
phone, password; the API asks nothing more) — against gunicorn with 2 workers in the production profile
on PostgreSQL; registrations/s at the maximum (closed loop) with its p50/p99, and the p50/p99 at half that
rate (open loop). Registration is bound by password hashing, so the floor is Argon2id alone with the very
parameters the platform hashes with (``accounts.hashers``, through the hasher's own ``encode``): two
processes, one per core, hashing as fast as they can. Floor and registration take turns (3 rounds of
each; the server idles while the floor runs and the hashing processes sleep while the server is
loaded), so a neighbour's load on the machine falls on both alike. Target: 0.8 of the floor.

``me_read``: ``GET /api/v1/me`` with the bearer tokens of many accounts — those the run registered over
HTTP (just registered: no identity yet) and applicants made by ``generate-population`` (identity,
profile, declaration and test done, an application) — against ``GET /health/``, a trivial Django view
behind the whole middleware stack (the issue's floor: "a trivial Django view on the same server"), on
the same server under the same load, in interleaved rounds. Target: 0.3 of the floor. ``GET /healthz``,
the liveness probe, which the first middleware answers before any other runs, is kept beside it
(``liveness_probe``): a stricter comparison, and the floor of the runs before 2026-11-29 afternoon
(docs/decisions/0015-benchmark-floors.md).

``registration.surge``: an open-loop load at twice the measured maximum, the surge gate
(core/surge.py) with its defaults in the stack: the shares of 201 and 429, no 5xx or failed
connection, every account the database holds answered 201 and whole (audit row, SMS code), and every
refused registration accepted when retried under capacity.

The server is the project's own configuration (``gunicorn -c python:prakerja.ops.gunicorn_conf``) with
``WEB_CONCURRENCY=2`` and ``GUNICORN_THREADS=12`` (gthread: README, "registration.py"), worker recycling off
(``GUNICORN_MAX_REQUESTS=0``: a restart during a 10-second measurement would be noise), rate limits off
(``RATE_LIMIT_SCALE=0``: every request comes from 127.0.0.1), the real password hasher
(``PRAKERJA_FAST_HASHER`` is removed from the environment), emails and SMS written to a scratch outbox:
the server queues them (accounts/sending.py) and a task worker sends them after the surge (``messages``).
The load generator (``loadgen.py``) shares the machine with it.

Database: ``BENCH_REGISTRATION_DATABASE_URL`` (default ``prakerja_bench_reg`` on the local server), created
and migrated when missing, emptied at the start of each run (only a database whose name says ``bench``).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import urlopen

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen
from autovacuum import Autovacuum
from processes import process_cpu, production_environment, run_step
from run import machine
from selection import ROOT, connect, database_info, ensure_database, log

PYTHON = sys.executable
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/prakerja_bench_reg"
SECRET = "bench-registration-" + "r" * 40
SIZES: dict[str, dict[str, Any]] = {
    "small": {"seconds": 12, "population": 10_000, "tokens": 2_000, "read_seconds": 12, "surge_seconds": 8},
    "full": {"seconds": 30, "population": 100_000, "tokens": 10_000, "read_seconds": 24, "surge_seconds": 16},
}
WORKERS = 2
THREADS = int(os.environ.get("BENCH_REGISTRATION_THREADS", "12"))
# Closed loop: enough requests in flight to keep both cores hashing while others wait on the database.
CONNECTIONS = int(os.environ.get("BENCH_REGISTRATION_CONNECTIONS", "8"))
# Reads: 32 keep-alive connections. Each stays with the worker that accepted it, and with 8 the kernel now and
# then handed all of them to one of the two workers: the other idled for the whole turn and that turn's figure
# halved (seen for /healthz and /api/v1/me alike; ``busiest_worker_share`` in the entry shows the split).
# 32 spread evenly in every turn measured, and a public API has many clients, not eight.
READ_CONNECTIONS = 32
FLOOR_SECONDS = 4  # per round
ROUNDS = 3  # turns of the floor and of the registration load, taken in turn
READ_ROUNDS = 4  # turns of /healthz, /api/v1/me and /health/
PASSWORD = "Daftar#Prakerja2026"


def environment(database_url: str, scratch: Path | None = None) -> dict[str, str]:
    extra = {
        "SECURE_SSL_REDIRECT": "0",
        "RATE_LIMIT_SCALE": "0",
        "PII_ENCRYPTION_KEY": "YmVuY2gtcmVnaXN0cmF0aW9uLWVuY3J5cHQta2V5ISE=",
        "PII_INDEX_KEY": "YmVuY2gtcmVnaXN0cmF0aW9uLWJsaW5kLWluZGV4ISE=",
        # The verification email and SMS of each registration are written as files (production sends them
        # through SMTP and an SMS gateway; neither exists here).
        "EMAIL_BACKEND": "prakerja.core.outbox.OutboxEmailBackend",
        "SMS_BACKEND": "prakerja.accounts.sms.OutboxSmsBackend",
        "LOG_LEVEL": "WARNING",
    }
    env = production_environment(database_url, SECRET, **extra)
    if scratch is not None:
        env["PRAKERJA_OUTBOX"] = str(scratch / "outbox")
    env.pop("PRAKERJA_FAST_HASHER", None)  # a test-only speed-up: never in a benchmark
    return env


def worker(database_url: str, action: str, **args: Any) -> dict[str, Any]:
    return run_step(__file__, environment(database_url), action, args)


# --- steps in their own processes -------------------------------------------------------------------
def _reset() -> None:
    from django.db import connection

    from prakerja.core.audit_guard import set_erasable

    set_erasable(connection, True)  # the audit log is append-only; a benchmark database may empty it
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE accounts_user, registry_civilregistryrecord, registry_person, batches_batch, batches_result, "
            "core_auditevent, django_tasks_database_dbtaskresult RESTART IDENTITY CASCADE"
        )


def _population(people: int) -> dict[str, Any]:
    """Applicants at the end of registration, through the platform's loader, in an open batch."""
    import datetime as dt
    import io

    from django.core.management import call_command
    from django.db import connection

    from prakerja.batches import actions as batches
    from prakerja.batches.models import Batch
    from prakerja.core import clock

    started = time.perf_counter()
    batches.create_batch(
        number=1,
        quota=max(1, people // 50),
        opens_at=clock.now() - dt.timedelta(hours=1),
        closes_at=clock.now() + dt.timedelta(days=7),
        allocation=Batch.Allocation.NATIONAL,
    )
    batches.open_batch(1)
    call_command(
        "generate_population", "--people", str(people), "--seed", "17", "--apply-to-batch", "1", stdout=io.StringIO()
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have it on a live system
        cursor.execute("SELECT count(*) FROM accounts_user")
        accounts = cursor.fetchone()[0]
    return {"people": people, "accounts": accounts, "seconds": round(time.perf_counter() - started, 1)}


def _tokens(count: int) -> dict[str, Any]:
    """Bearer tokens as ``accounts.actions.issue_token`` makes them (a hash stored, 30 days), for ``count``
    accounts: half registered over HTTP in this run, half generated applicants. Written in one insert: the
    log-in that normally issues them costs a password hash each, which is not what this measures."""
    import datetime as dt
    import hashlib

    from prakerja.accounts.actions import TOKEN_DAYS
    from prakerja.accounts.models import ApiToken, User
    from prakerja.core import clock

    registered = list(
        User.objects.filter(email__endswith="@daftar.bench.example")
        .order_by("?")
        .values_list("id", flat=True)[: count // 2]
    )
    generated = list(
        User.objects.exclude(email__endswith="@daftar.bench.example")
        .filter(person__applications__isnull=False)
        .order_by("?")
        .values_list("id", flat=True)[: count - len(registered)]
    )
    now = clock.now()
    raw = [secrets.token_urlsafe(32) for _ in range(len(registered) + len(generated))]
    # Interleaved, so that every stretch of the load has both kinds.
    users = [u for pair in zip(registered, generated, strict=False) for u in pair]
    users += registered[len(generated) :] + generated[len(registered) :]
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user,
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            created_at=now,
            expires_at=now + dt.timedelta(days=TOKEN_DAYS),
        )
        for user, token in zip(users, raw, strict=True)
    )
    return {"tokens": raw, "registered": len(registered), "generated": len(generated)}


def _hash_floor(windows: list[list[float]]) -> dict[str, Any]:
    """Argon2id hashes, as fast as one process can, through the platform's own hasher (same parameters),
    in each of the ``windows`` ([start, seconds], start in Unix time); idle in between."""
    from django.contrib.auth.hashers import get_hasher

    hasher = get_hasher()  # the first of PASSWORD_HASHERS: what registration uses
    hasher.encode(PASSWORD, hasher.salt())  # load the library before the clock starts
    runs = []
    for start_at, seconds in windows:
        time.sleep(max(0.0, start_at - time.time()))
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            hasher.encode(PASSWORD, hasher.salt())
            count += 1
        runs.append({"hashes": count, "seconds": time.perf_counter() - started})
    params = hasher.params()  # type: ignore[attr-defined]
    return {
        "runs": runs,
        "algorithm": hasher.algorithm,
        "parameters": {
            "type": str(params.type.name),
            "memory_kib": params.memory_cost,
            "time_cost": params.time_cost,
            "parallelism": params.parallelism,
        },
    }


def run_worker(action: str, args: dict[str, Any]) -> dict[str, Any]:
    import django

    django.setup()
    if action == "reset":
        _reset()
        return {}
    if action == "population":
        return _population(args["people"])
    if action == "tokens":
        return _tokens(args["count"])
    if action == "hash_floor":
        return _hash_floor(args["windows"])
    raise SystemExit(f"unknown step {action}")


# --- measurements ------------------------------------------------------------------------------------
class HashFloor:
    """Two processes (one per core) hashing at once, in windows set in advance: the floor is measured in
    rounds between the server's, so that a neighbour's load on the machine falls on both alike."""

    def __init__(self, database_url: str, windows: list[list[float]]) -> None:
        command = [PYTHON, str(Path(__file__).resolve()), "worker", "hash_floor", json.dumps({"windows": windows})]
        self.processes = [
            subprocess.Popen(  # noqa: S603 (our own interpreter and script)
                command, env=environment(database_url), stdout=subprocess.PIPE, text=True, cwd=ROOT
            )
            for _ in range(WORKERS)
        ]

    def result(self) -> dict[str, Any]:
        results = []
        for process in self.processes:
            out, _ = process.communicate(timeout=600)
            if process.returncode != 0:
                raise RuntimeError(f"hash floor failed ({process.returncode}): {out[-2000:]}")
            results.append(json.loads(out.strip().splitlines()[-1]))
        rounds = [
            round(sum(r["runs"][k]["hashes"] / r["runs"][k]["seconds"] for r in results), 1)
            for k in range(len(results[0]["runs"]))
        ]
        hashes = sum(run["hashes"] for r in results for run in r["runs"])
        seconds = sum(run["seconds"] for run in results[0]["runs"])
        return {
            "per_second": round(hashes / seconds, 1),
            "rounds": rounds,
            "algorithm": results[0]["algorithm"],
            "parameters": results[0]["parameters"],
        }


def start_server(
    database_url: str, scratch: Path, port: int, extra: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """The project's gunicorn in the production profile on ``port``; ``extra`` adds to its environment
    (registration_layers.py serves its own views with it)."""
    (scratch / "metrics").mkdir(exist_ok=True)
    env = environment(database_url, scratch) | {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_THREADS": str(THREADS),
        "GUNICORN_MAX_REQUESTS": "0",
        "PROMETHEUS_MULTIPROC_DIR": str(scratch / "metrics"),
    }
    env |= extra or {}
    with open(scratch / "gunicorn.log", "ab") as log_file:  # the child keeps its own copy of the handle
        server = subprocess.Popen(  # noqa: S603
            [str(Path(PYTHON).parent / "gunicorn"), "-c", "python:prakerja.ops.gunicorn_conf"],
            env=env,
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError(f"gunicorn did not start: {(scratch / 'gunicorn.log').read_text()[-3000:]}")


def worker_cpu(server: subprocess.Popen[bytes]) -> dict[int, float]:
    """CPU seconds (user + system) of each of the server's worker processes so far."""
    found: dict[int, float] = {}
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:  # not Linux: the split is not reported
        return found
    for pid in map(int, children):
        try:
            found[pid] = process_cpu(pid)
        except OSError:  # a worker that has just exited
            continue
    return found


def busiest_share(before: dict[int, float], after: dict[int, float]) -> float | None:
    """The busiest worker's share of the workers' CPU between two ``worker_cpu`` readings (0.5 is an even
    split between two workers, 1.0 one worker doing everything)."""
    used = [seconds - before.get(pid, 0.0) for pid, seconds in after.items()]
    total = sum(used)
    return round(max(used) / total, 2) if used and total > 0 else None


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


class Registrations:
    """Valid, distinct registrations; ``tag`` names the phase in the email so the database can be asked
    which of them exist."""

    def __init__(self) -> None:
        self.serial = 0
        self.issued: dict[str, list[str]] = {}

    def factory(self, tag: str) -> loadgen.Factory:
        issued = self.issued.setdefault(tag, [])

        def make(i: int) -> loadgen.Request:
            self.serial += 1
            email = f"{tag}-{self.serial}@daftar.bench.example"
            issued.append(email)
            return body_of(email, self.serial)

        return make


def body_of(email: str, serial: int) -> loadgen.Request:
    body = json.dumps({"email": email, "password": PASSWORD, "phone": f"0812{20_000_000 + serial}"}).encode()
    return ("POST", "/api/v1/auth/register", {"Content-Type": "application/json"}, body)


def existing(database_url: str, tag: str) -> set[str]:
    with connect(database_url) as conn:
        rows = conn.execute("SELECT email FROM accounts_user WHERE email LIKE %s", (f"{tag}-%",)).fetchall()
    return {email for (email,) in rows}


def wholeness(database_url: str) -> dict[str, int]:
    """Accounts registered over HTTP lacking the audit row or the SMS code their registration writes."""
    with connect(database_url) as conn:
        no_audit = conn.execute(
            "SELECT count(*) FROM accounts_user u WHERE u.email LIKE '%%@daftar.bench.example' AND NOT EXISTS "
            "(SELECT 1 FROM core_auditevent a WHERE a.action = 'account.registered' "
            "AND a.object_id = u.public_id::text)"
        ).fetchone()[0]
        no_code = conn.execute(
            "SELECT count(*) FROM accounts_user u WHERE u.email LIKE '%%@daftar.bench.example' AND NOT EXISTS "
            "(SELECT 1 FROM accounts_phoneotp o WHERE o.user_id = u.id)"
        ).fetchone()[0]
    return {"without_audit_row": no_audit, "without_sms_code": no_code}


def drain_messages(database_url: str, scratch: Path) -> dict[str, Any]:
    """The verification messages the registrations queued (accounts/sending.py), sent by one task worker
    (``prakerja db_worker --batch``) once the registration and surge phases are over: the figures above
    are the web tier's, and production runs its task workers beside it or on other machines. Every
    account registered over HTTP must then have its SMS code and its email link in the outbox."""
    table = "django_tasks_database_dbtaskresult"
    with connect(database_url) as conn:
        queued = conn.execute(f"SELECT count(*) FROM {table} WHERE status = 'READY'").fetchone()[0]  # noqa: S608
    started = time.perf_counter()
    subprocess.run(  # noqa: S603
        [PYTHON, "-c", "from prakerja.cli import main; main()", "db_worker", "--batch", "--no-startup-delay", "-v0"],
        env=environment(database_url, scratch),
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    with connect(database_url) as conn:
        statuses = dict(conn.execute(f"SELECT status, count(*) FROM {table} GROUP BY status").fetchall())  # noqa: S608
        accounts = conn.execute(
            "SELECT count(*) FROM accounts_user WHERE email LIKE '%%@daftar.bench.example'"
        ).fetchone()[0]
    outbox = scratch / "outbox"
    sms, emails = len(list(outbox.glob("*-sms-*.txt"))), len(list(outbox.glob("*-email-*.txt")))
    return {
        "queued": queued,
        "tasks": statuses,
        "seconds": round(seconds, 2),
        "tasks_per_second": round(queued / seconds, 1) if seconds else None,
        "accounts": accounts,
        "sms_sent": sms,
        "emails_sent": emails,
        "every_account_sent_both": sms == emails == accounts and not statuses.get("FAILED"),
    }


def created(outcome: loadgen.Outcome) -> float:
    """Registrations/s: the 201s only. Should the gate refuse one (a slot not freed within its wait on a
    busy machine), the refusal is quick and must not count as a registration."""
    return outcome.statuses.get(201, 0) / outcome.seconds if outcome.seconds else 0.0


def _registration_phase(
    server: subprocess.Popen[bytes], port: int, database_url: str, registrations: Registrations, seconds: float
) -> dict:
    """ROUNDS of (floor, registration): the hashing processes and the server take turns, so the ratio
    compares the two under the same neighbours. Then the latency at half the maximum rate."""
    loadgen.closed("127.0.0.1", port, registrations.factory("warm"), connections=CONNECTIONS, seconds=3)
    share = seconds / ROUNDS
    gap = 1.5  # for the last requests of a turn to finish before the other one starts
    period = FLOOR_SECONDS + gap + share + gap
    first = time.time() + 5  # the hashing processes import Django first
    floor = HashFloor(database_url, [[first + k * period, FLOOR_SECONDS] for k in range(ROUNDS)])
    peak, rounds, split = loadgen.Outcome(), [], []
    factory = registrations.factory("reg")
    for k in range(ROUNDS):
        time.sleep(max(0.0, first + k * period + FLOOR_SECONDS + gap - time.time()))
        before = worker_cpu(server)
        outcome = loadgen.closed("127.0.0.1", port, factory, connections=CONNECTIONS, seconds=share)
        split.append(busiest_share(before, worker_cpu(server)))
        rounds.append(round(created(outcome), 1))
        peak.latencies += outcome.latencies
        peak.seconds += outcome.seconds
        for code, count in outcome.statuses.items():
            peak.statuses[code] = peak.statuses.get(code, 0) + count
    hashing = floor.result()
    log(
        f"registration: {created(peak):,.1f}/s {rounds}, p50 {peak.percentile(50) * 1000:.0f} ms, "
        f"p99 {peak.percentile(99) * 1000:.0f} ms {peak.statuses}; floor {hashing['per_second']} hashes/s "
        f"{hashing['rounds']}"
    )
    rate = created(peak) / 2
    half = loadgen.open_rate(
        "127.0.0.1", port, registrations.factory("half"), rate=rate, seconds=seconds / 2, connections=16
    )
    log(
        f"registration at {rate:,.1f}/s: p50 {half.percentile(50) * 1000:.0f} ms, "
        f"p99 {half.percentile(99) * 1000:.0f} ms {half.statuses}"
    )
    return {
        "peak": peak.summary()
        | {"rounds": rounds, "created_per_second": round(created(peak), 1), "busiest_worker_share": split},
        "at_half": half.summary() | {"rate": round(rate, 1)},
        "floor": hashing,
    }


def _surge_phase(port: int, database_url: str, registrations: Registrations, capacity: float, seconds: float) -> dict:
    """Twice the capacity, open loop, then the refused registrations again, under capacity."""
    rate = 2 * capacity
    outcome = loadgen.open_rate(
        "127.0.0.1", port, registrations.factory("surge"), rate=rate, seconds=seconds, connections=64
    )
    issued = registrations.issued["surge"]
    created = existing(database_url, "surge")
    accepted = outcome.statuses.get(201, 0)
    refused = outcome.statuses.get(429, 0)
    log(f"surge at {rate:,.0f}/s: {outcome.statuses}, {len(created):,} accounts in the database")
    # The refused, once more: two at a time, well under capacity.
    missing = [email for email in issued if email not in created]
    serials = {email: int(email.split("-")[1].split("@")[0]) for email in missing}
    retry = iter(missing)

    def again(i: int) -> loadgen.Request | None:
        email = next(retry, None)
        return body_of(email, serials[email]) if email else None

    retried = loadgen.closed("127.0.0.1", port, again, connections=2, seconds=600)
    after = existing(database_url, "surge")
    log(f"surge: the {len(missing):,} refused, retried: {retried.statuses}; {len(after):,} of {len(issued):,} now in")
    total = sum(outcome.statuses.values())
    return {
        "rate": round(rate, 1),
        "capacity_per_s": round(capacity, 1),
        "seconds": round(outcome.seconds, 1),
        "requests": total,
        "statuses": dict(sorted(outcome.statuses.items())),
        "share_201": round(accepted / total, 3) if total else None,
        "share_429": round(refused / total, 3) if total else None,
        "server_errors": sum(n for status, n in outcome.statuses.items() if status >= 500 and status != 599),
        "failed_connections": outcome.statuses.get(599, 0),
        "accepted_per_s": round(accepted / outcome.seconds, 1) if outcome.seconds else None,
        "p50_ms": round(outcome.percentile(50) * 1000, 1),
        "p99_ms": round(outcome.percentile(99) * 1000, 1),
        "persisted": len(created),
        "persisted_equals_201": len(created) == accepted,
        "refused_retried": len(missing),
        "retry_statuses": dict(sorted(retried.statuses.items())),
        "all_in_after_retry": len(after) == len(issued),
        "gate": gate_settings(),
    }


def gate_settings() -> dict[str, Any]:
    """The gate the server ran with: core/surge.py's defaults (the settings module sets none)."""
    from prakerja.core import surge

    return {
        "max_concurrent": surge.DEFAULT_MAX_CONCURRENT,
        "max_waiting": surge.DEFAULT_MAX_WAITING,
        "wait_seconds": surge.DEFAULT_WAIT_SECONDS,
        "threads_per_worker": THREADS,
        "workers": WORKERS,
    }


def _read_phase(server: subprocess.Popen[bytes], port: int, tokens: list[str], seconds: float) -> dict[str, Any]:
    """``/healthz`` (the liveness probe), ``/api/v1/me`` and ``/health/`` (the floor) in interleaved rounds: a
    neighbour's load on the machine falls on all three alike."""
    serial = iter(range(10**12))

    def me(i: int) -> loadgen.Request:
        token = tokens[next(serial) % len(tokens)]
        return ("GET", "/api/v1/me", {"Authorization": f"Bearer {token}"}, b"")

    def healthz(i: int) -> loadgen.Request:
        return ("GET", "/healthz", {}, b"")

    def health(i: int) -> loadgen.Request:
        return ("GET", "/health/", {}, b"")

    loadgen.closed("127.0.0.1", port, me, connections=READ_CONNECTIONS, seconds=2)  # warm up
    totals = {name: loadgen.Outcome() for name in ("healthz", "me", "health")}
    split: dict[str, list[float | None]] = {name: [] for name in totals}
    for _ in range(READ_ROUNDS):
        for name, factory in (("healthz", healthz), ("me", me), ("health", health)):
            before = worker_cpu(server)
            outcome = loadgen.closed(
                "127.0.0.1", port, factory, connections=READ_CONNECTIONS, seconds=seconds / READ_ROUNDS
            )
            split[name].append(busiest_share(before, worker_cpu(server)))
            totals[name].latencies += outcome.latencies
            totals[name].seconds += outcome.seconds
            for code, count in outcome.statuses.items():
                totals[name].statuses[code] = totals[name].statuses.get(code, 0) + count
    out = {}
    for name, outcome in totals.items():
        out[name] = outcome.summary() | {"busiest_worker_share": split[name]}
        log(
            f"read {name}: {outcome.throughput:,.0f}/s, p99 {outcome.percentile(99) * 1000:.1f} ms {outcome.statuses}, "
            f"busiest worker's share of the CPU {split[name]}"
        )
    return out


def run(size: str) -> dict[str, Any]:
    params = SIZES.get(size, SIZES["full"])
    database_url = os.environ.get("BENCH_REGISTRATION_DATABASE_URL") or DEFAULT_URL
    name = urlsplit(database_url).path.lstrip("/")
    if "bench" not in name and os.environ.get("BENCH_ALLOW_RESET") != "1":
        raise SystemExit(f"refusing to empty database {name!r}: its name does not say 'bench'")
    ensure_database(database_url)
    for command in (["migrate", "-v0"], ["load-regions"]):
        subprocess.run(  # noqa: S603
            [PYTHON, "-c", "from prakerja.cli import main; main()", *command],
            env=environment(database_url),
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
    worker(database_url, "reset")
    log(f"registration: {params['population']:,} generated applicants already registered")
    population = worker(database_url, "population", people=params["population"])
    log(f"registration: {population}")
    load = {"before": round(os.getloadavg()[0], 2)}
    registrations = Registrations()
    # Autovacuum's work meanwhile, as a live server would do it (this machine's has it off: bench/autovacuum.py).
    with tempfile.TemporaryDirectory(prefix="bench-registration-") as tmp, Autovacuum(database_url) as vacuum:
        scratch = Path(tmp)
        port = free_port()
        server = start_server(database_url, scratch, port)
        try:
            reg = _registration_phase(server, port, database_url, registrations, params["seconds"])
            accounts = population["accounts"] + len(existing(database_url, "warm")) + len(existing(database_url, "reg"))
            surge = _surge_phase(
                port, database_url, registrations, reg["peak"]["created_per_second"], params["surge_seconds"]
            )
            whole = wholeness(database_url)
            messages = drain_messages(database_url, scratch)
            log(f"registration: messages {messages}")
            tokens = worker(database_url, "tokens", count=params["tokens"])
            log(
                f"me_read: {len(tokens['tokens']):,} tokens ({tokens['registered']:,} registered over HTTP, "
                f"{tokens['generated']:,} generated applicants)"
            )
            reads = _read_phase(server, port, tokens["tokens"], params["read_seconds"])
        finally:
            if server.poll() is None:
                stop_server(server)
            server_log = (scratch / "gunicorn.log").read_text(errors="replace")
    load["after"] = round(os.getloadavg()[0], 2)
    floor = reg["floor"]["per_second"]
    figure = reg["peak"]["created_per_second"]
    statuses = reg["peak"]["statuses"]
    server_text = f"gunicorn (ops/gunicorn_conf.py), {WORKERS} gthread workers × {THREADS} threads, production profile"
    registration: dict[str, Any] = {
        "figure": figure,
        "unit": "registrations/s (POST /api/v1/auth/register over HTTP, closed loop)",
        "floor": round(floor, 1),
        "floor_unit": f"Argon2id hashes/s alone, same parameters, {WORKERS} processes (one per core)",
        "ratio": round(figure / floor, 3) if floor else None,
        "size": accounts,
        "size_unit": "accounts in the table when measured",
        "target": 0.8,
        "p50_ms": reg["peak"]["p50_ms"],
        "p99_ms": reg["peak"]["p99_ms"],
        "connections": CONNECTIONS,
        "at_half_rate": {k: reg["at_half"][k] for k in ("rate", "p50_ms", "p95_ms", "p99_ms", "statuses")},
        "registered": statuses.get(201, 0),
        "statuses": statuses,
        "refused_by_the_gate": statuses.get(429, 0),
        "rounds": reg["peak"]["rounds"],
        "busiest_worker_share": reg["peak"]["busiest_worker_share"],
        "floor_rounds": reg["floor"]["rounds"],
        "hashing": {"algorithm": reg["floor"]["algorithm"], **reg["floor"]["parameters"]},
        "surge": surge,
        "accounts_whole": whole,
        "messages": messages,
        "server": server_text,
        "load_average_1m": load | {"cores": os.cpu_count()},
        "population": population,
        "autovacuum": vacuum.summary(),
    }
    if not (set(statuses) <= {201, 429} and surge["server_errors"] == 0 and surge["failed_connections"] == 0):
        registration["incomplete"] = True
    if not (surge["persisted_equals_201"] and surge["all_in_after_retry"] and not any(whole.values())):
        registration["incomplete"] = True
    if not messages["every_account_sent_both"]:
        registration["incomplete"] = True
    me_per_s = reads["me"]["per_second"]
    floor_read = reads["health"]["per_second"]
    probe = reads["healthz"]["per_second"]
    me_read: dict[str, Any] = {
        "figure": me_per_s,
        "unit": "requests/s (GET /api/v1/me with bearer tokens, closed loop)",
        "floor": floor_read,
        "floor_unit": "requests/s of GET /health/ (a trivial Django view, whole middleware stack) on the same server",
        "ratio": round(me_per_s / floor_read, 3) if floor_read else None,
        "size": len(tokens["tokens"]),
        "size_unit": "accounts whose tokens are used, in turn",
        "target": 0.3,
        "accounts": {"registered_over_http": tokens["registered"], "generated_applicants": tokens["generated"]},
        "connections": READ_CONNECTIONS,
        "phases": reads,
        # The liveness probe is answered by the first middleware, before the others run: a stricter comparison.
        "liveness_probe": {
            "path": "/healthz",
            "per_second": probe,
            "ratio_of_me_to_it": round(me_per_s / probe, 3) if probe else None,
        },
        "server": server_text,
    }
    if set(reads["me"]["statuses"]) != {200}:
        me_read["incomplete"] = True
    if "Traceback" in server_log:
        registration["server_tracebacks"] = server_log.count("Traceback")
    # The machine with each entry too: latest.json's shared ``machine`` may come from another host's run.
    host = machine() | database_info(database_url)
    registration["machine"] = me_read["machine"] = host
    return {"machine": database_info(database_url), "registration": registration, "me_read": me_read}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "worker":
        print(json.dumps(run_worker(sys.argv[2], json.loads(sys.argv[3]) if len(sys.argv) > 3 else {})))
    else:
        print(json.dumps(run(os.environ.get("BENCH_SIZE", "full")), indent=2))
