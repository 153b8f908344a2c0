"""Marketplace benchmarks (issue 4), on PostgreSQL with gunicorn on loopback.

``redeem``: the institutions' redeem-code ``status`` and ``commit`` endpoints against a floor
endpoint on the same server that only checks the request (client code, timestamp window,
HMAC signature, replay record): the maximum throughput of each (closed loop), the ratio to
the floor (target 0.7), and the p99 latency at half of its maximum throughput (open loop at a
fixed rate; target under 50 ms). Every commit is of a different, valid code inside its window.

``catalog``: ``GET /api/v1/trainings`` with a mix of filters, sorts and pages over 50,000
programs and 500,000 classes (``small``: a tenth): the p95 latency, against the p95 of
``/health/`` (no database) under the same load; the issue asks p95 under 150 ms.

The server runs the production profile (``PRAKERJA_ENV=production``, DEBUG off) in the project's own
gunicorn configuration (``ops/gunicorn_conf.py``, gthread) with 2
workers, one per core; the load generator (``loadgen.py``) shares the machine, as it shares it
for the floor. Data is built by the platform's own actions (recipients through a batch,
purchases through ``buy``) except the catalog's bulk, which is copied in (``COPY``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.request import urlopen

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen
from processes import production_environment, run_step
from selection import ROOT, ensure_database, log

PYTHON = sys.executable
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/prakerja_bench_market"
SIZES = {
    "small": {"programs": 5_000, "classes_per_program": 10, "codes": 800, "seconds": 6},
    "full": {"programs": 50_000, "classes_per_program": 10, "codes": 8_000, "seconds": 12},
}
SECRET = "bench-" + "x" * 48
STATUS_PATH = "/api/v1/integration/payment/redeem-code/status"
COMMIT_PATH = "/api/v1/integration/payment/redeem-code/commit"
FLOOR_PATH = "/api/v1/integration/signature-check"


def environment(database_url: str) -> dict[str, str]:
    # Rate limits off: every request comes from 127.0.0.1, and the catalog's public-read limit (600 a minute
    # per address) answered most of a fast run's searches with 429, whose quick answers made its p95 look good.
    return production_environment(database_url, SECRET, SECURE_SSL_REDIRECT="0", RATE_LIMIT_SCALE="0")


def worker(database_url: str, action: str, **args: Any) -> dict[str, Any]:
    return run_step(__file__, environment(database_url), action, args)


# --- data (inside a worker process) -------------------------------------------------------------------
def _reset() -> None:
    from django.db import connection

    from prakerja.core.audit_guard import set_erasable

    set_erasable(connection, True)  # the audit log is append-only; a benchmark database may empty it
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE accounts_user, registry_civilregistryrecord, registry_person, batches_batch, batches_result, "
            "catalog_institution, payments_ledgeraccount, payments_journalentry, payments_posting, "
            "integrations_seenrequest, core_auditevent, django_tasks_database_dbtaskresult "
            "RESTART IDENTITY CASCADE"
        )


def _catalog(programs: int, classes_per_program: int) -> dict[str, Any]:
    """Approved programs of 500 institutions, in every mode, category and region; 10 classes each,
    most open, some full or closed; one session per class. Ratings spread for sorting."""
    import datetime as dt
    import uuid

    from django.db import connection

    from prakerja.catalog.models import Institution
    from prakerja.catalog.rules import CATEGORIES, MODES
    from prakerja.core import clock
    from prakerja.regions.models import District

    rng = random.Random(4)
    districts = list(District.objects.values_list("code", "regency_id", "regency__province_id"))
    institutions = Institution.objects.bulk_create(
        Institution(legal_name=f"Lembaga Bench {n:03d}", licence_number=f"LPK/{n}", status="active") for n in range(500)
    )
    words = "Dasar Lanjutan Praktis Profesional Digital Usaha Layanan Produksi Manajemen Teknik".split()
    topics = "Barista Menjahit Akuntansi Pemasaran Desain Pemrograman Las Otomotif Kuliner Perhotelan".split()
    now = clock.now()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        columns = (
            "public_id, institution_id, title, category, description, competencies, mode, hours, price, "
            "district_id, regency_code, province_code, status, rejection_reasons, submitted_at, decided_at, "
            "rating_count, rating_sum, rating_x100, created_at"
        )
        with raw.copy(f"COPY catalog_program ({columns}) FROM STDIN") as copy:
            for n in range(programs):
                mode = rng.choice(MODES)
                face = mode in ("offline", "blended")
                district, regency, province = rng.choice(districts) if face else (None, "", "")
                count = rng.randint(0, 200)
                total = sum(rng.randint(3, 5) for _ in range(min(count, 5))) * count // max(min(count, 5), 1)
                title = f"{rng.choice(topics)} {rng.choice(words)} {rng.choice(words)} {n}"
                copy.write_row(
                    (
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        institutions[n % len(institutions)].pk,
                        title,
                        rng.choice(list(CATEGORIES)),
                        f"Pelatihan {title} untuk pencari kerja dan pelaku usaha.",
                        "Kompetensi inti\nPraktik kerja\nEvaluasi",
                        mode,
                        rng.choice((15, 16, 20, 24, 32, 40)),
                        rng.randrange(100_000, 3_500_001, 50_000),
                        district,
                        regency,
                        province,
                        "approved" if rng.random() < 0.9 else rng.choice(("submitted", "rejected", "suspended")),
                        "[]",
                        now,
                        now,
                        count,
                        total,
                        round(total * 100 / count) if count else 0,
                        now,
                    )
                )
        cursor.execute("SELECT id, mode FROM catalog_program ORDER BY id")
        program_rows = cursor.fetchall()
        with raw.copy(
            "COPY catalog_trainingclass (code, program_id, capacity, seats_taken, starts_at, "
            "enrollment_closes_at, status, created_at) FROM STDIN"
        ) as copy:
            for program_id, mode in program_rows:
                capacity = 40 if mode in ("offline", "blended") else 150
                for k in range(classes_per_program):
                    starts = now + dt.timedelta(days=rng.randint(-20, 60), hours=rng.randint(0, 12))
                    closes = starts - dt.timedelta(days=2 if capacity == 40 else 1)
                    copy.write_row(
                        (
                            f"B{program_id:07d}{k:02d}",
                            program_id,
                            capacity,
                            capacity if rng.random() < 0.1 else rng.randint(0, capacity - 1),
                            starts,
                            closes,
                            "open" if rng.random() < 0.97 else "cancelled",
                            now,
                        )
                    )
        cursor.execute(
            "INSERT INTO catalog_session (training_class_id, sequence, starts_at, ends_at) "
            "SELECT id, 1, starts_at, starts_at + interval '8 hours' FROM catalog_trainingclass"
        )
        # Statistics as autovacuum would have them on a live system (a bulk load outruns it).
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM catalog_trainingclass")
        classes = cursor.fetchone()[0]
    return {"programs": len(program_rows), "classes": classes, "seconds": round(time.perf_counter() - started, 1)}


def _redeem(codes: int) -> dict[str, Any]:
    """``codes`` recipients (through a batch: generate, apply, select, announce), each with a
    purchase of a 2-session webinar class whose first session starts 20 minutes from now, so
    its redeem code is valid for the whole run. Built with the clock set 3 days back: classes
    close enrollment the day before they start."""
    import datetime as dt
    import io

    from django.core.management import call_command

    from prakerja.accounts.models import User
    from prakerja.batches import actions as batches
    from prakerja.batches.models import Batch
    from prakerja.catalog import actions as catalog
    from prakerja.core import clock
    from prakerja.learning import actions as learning
    from prakerja.learning.models import RedeemCode
    from prakerja.registry.models import Person

    real_now = clock.now()
    first = real_now + dt.timedelta(minutes=20)
    started = time.perf_counter()
    with clock.freeze(real_now - dt.timedelta(days=3)):
        people = int(codes * 1.5) + 20  # some are too old to apply, some families over the cap
        batches.create_batch(
            number=1,
            quota=people,
            opens_at=clock.now() - dt.timedelta(hours=1),
            closes_at=clock.now() + dt.timedelta(days=1),
            allocation=Batch.Allocation.NATIONAL,
        )
        batches.open_batch(1)
        call_command(
            "generate_population", "--people", str(people), "--seed", "7", "--apply-to-batch", "1", stdout=io.StringIO()
        )
        batches.close_batch(1)
        batches.select_batch(1)
        named = batches.announce_batch(1)
        institution = catalog.create_institution(legal_name="Lembaga Bench Redeem", licence_number="LPK/R/1")
        program = catalog.save_program(
            institution,
            {
                "title": "Pemasaran Digital",
                "category": "digital",
                "mode": "webinar",
                "hours": 16,
                "price": 500_000,
                "description": "Bench",
                "competencies": "Bench",
            },
        )
        program = catalog.approve_program(catalog.submit_program(program))
        sessions = [
            (first, first + dt.timedelta(hours=8)),
            (first + dt.timedelta(days=1), first + dt.timedelta(days=1, hours=8)),
        ]
        recipients = list(Person.objects.filter(recipient__isnull=False).order_by("id")[:codes])
        trainer = catalog.add_trainer(institution, full_name="Pelatih Bench", certificate_number="BNSP-1")
        classes = [
            catalog.create_class(program, capacity=150, sessions=sessions, trainers=[trainer], code=f"KLSBENCH{n:04d}")
            for n in range(-(-len(recipients) // 150))
        ]
        for n, person in enumerate(recipients):
            learning.buy(person, classes[n // 150].code)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    redeem_codes = list(RedeemCode.objects.filter(session__sequence=1).order_by("id").values_list("code", flat=True))
    return {
        "recipients": named,
        "users": User.objects.count(),
        "client_code": institution.client_code,
        "sign_key": institution.sign_key,
        "codes": redeem_codes,
        "seconds": round(time.perf_counter() - started, 1),
    }


def run_worker(action: str, args: dict[str, Any]) -> dict[str, Any]:
    import django

    django.setup()
    if action == "reset":
        _reset()
        return {}
    if action == "catalog":
        return _catalog(args["programs"], args["classes_per_program"])
    if action == "redeem":
        return _redeem(args["codes"])
    raise SystemExit(f"unknown step {action}")


# --- the server ---------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_url: str, port: int) -> subprocess.Popen[bytes]:
    """The project's own server configuration (``ops/gunicorn_conf.py``: gthread workers, the partner API's
    underscored headers kept), one worker per core, worker recycling off for the measurement."""
    command = [str(Path(PYTHON).parent / "gunicorn"), "-c", "python:prakerja.ops.gunicorn_conf"]
    env = environment(database_url) | {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(os.cpu_count() or 2),
        "GUNICORN_MAX_REQUESTS": "0",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


# --- requests -----------------------------------------------------------------------------------------------
def signed(client_code: str, key: str, path: str, data: dict[str, Any]) -> loadgen.Request:
    body = json.dumps(data, separators=(",", ":"))
    timestamp = str(int(time.time()))
    signature = hmac.new(key.encode(), f"{client_code}{timestamp}POST{path}{body}".encode(), hashlib.sha1).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "client_code": client_code,
        "timestamp": timestamp,
        "signature": signature,
    }
    return ("POST", path, headers, body.encode())


ROUNDS = 4


def _redeem_phase(port: int, data: dict[str, Any], seconds: float) -> dict[str, Any]:
    """Maximum throughput of the floor, status and commit, measured in interleaved rounds (floor,
    status, commit, floor, …) so that a neighbour's load on the machine falls on all three alike;
    then each endpoint at half its maximum throughput, for the p99."""
    client, key, codes = data["client_code"], data["sign_key"], data["codes"]
    # Every request is unique (a replayed one would be refused): status and the floor carry a
    # request number; commits each take a code of their own.
    half = len(codes) // 2
    max_codes, rate_codes = codes[:half], codes[half:]
    run = str(time.time_ns())
    serial = iter(range(10**12))

    def floor(i: int) -> loadgen.Request:
        n = next(serial)
        return signed(client, key, FLOOR_PATH, {"redeem_code": codes[n % len(codes)], "n": f"{run}-{n}"})

    def status(i: int) -> loadgen.Request:
        n = next(serial)
        return signed(client, key, STATUS_PATH, {"redeem_code": codes[n % len(codes)], "n": f"{run}-{n}"})

    def commits(pool: list[str]) -> loadgen.Factory:
        taken = iter(pool)

        def make(i: int) -> loadgen.Request | None:
            code = next(taken, None)
            return signed(client, key, COMMIT_PATH, {"redeem_code": code, "sequence": 1}) if code else None

        return make

    loadgen.closed("127.0.0.1", port, floor, connections=4, seconds=2)  # warm up
    totals = {name: loadgen.Outcome() for name in ("floor", "status", "commit")}
    # Each round commits its own share of the codes: one shared pool ran out in the first round, so the
    # commits were not interleaved with the other two (2026-11-29: 1,793 codes gone in 3.7 s).
    commit_rounds = [commits(max_codes[k::ROUNDS]) for k in range(ROUNDS)]
    for k in range(ROUNDS):
        for name, factory in (("floor", floor), ("status", status), ("commit", commit_rounds[k])):
            outcome = loadgen.closed("127.0.0.1", port, factory, connections=8, seconds=seconds / ROUNDS)
            totals[name].latencies += outcome.latencies
            totals[name].seconds += outcome.seconds
            for code, count in outcome.statuses.items():
                totals[name].statuses[code] = totals[name].statuses.get(code, 0) + count
    out: dict[str, Any] = {}
    for name, outcome in totals.items():
        out[name] = outcome.summary()
        log(
            f"redeem {name}: {outcome.throughput:,.0f}/s, p99 {outcome.percentile(99) * 1000:.1f} ms {outcome.statuses}"
        )
    for name, factory in (("status", status), ("commit", commits(rate_codes))):
        rate = out[name]["per_second"] / 2
        outcome = loadgen.open_rate("127.0.0.1", port, factory, rate=rate, seconds=seconds)
        out[f"{name}_at_half"] = outcome.summary() | {"rate": round(rate, 1)}
        log(f"redeem {name} at {rate:,.0f}/s: p99 {outcome.percentile(99) * 1000:.1f} ms {outcome.statuses}")
    return out


CATALOG_QUERIES = (
    "",
    "mode=offline",
    "mode=webinar&sort=price",
    "category=digital",
    "category=food_beverage&max_price=1000000",
    "province=32",
    "province=35&mode=offline&sort=rating",
    "regency=3273",
    "regency=3578&mode=blended",
    "q=Barista",
    "q=Digital&sort=-price",
    "max_price=500000&min_hours=20",
    "min_rating=4.5",
    "sort=newest&page=7",
    "page=40",
    "mode=self_paced&category=language&page=3",
)


def _catalog_phase(port: int, seconds: float) -> dict[str, Any]:
    def search(i: int) -> loadgen.Request:
        query = CATALOG_QUERIES[i % len(CATALOG_QUERIES)]
        return ("GET", f"/api/v1/trainings?{query}", {}, b"")

    def health(i: int) -> loadgen.Request:
        return ("GET", "/health/", {}, b"")

    loadgen.closed("127.0.0.1", port, search, connections=2, seconds=2)  # warm up
    out = {}
    for name, factory in (("health", health), ("search", search)):
        outcome = loadgen.closed("127.0.0.1", port, factory, connections=2, seconds=seconds)
        out[name] = outcome.summary()
        p95 = outcome.percentile(95) * 1000
        log(f"catalog {name}: p95 {p95:.1f} ms, {outcome.throughput:,.0f}/s {outcome.statuses}")
    return out


def run(size: str) -> dict[str, Any]:
    params = SIZES.get(size, SIZES["full"])
    database_url = os.environ.get("BENCH_MARKET_DATABASE_URL") or DEFAULT_URL
    ensure_database(database_url)
    subprocess.run(  # noqa: S603
        [PYTHON, "-c", "from prakerja.cli import main; main()", "migrate", "-v0"],
        env=environment(database_url),
        check=True,
        cwd=ROOT,
    )
    subprocess.run(  # noqa: S603
        [PYTHON, "-c", "from prakerja.cli import main; main()", "load-regions"],
        env=environment(database_url),
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    worker(database_url, "reset")
    log(f"marketplace: catalog of {params['programs']:,} programs")
    catalog_data = worker(
        database_url, "catalog", programs=params["programs"], classes_per_program=params["classes_per_program"]
    )
    log(f"marketplace: {catalog_data}")
    log(f"marketplace: {params['codes']:,} recipients with a purchase each")
    redeem_data = worker(database_url, "redeem", codes=params["codes"])
    log(f"marketplace: {len(redeem_data['codes']):,} redeem codes in {redeem_data['seconds']} s")
    port = free_port()
    server = start_server(database_url, port)
    try:
        redeem = _redeem_phase(port, redeem_data, params["seconds"])
        catalog = _catalog_phase(port, params["seconds"])
    finally:
        server.terminate()
        server.wait(timeout=30)
    floor = redeem["floor"]["per_second"]
    slowest = min(redeem["status"]["per_second"], redeem["commit"]["per_second"])
    search_p95 = catalog["search"]["p95_ms"]
    health_p95 = catalog["health"]["p95_ms"]
    entries: dict[str, Any] = {
        "redeem": {
            "figure": slowest,
            "unit": "requests/s (the slower of status and commit)",
            "floor": floor,
            "floor_unit": "requests/s, an endpoint that only checks the signed request",
            "ratio": round(slowest / floor, 3) if floor else None,
            "size": len(redeem_data["codes"]),
            "target": 0.7,
            "p99_at_half_ms": {
                "status": redeem["status_at_half"]["p99_ms"],
                "commit": redeem["commit_at_half"]["p99_ms"],
                "target": 50,
            },
            "phases": redeem,
            "server": f"gunicorn (ops/gunicorn_conf.py), {os.cpu_count()} gthread workers, production profile",
        },
        "catalog": {
            "figure": search_p95,
            "unit": "ms, p95 of GET /api/v1/trainings (16 filter/sort/page mixes)",
            "floor": health_p95,
            "floor_unit": "ms, p95 of /health/ (no database) under the same load",
            "ratio": round(health_p95 / search_p95, 3) if search_p95 else None,
            "size": catalog_data["programs"],
            "classes": catalog_data["classes"],
            # The ratio at which the p95 would be exactly the 150 ms the issue allows.
            "target": round(health_p95 / 150, 3),
            "target_ms": 150,
            "phases": catalog,
        },
    }
    # A figure is only what it says when every request of it was answered 200.
    for name, phases in (("redeem", redeem), ("catalog", catalog)):
        refused = {phase: p["statuses"] for phase, p in phases.items() if set(p["statuses"]) != {200}}
        if refused:
            entries[name]["incomplete"] = f"answers other than 200: {refused}"
    return entries


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "worker":
        print(json.dumps(run_worker(sys.argv[2], json.loads(sys.argv[3]) if len(sys.argv) > 3 else {})))
    else:
        print(json.dumps(run(os.environ.get("BENCH_SIZE", "full")), indent=2))
