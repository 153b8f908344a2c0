"""Incentive payouts: prepare and send 100,000 payouts to the gateway simulator on loopback.

``payouts``: payouts per second, end to end — the maker's ``prepare_batch``, the checker's
``approve_batch``, then two worker processes (``prakerja disburse --until-done``, the CLI an
operator runs) sending every payout to the gateway simulator and polling it until every one is
confirmed; from the start of the preparation to the last confirmation. ``small``: 5,000 payouts.

Floor, in the same run and against the same simulator process: the simulator alone, driven by a
bare client — two processes, each with one keep-alive ``http.client`` connection, making per
payout the requests the platform makes (a ``POST /v1/transfers``, then a ``GET`` of its state;
the platform's own count is measured from the simulator's request counter and reported next to
it). The simulator forgets its transfers between the two (``POST /_sim/reset``).

No target ratio is given (``target`` is null). Set-up is not timed: a database of its own
(``prakerja_bench_payouts``, or ``BENCH_PAYOUTS_DATABASE_URL``), emptied and refilled each run
with N people, each with a verified payout account and a due post-training incentive (written
with ``bulk_create``; the ledger's liability moved in one transfer), and the simulator's book of
the same accounts. The workers run the production profile, poll-based (no callback URL), with
``payout_poll_seconds`` at 0.5 s (the program's default, 120 s, is a wait for a callback that
never comes here) and the dummy task backend, so the SMS of each confirmation is not sent
inline.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

sys.path.insert(0, str(Path(__file__).resolve().parent))

from autovacuum import Autovacuum
from processes import process_cpu, production_environment, run_step
from selection import ROOT, connect, database_info, ensure_database, log

PYTHON = sys.executable
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/prakerja_bench_payouts"
SIZES = {"small": 5_000, "full": 100_000, "huge": 100_000}
WORKERS = 2
POLL_SECONDS = 0.5
AMOUNT = 600_000
API_KEY = "sim-key"
SECRET = "bench-" + "p" * 48
# Seconds the workers may take; past it they stop, and the entry says ``incomplete`` with the rate so far.
SEND_TIMEOUT = {"small": 600, "full": 1500, "huge": 3600}
MAKER, CHECKER = "maker@bench-payouts.example", "checker@bench-payouts.example"
PROVIDERS = (("bca", 10), ("bri", 15), ("mandiri", 13), ("bni", 10))


def account_of(i: int) -> tuple[str, str, str]:
    """The i-th person's payout account (provider, number, holder), the same in the database and the book."""
    provider, digits = PROVIDERS[i % len(PROVIDERS)]
    return provider, str(10 ** (digits - 1) + i), f"Penerima Bench {i}"


def environment(database_url: str, gateway_url: str = "http://127.0.0.1:9") -> dict[str, str]:
    return production_environment(
        database_url,
        SECRET,
        PAYMENT_GATEWAY_URL=gateway_url,
        PAYMENT_GATEWAY_KEY=API_KEY,
        PAYMENT_CALLBACK_BASE_URL="",  # poll-based: the simulator has nowhere to call back
        TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
    )


def worker(database_url: str, action: str, **args: Any) -> dict[str, Any]:
    """Run one step in a fresh Django process; its last line of output is the step's JSON result."""
    return run_step(__file__, environment(database_url), action, args)


# --- steps (inside a worker process) ----------------------------------------------------------------
def _reset() -> None:
    from django.db import connection

    from prakerja.core.audit_guard import set_erasable

    set_erasable(connection, True)  # the audit log is append-only; a benchmark database may empty it
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE accounts_user, registry_person, batches_result, payments_payoutaccount, payments_entitlement, "
            "payments_disbursementbatch, payments_payout, payments_ledgeraccount, payments_journalentry, "
            "payments_posting, core_auditevent, core_programsettingversion, django_tasks_database_dbtaskresult "
            "RESTART IDENTITY CASCADE"
        )


def _setup(people: int) -> dict[str, Any]:
    """N people, each with a verified payout account and a due post-training incentive; the ledger's
    liability for all of them; the two finance officers; a short poll interval."""
    from django.db import connection, transaction

    from prakerja.accounts.models import User
    from prakerja.core.program import change_setting
    from prakerja.payments import actions as ledger
    from prakerja.payments.models import Entitlement, PayoutAccount
    from prakerja.registry.models import Person, ProgramStatus

    started = time.perf_counter()
    _reset()
    for email in (MAKER, CHECKER):
        User.objects.create_user(email, None, role=User.Role.PMO)
    chunk = 10_000
    for start in range(0, people, chunk):
        numbers = range(start, min(people, start + chunk))
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(email=f"penerima{i}@bench-payouts.example", password="!", phone=f"+62812{i:08d}") for i in numbers
            )
            persons = Person.objects.bulk_create(
                Person(
                    user=user,
                    nik=str(3171010101000000 + i),
                    full_name=account_of(i)[2],
                    program_status=ProgramStatus.RECIPIENT,
                )
                for i, user in zip(numbers, users, strict=True)
            )
            PayoutAccount.objects.bulk_create(
                PayoutAccount(person=person, provider_id=provider, account_number=number, holder_name=holder)
                for person, (provider, number, holder) in zip(persons, map(account_of, numbers), strict=True)
            )
            Entitlement.objects.bulk_create(
                Entitlement(
                    person=person,
                    kind=Entitlement.Kind.TRAINING,
                    sequence=1,
                    amount=AMOUNT,
                    status=Entitlement.Status.DUE,
                    source=f"purchase:bench-{i}",
                )
                for i, person in zip(numbers, persons, strict=True)
            )
        print(f"\r  set-up: {numbers[-1] + 1:,} of {people:,} people", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    ledger.transfer(
        source=ledger.system_account(ledger.STATE_FUNDING),
        destination=ledger.system_account(ledger.INCENTIVES_PAYABLE),
        amount=people * AMOUNT,
        kind="incentive_earned",
        idempotency_key="bench:payouts:earned",
        memo="bench: every incentive of the run",
    )
    change_setting("payout_poll_seconds", POLL_SECONDS, note="bench: no callbacks, poll soon")
    with connection.cursor() as cursor:
        # Statistics as autovacuum would have them on a live system (a bulk load outruns it).
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
    return {"people": people, "seconds": round(time.perf_counter() - started, 1)}


def _prepare() -> dict[str, Any]:
    """The maker prepares a batch of every due incentive; the checker approves it."""
    from prakerja.accounts.models import User
    from prakerja.payments import disbursement

    maker, checker = User.objects.get(email=MAKER), User.objects.get(email=CHECKER)
    started_at = time.time()
    started = time.perf_counter()
    batch = disbursement.prepare_batch(actor=maker)
    prepared = time.perf_counter()
    disbursement.approve_batch(batch.public_id, actor=checker)
    approved = time.perf_counter()
    return {
        "batch": str(batch.public_id),
        "payouts": batch.payout_count,
        "started_at": started_at,
        "prepare_seconds": prepared - started,
        "approve_seconds": approved - prepared,
    }


def _check(batch: str) -> dict[str, Any]:
    """What the run left: payouts by status, the last confirmation, the books."""
    from django.db import connection
    from django.db.models import Count, Max, Min

    from prakerja.payments import actions as ledger
    from prakerja.payments.models import DisbursementBatch, Entitlement, Payout

    payouts = Payout.objects.filter(batch__public_id=batch)
    times = payouts.aggregate(first_sent=Min("sent_at"), last_confirmed=Max("confirmed_at"))
    paid = ledger.balance_of(ledger.system_account(ledger.INCENTIVES_PAID))
    with connection.cursor() as cursor:
        # From a payout's claim for sending to its confirmation: the poll interval plus any queueing.
        cursor.execute(
            "SELECT percentile_cont(ARRAY[0.5, 0.99, 1.0]) WITHIN GROUP "
            "(ORDER BY extract(epoch FROM confirmed_at - sent_at)) FROM payments_payout p "
            "JOIN payments_disbursementbatch b ON b.id = p.batch_id WHERE b.public_id = %s",
            [batch],
        )
        latency = cursor.fetchone()[0] or []
    return {
        "sent_to_confirmed_s": dict(zip(("p50", "p99", "max"), (round(v, 2) for v in latency), strict=False)),
        "statuses": dict(payouts.values_list("status").annotate(n=Count("id")).values_list("status", "n")),
        "attempts": dict(payouts.values_list("attempts").annotate(n=Count("id")).values_list("attempts", "n")),
        "batch_status": DisbursementBatch.objects.get(public_id=batch).status,
        "entitlements_paid": Entitlement.objects.filter(status=Entitlement.Status.PAID).count(),
        "first_sent": times["first_sent"].timestamp() if times["first_sent"] else None,
        "last_confirmed": times["last_confirmed"].timestamp() if times["last_confirmed"] else None,
        "incentives_paid": paid,
        "ledger_unbalanced": len(ledger.unbalanced_entries()) + len(ledger.verify_balances()),
    }


def run_worker(action: str, args: dict[str, Any]) -> dict[str, Any]:
    import django

    django.setup()
    if action == "setup":
        return _setup(args["people"])
    if action == "prepare":
        return _prepare()
    if action == "check":
        return _check(args["batch"])
    raise SystemExit(f"unknown step {action}")


# --- the bare client of the floor (its own process) -----------------------------------------------------
def floor_client(port: int, start: int, count: int) -> dict[str, Any]:
    """POST a transfer for each of ``count`` new keys, then GET each one's state, as the platform's
    adapter does it (one keep-alive connection, the same headers, JSON parsed). Waits for a line on
    stdin before starting so that both clients' interpreters are up before the clock runs."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    auth = {"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"}
    post_headers = auth | {"Content-Type": "application/json"}
    keys = [f"PKJ-{i:032x}-1" for i in range(start, start + count)]
    print("ready", flush=True)
    sys.stdin.readline()
    outcome: Counter[str] = Counter()
    started = time.perf_counter()
    for i, key in zip(range(start, start + count), keys, strict=True):
        provider, number, holder = account_of(i)
        body = {"idempotency_key": key, "amount": AMOUNT, "provider": provider}
        body |= {"account_number": number, "holder_name": holder}
        conn.request("POST", "/v1/transfers", body=json.dumps(body).encode(), headers=post_headers)
        response = conn.getresponse()
        state = json.loads(response.read())
        outcome[f"POST {response.status} {state.get('status')}"] += 1
    posted = time.perf_counter()
    for key in keys:
        conn.request("GET", "/v1/transfers/" + urllib.parse.quote(key, safe=""), headers=auth)
        response = conn.getresponse()
        state = json.loads(response.read())
        outcome[f"GET {response.status} {state.get('status')}"] += 1
    finished = time.perf_counter()
    conn.close()
    return {"seconds": finished - started, "post_seconds": posted - started, "outcome": dict(outcome)}


# --- the simulator and the parts of the run ---------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_book(path: Path, people: int) -> None:
    accounts = []
    for i in range(people):
        provider, number, holder = account_of(i)
        accounts.append({"provider": provider, "account_number": number, "holder_name": holder})
    path.write_text(json.dumps(accounts))


class Simulator:
    """The gateway simulator in a process of its own (as it would be a server of its own)."""

    def __init__(self, book: Path, processes: list[subprocess.Popen[Any]]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [PYTHON, "-m", "prakerja.payments.gateway_simulator", "--port", str(self.port)]
        command += ["--book", str(book), "--api-key", API_KEY]
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter)
            command, env=environment(""), cwd=ROOT, stdout=subprocess.DEVNULL
        )
        processes.append(self.process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the gateway simulator exited ({self.process.returncode})")
            try:
                self.control("GET", "/_sim/stats")
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the gateway simulator did not start")

    def control(self, method: str, path: str) -> dict[str, Any]:
        data = b"{}" if method == "POST" else None
        request = Request(self.url + path, data=data, method=method, headers={"Content-Type": "application/json"})  # noqa: S310
        with urlopen(request, timeout=60) as response:  # noqa: S310 (our own simulator on loopback)
            return json.loads(response.read())

    def cpu_seconds(self) -> float:
        return process_cpu(self.process.pid)


def children_cpu() -> float:
    """CPU seconds of every child process waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_floor(simulator: Simulator, people: int, processes: list[subprocess.Popen[Any]]) -> dict[str, Any]:
    simulator.control("POST", "/_sim/reset")
    share = -(-people // WORKERS)
    clients = []
    for n in range(WORKERS):
        start, count = n * share, min(share, people - n * share)
        client = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
            [PYTHON, str(Path(__file__).resolve()), "floor-client", str(simulator.port), str(start), str(count)],
            env=environment(""),
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        processes.append(client)
        clients.append(client)
    for client in clients:
        assert client.stdout is not None
        if client.stdout.readline().strip() != "ready":
            raise RuntimeError("a floor client did not start")
    cpu_clients, cpu_simulator = children_cpu(), simulator.cpu_seconds()
    started = time.perf_counter()
    for client in clients:
        assert client.stdin is not None
        client.stdin.write("go\n")
        client.stdin.flush()
    results = []
    for client in clients:
        out, _ = client.communicate(timeout=SEND_TIMEOUT["huge"])
        if client.returncode != 0:
            raise RuntimeError(f"a floor client failed ({client.returncode})")
        results.append(json.loads(out.strip().splitlines()[-1]))
    seconds = time.perf_counter() - started
    cpu_clients, cpu_simulator = children_cpu() - cpu_clients, simulator.cpu_seconds() - cpu_simulator
    stats = simulator.control("GET", "/_sim/stats")
    outcome: Counter[str] = Counter()
    for result in results:
        outcome.update(result["outcome"])
    return {
        "per_second": round(people / seconds, 1),
        "seconds": round(seconds, 2),
        "requests": stats["requests"],
        "requests_per_payout": stats["requests"] / people,
        "outcome": dict(outcome),
        "cpu_ms_per_payout": {
            "clients": round(cpu_clients * 1000 / people, 3),
            "simulator": round(cpu_simulator * 1000 / people, 3),
        },
    }


def _database_counters(database_url: str) -> dict[str, int]:
    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    with connect(database_url) as conn:
        row = conn.execute(
            "SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted FROM pg_stat_database "
            "WHERE datname = %s",
            (name,),
        ).fetchone()
    return dict(zip(("transactions", "rollbacks", "inserted", "updated", "deleted"), row, strict=True))


def measure_platform(
    database_url: str, simulator: Simulator, people: int, size: str, processes: list[subprocess.Popen[Any]]
) -> dict[str, Any]:
    simulator.control("POST", "/_sim/reset")
    time.sleep(1.0)  # the statistics collector flushes at most once a second
    before = _database_counters(database_url)
    log(f"payouts: preparing and approving a batch of {people:,}")
    prepared = worker(database_url, "prepare")
    if prepared["payouts"] != people:
        raise RuntimeError(f"the batch holds {prepared['payouts']:,} payouts, not {people:,}")
    log(f"payouts: prepared in {prepared['prepare_seconds']:.1f} s, approved in {prepared['approve_seconds']:.2f} s")
    command = [PYTHON, "-c", "from prakerja.cli import main; main()", "disburse", "--until-done", "--quiet"]
    budget = SEND_TIMEOUT.get(size, SEND_TIMEOUT["full"])
    command += ["--max-seconds", str(budget)]
    cpu_workers, cpu_simulator = children_cpu(), simulator.cpu_seconds()
    launched = time.perf_counter()
    launched_at = time.time()
    workers = []
    for _ in range(WORKERS):
        process = subprocess.Popen(  # noqa: S603 (our own interpreter)
            command, env=environment(database_url, simulator.url), cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        processes.append(process)
        workers.append(process)
    progress: list[tuple[float, int]] = []
    interval = 2.0 if people <= 10_000 else 10.0
    stopped = False
    # Autovacuum's work meanwhile, as a live server would do it (this machine's has it off: bench/autovacuum.py).
    with Autovacuum(database_url) as vacuum, connect(database_url) as conn:
        while any(w.poll() is None for w in workers):
            if time.perf_counter() - launched > budget and not stopped:
                # --max-seconds is only looked at when a worker finds nothing to do: stop them here.
                log(f"payouts: the time budget ({budget} s) is used up, stopping the workers")
                for process in workers:
                    process.terminate()
                stopped = True
            time.sleep(0.5 if not progress else interval)
            counts = dict(
                conn.execute(
                    "SELECT status, count(*) FROM payments_payout GROUP BY status"  # one batch in the database
                ).fetchall()
            )
            elapsed = time.perf_counter() - launched
            progress.append((round(elapsed, 1), counts.get("confirmed", 0)))
            log(f"payouts: {elapsed:6.1f} s: {counts}")
    finished = time.perf_counter()
    outputs = []
    for process in workers:
        out, _ = process.communicate()
        if process.returncode != 0 and not stopped:
            raise RuntimeError(f"a disbursement worker failed ({process.returncode}): {out[-2000:]}")
        outputs.append(out.strip())
    cpu_workers, cpu_simulator = children_cpu() - cpu_workers, simulator.cpu_seconds() - cpu_simulator
    time.sleep(1.0)
    after = _database_counters(database_url)
    stats = simulator.control("GET", "/_sim/stats")
    check = worker(database_url, "check", batch=prepared["batch"])
    confirmed = check["statuses"].get("confirmed", 0)
    end = check["last_confirmed"] or time.time()
    total = end - prepared["started_at"]
    return prepared | {
        "check": check,
        "confirmed": confirmed,
        "total_seconds": total,
        "per_second": confirmed / total if total > 0 else 0.0,
        # From launching the two workers (their interpreters' start-up included) to the last confirmation.
        "send_seconds": end - launched_at,
        "workers_seconds": finished - launched,
        "requests": stats["requests"],
        "duplicate_sends": stats["duplicate_sends"],
        "gateway_transfers": stats["transfers"],
        "database": {k: after[k] - before[k] for k in after},
        "cpu_ms_per_payout": {
            # the workers' start-up (Django, about a second each) included
            "workers": round(cpu_workers * 1000 / max(confirmed, 1), 3),
            "simulator": round(cpu_simulator * 1000 / max(confirmed, 1), 3),
        },
        "progress": progress,
        "workers": outputs,
        "autovacuum": vacuum.summary(),
    }


def _thin(points: list[tuple[float, int]], most: int) -> list[tuple[float, int]]:
    if len(points) <= most:
        return points
    step = -(-len(points) // most)
    return [*points[:-1:step], points[-1]]


def run(size: str) -> dict[str, Any]:
    people = int(os.environ.get("BENCH_PAYOUTS_PEOPLE") or SIZES.get(size, SIZES["full"]))
    database_url = os.environ.get("BENCH_PAYOUTS_DATABASE_URL") or DEFAULT_URL
    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    if "bench" not in name and os.environ.get("BENCH_ALLOW_RESET") != "1":
        raise SystemExit(f"refusing to empty database {name!r}: its name does not say 'bench'")
    ensure_database(database_url)
    subprocess.run(  # noqa: S603
        [PYTHON, "-c", "from prakerja.cli import main; main()", "migrate", "-v0"],
        env=environment(database_url),
        check=True,
        cwd=ROOT,
    )
    log(f"payouts: {people:,} people with a verified account and a due incentive")
    setup = worker(database_url, "setup", people=people)
    log(f"payouts: set up in {setup['seconds']} s")
    processes: list[subprocess.Popen[Any]] = []
    floors = []
    with tempfile.TemporaryDirectory(prefix="bench-payouts-") as tmp:
        book = Path(tmp) / "book.json"
        write_book(book, people)
        try:
            simulator = Simulator(book, processes)
            # The floor before and after the platform's run, so a neighbour's load on the machine during
            # the run shows as a difference between the two.
            for when in ("before", "after"):
                if when == "after":
                    platform = measure_platform(database_url, simulator, people, size, processes)
                log(f"payouts: floor ({when}), the simulator alone driven by a bare client ({WORKERS} processes)")
                floors.append(measure_floor(simulator, people, processes) | {"when": when})
                log(f"payouts: floor {floors[-1]['per_second']:,.0f} payouts/s ({floors[-1]['requests']:,} requests)")
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    floor = sum(f["per_second"] for f in floors) / len(floors)
    figure = platform["per_second"]
    done = max(platform["confirmed"], 1)  # per-payout figures: of the payouts confirmed (all, unless incomplete)
    check = platform["check"]
    log(
        f"payouts: {platform['confirmed']:,} confirmed in {platform['total_seconds']:.1f} s: {figure:,.0f}/s "
        f"(floor {floor:,.0f}/s); {platform['requests']:,} gateway requests"
    )
    complete = (
        platform["confirmed"] == people
        and check["entitlements_paid"] == people
        and check["incentives_paid"] == people * AMOUNT
        and check["ledger_unbalanced"] == 0
        and platform["duplicate_sends"] == 0
        and platform["gateway_transfers"] == people
    )
    entry: dict[str, Any] = {
        "figure": round(figure, 1),
        "unit": "payouts/s, prepared, approved, sent and confirmed (end to end, 2 worker processes)",
        "floor": round(floor, 1),
        "floor_unit": "payouts/s, the simulator alone, a bare keep-alive client (2 processes, POST + GET each)",
        "ratio": round(figure / floor, 3) if floor else None,
        "size": people,
        "target": None,
        "prepare_seconds": round(platform["prepare_seconds"], 2),
        "approve_seconds": round(platform["approve_seconds"], 3),
        "send_seconds": round(platform["send_seconds"], 2),
        "total_seconds": round(platform["total_seconds"], 2),
        "send_per_second": round(done / platform["send_seconds"], 1) if platform["send_seconds"] > 0 else None,
        "sent_to_confirmed_s": check["sent_to_confirmed_s"],
        "gateway_requests_per_payout": {
            "platform": round(platform["requests"] / done, 3),
            "floor": round(floors[0]["requests_per_payout"], 3),
        },
        "cpu_ms_per_payout": {"platform": platform["cpu_ms_per_payout"], "floor": floors[0]["cpu_ms_per_payout"]},
        "database_per_payout": {k: round(v / done, 2) for k, v in platform["database"].items()},
        "statuses": check["statuses"],
        "attempts": check["attempts"],
        "duplicate_sends": platform["duplicate_sends"],
        # (seconds from launching the workers, payouts confirmed), about 30 points
        "progress_confirmed": _thin(platform["progress"], 30),
        "floor_runs": [{k: v for k, v in f.items() if k != "cpu_ms_per_payout"} for f in floors],
        "workers": WORKERS,
        "poll_seconds": POLL_SECONDS,
        "setup_seconds": setup["seconds"],
        "autovacuum": {k: v for k, v in platform["autovacuum"].items() if k != "runs"},
    }
    if not complete:
        entry["incomplete"] = True
        entry["check"] = check
    return {"machine": database_info(database_url), "payouts": entry}


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "worker":
        print(json.dumps(run_worker(sys.argv[2], json.loads(sys.argv[3]) if len(sys.argv) > 3 else {})))
    elif len(sys.argv) == 5 and sys.argv[1] == "floor-client":
        print(json.dumps(floor_client(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
    else:
        print(json.dumps(run(os.environ.get("BENCH_SIZE", "full")), indent=2))
