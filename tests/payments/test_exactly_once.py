"""Exactly once at scale: thousands of payouts through the gateway simulator with every kind of fault,
sent by real ``prakerja disburse`` worker processes running side by side — and one of them killed
mid-run. Whatever happens, every account is credited exactly once (or, when the bank refuses it, not
at all), no payout is lost, and the ledger balances to the rupiah.

PostgreSQL only: the workers are separate processes sharing the test database, which needs row locks
(``SELECT … FOR UPDATE SKIP LOCKED``) and committed data (hence transactional tests). The gateway's
callbacks reach the real callback endpoint through pytest-django's live server in this process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Count

from prakerja.accounts.models import User
from prakerja.core.models import AuditEvent
from prakerja.core.program import change_setting
from prakerja.payments import actions as ledger
from prakerja.payments import disbursement
from prakerja.payments.gateway_simulator import Faults, SimulatorServer, start_simulator
from prakerja.payments.models import (
    DisbursementBatch,
    Entitlement,
    JournalEntry,
    Payout,
    PayoutAccount,
)
from prakerja.registry.models import Person

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="worker processes share the database: needs PostgreSQL row locks (SELECT … FOR UPDATE SKIP LOCKED)",
    ),
]

AMOUNT = 600_000
REJECT_EVERY = 100  # ~1% of the accounts: the bank refuses to credit them
WORKER_SECONDS = 600
DUMMY_TASKS = "django_tasks.backends.dummy.DummyBackend"
PRAKERJA = Path(sys.executable).with_name("prakerja")  # the console script of this virtualenv
HOME = Path(__file__).resolve().parents[2]
# Commits need not wait for the disk: workers get killed here, never the database server; and a commit
# waiting for fsync holds the ledger's row locks (which every confirmation takes) the longer.
NO_FSYNC_WAIT = "-c synchronous_commit=off"

# ~10% of the requests meet a fault, of every kind the simulator has.
HEAVY = Faults(
    seed=20240501,
    server_error=0.02,
    timeout_after_success=0.02,
    slow=0.02,
    duplicate_callback=0.02,
    out_of_order_callback=0.02,
    slow_seconds=0.05,
    timeout_seconds=1.0,
)
LIGHT = Faults(
    seed=20240502,
    server_error=0.01,
    timeout_after_success=0.01,
    slow=0.01,
    duplicate_callback=0.01,
    out_of_order_callback=0.01,
    slow_seconds=0.05,
    timeout_seconds=1.0,
)


# --- fixtures and set-up ----------------------------------------------------------------------------------
@dataclass
class Rig:
    """The simulated gateway, and how worker processes are started against it and the test database."""

    server: SimulatorServer
    env: dict[str, str]
    logs: Path

    def start_worker(self, name: str) -> subprocess.Popen:
        with open(self.logs / f"worker-{name}.log", "wb") as out:  # the child keeps its own descriptor
            return subprocess.Popen(
                [str(PRAKERJA), "disburse", "--until-done", "--max-seconds", str(WORKER_SECONDS), "--quiet"],
                env=self.env,
                cwd=HOME,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def worker_output(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.logs.glob("worker-*.log")))

    def wait_for(self, workers: list[subprocess.Popen], timeout: float = WORKER_SECONDS + 30) -> None:
        deadline = time.monotonic() + timeout
        try:
            for worker in workers:
                worker.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pytest.fail(f"the workers did not finish within {timeout:.0f} s\n{self.worker_output()}")
        finally:
            kill_all(workers)
        codes = [worker.returncode for worker in workers]
        assert codes == [0] * len(workers), f"worker exit codes {codes}\n{self.worker_output()}"

    def quiet_callbacks(self, still: float = 1.0, timeout: float = 180) -> None:
        """Let the late callbacks (duplicates, stale copies) arrive, then stop the simulator: the checks
        must see what they did, and nothing may change under the checks. Quiet means none is queued or
        being delivered, and the counts held still for a moment (a settling transfer may queue one more);
        on a loaded machine a delivery can take longer than that moment, hence the pending count."""
        deadline = time.monotonic() + timeout
        seen, since = None, time.monotonic()
        while time.monotonic() < deadline:
            stats = self.server.simulator.stats()
            now = (stats["callbacks_delivered"], stats["callbacks_failed"], stats["callbacks_pending"])
            if now != seen:
                seen, since = now, time.monotonic()
            elif stats["callbacks_pending"] == 0 and time.monotonic() - since >= still:
                break
            time.sleep(0.1)
        self.server.stop()


def kill_all(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)


@pytest.fixture
def rig(settings, live_server, tmp_path, monkeypatch):
    """The simulator (faults set by the test) sending callbacks to the live server, and the environment
    of the worker processes: the test database, the simulator, no task run inline."""
    # This process only receives callbacks: its notifications (and the disburse task enqueued on
    # approval) must not run here inline, nor in the workers.
    settings.TASKS = {"default": {"BACKEND": DUMMY_TASKS}}
    monkeypatch.setenv("PGOPTIONS", NO_FSYNC_WAIT)  # the live server's connections, opened per callback
    server = start_simulator(api_key="sim-key", callback_secret=settings.PAYMENT_GATEWAY_CALLBACK_SECRET)
    db = connection.settings_dict  # the test database (test_prakerja, or test_prakerja_gw0 under xdist)
    credentials = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    env = os.environ | {
        "DATABASE_URL": f"postgresql://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "PGOPTIONS": NO_FSYNC_WAIT,
        "PRAKERJA_ENV": "test",
        "PRAKERJA_HOME": str(HOME),
        "PAYMENT_GATEWAY_URL": server.url,
        "PAYMENT_GATEWAY_KEY": "sim-key",
        "PAYMENT_GATEWAY_TIMEOUT": "0.5",
        "PAYMENT_CALLBACK_BASE_URL": live_server.url,
        "TASKS_BACKEND": DUMMY_TASKS,
        "PRAKERJA_OUTBOX": str(tmp_path / "outbox"),
        "LOG_LEVEL": "WARNING",
    }
    # Fast retries: a second before a sent payout is asked about, backoff from 0.2 s up to 2 s.
    change_setting("payout_poll_seconds", 1)
    change_setting("payout_retry_seconds", 0.2)
    change_setting("payout_retry_max_seconds", 2)
    change_setting("payout_max_attempts", 50)
    yield Rig(server, env, tmp_path)
    server.stop()


def bulk_entitlements(server: SimulatorServer, count: int) -> set[str]:
    """``count`` participants, each with a verified BCA account (also opened at the simulated bank) and a
    due post-training incentive — bulk inserts, done in seconds. Returns the ``bca:<number>`` of the accounts
    the bank refuses (every REJECT_EVERY-th: they passed the ownership check, then the bank blocked them)."""
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(email=f"penerima{i}@contoh.id", role=User.Role.PARTICIPANT, password=unusable) for i in range(count)],
        batch_size=2000,
    )
    people = Person.objects.bulk_create(
        [Person(user=u, nik=f"{3273010000000000 + i}", full_name=f"Penerima Uji {i}") for i, u in enumerate(users)],
        batch_size=2000,
    )
    accounts = PayoutAccount.objects.bulk_create(
        [
            PayoutAccount(
                person=person,
                provider_id="bca",
                account_number=f"{7_000_000_000 + i}",
                holder_name=person.full_name.upper(),
                status=PayoutAccount.Status.VERIFIED,
            )
            for i, person in enumerate(people)
        ],
        batch_size=2000,
    )
    Entitlement.objects.bulk_create(
        [
            Entitlement(
                person=person,
                kind=Entitlement.Kind.TRAINING,
                sequence=1,
                amount=AMOUNT,
                status=Entitlement.Status.DUE,
                source=f"purchase:bulk-{i}",
            )
            for i, person in enumerate(people)
        ],
        batch_size=2000,
    )
    # The liability: the setup books in one entry what grant() books one by one.
    ledger.transfer(
        source=ledger.system_account(ledger.STATE_FUNDING),
        destination=ledger.system_account(ledger.INCENTIVES_PAYABLE),
        amount=count * AMOUNT,
        kind="incentive_earned",
        idempotency_key=f"incentive:bulk:{count}",
        memo=f"{count} post-training incentives",
    )
    book = [
        {
            "provider": "bca",
            "account_number": account.account_number,
            "holder_name": account.holder_name,
            "holder_nik": person.nik,
            "reject": i % REJECT_EVERY == 0,
        }
        for i, (account, person) in enumerate(zip(accounts, people, strict=True))
    ]
    server.simulator.add_accounts(book)
    return {f"bca:{a['account_number']}" for a in book if a["reject"]}


def approved_batch(officers) -> DisbursementBatch:
    maker, checker = officers
    batch = disbursement.prepare_batch(actor=maker)
    return disbursement.approve_batch(batch.public_id, actor=checker)


def status_counts() -> dict[str, int]:
    return dict(Payout.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))


def summary_line(label: str, started: float, stats: dict[str, Any]) -> str:
    attempts = dict(sorted(Counter(Payout.objects.values_list("attempts", flat=True)).items()))
    confirmed_via = Counter(
        AuditEvent.objects.filter(action="payout.confirmed").values_list("after__via", flat=True)
    ).most_common()
    keep = ("transfers", "requests", "duplicate_sends", "callbacks_delivered", "callbacks_failed")
    return (
        f"{label}: {time.monotonic() - started:.1f} s; payouts {status_counts()}; attempts {attempts}; "
        f"confirmed via {dict(confirmed_via)}; gateway { {k: stats[k] for k in keep} }"
    )


# --- what "exactly once, none lost, ledger balanced" means -----------------------------------------------
def assert_paid_exactly_once(rig: Rig, count: int, rejected: set[str]) -> dict[str, Any]:
    """Every check of the issue; returns the gateway's stats."""
    rig.quiet_callbacks()
    stats = rig.server.simulator.stats()
    paid = count - len(rejected)
    accounts = {f"bca:{number}" for number in PayoutAccount.objects.values_list("account_number", flat=True)}
    assert len(accounts) == count

    # The bank: one transfer per idempotency key; every accepted account credited exactly once, no other.
    assert stats["transfers"] == count
    assert stats["by_status"] == {"success": paid, "failed": len(rejected)}
    assert stats["credited"] == dict.fromkeys(accounts - rejected, AMOUNT)

    # The platform: every payout finished, as the bank says; the refused ones wait for another account.
    assert Payout.objects.count() == count
    assert not Payout.objects.filter(status__in=Payout.OPEN).exists()
    assert status_counts() == {Payout.Status.CONFIRMED: paid, Payout.Status.FAILED: len(rejected)}
    failed = Payout.objects.filter(status=Payout.Status.FAILED)
    assert {f"bca:{p.account_number}" for p in failed} == rejected
    assert set(failed.values_list("failure_code", flat=True)) == {"ACCOUNT_REJECTED"}
    assert set(failed.values_list("entitlement__status", flat=True)) == {Entitlement.Status.AWAITING_ACCOUNT}
    refused = PayoutAccount.objects.filter(status=PayoutAccount.Status.REJECTED)
    assert {f"bca:{a.account_number}" for a in refused} == rejected
    assert set(refused.values_list("rejected_reason", flat=True)) == {"ACCOUNT_REJECTED"}
    assert Entitlement.objects.filter(status=Entitlement.Status.PAID).count() == paid
    assert Entitlement.objects.filter(status=Entitlement.Status.AWAITING_ACCOUNT).count() == len(rejected)
    confirmations = Counter(AuditEvent.objects.filter(action="payout.confirmed").values_list("object_id", flat=True))
    assert len(confirmations) == paid and set(confirmations.values()) == {1}

    # The ledger: balanced, within signs, caches true; exactly one entry per confirmed payout, none for the rest.
    assert ledger.journal_total() == 0
    assert ledger.sign_violations() == []
    assert ledger.verify_balances() == []
    assert ledger.system_account(ledger.INCENTIVES_PAID).balance == paid * AMOUNT
    assert ledger.system_account(ledger.INCENTIVES_PAYABLE).balance == len(rejected) * AMOUNT
    assert ledger.system_account(ledger.STATE_FUNDING).balance == -count * AMOUNT
    entries = Counter(JournalEntry.objects.filter(idempotency_key__startswith="payout:").values_list("kind", flat=True))
    assert entries == {"incentive_paid": paid}
    confirmed_keys = {
        f"payout:{key}:confirmed"
        for key in Payout.objects.filter(status=Payout.Status.CONFIRMED).values_list("idempotency_key", flat=True)
    }
    paid_entries = JournalEntry.objects.filter(kind="incentive_paid").values_list("idempotency_key", flat=True)
    assert set(paid_entries) == confirmed_keys

    # The batch is done: the workers closed it (they look for open payouts before closing finished batches).
    assert set(DisbursementBatch.objects.values_list("status", flat=True)) == {DisbursementBatch.Status.DONE}
    return stats


# --- the tests ----------------------------------------------------------------------------------------------
def test_ten_thousand_payouts_two_workers_every_fault_paid_exactly_once(rig, officers):
    count = 10_000
    rig.server.simulator.set_faults(HEAVY)
    started = time.monotonic()
    rejected = bulk_entitlements(rig.server, count)
    batch = approved_batch(officers)
    assert (batch.payout_count, batch.total_amount) == (count, count * AMOUNT)
    assert len(rejected) == count // REJECT_EVERY
    set_up = time.monotonic() - started

    rig.wait_for([rig.start_worker("a"), rig.start_worker("b")])

    stats = assert_paid_exactly_once(rig, count, rejected)
    # The faults really happened, so the run cannot pass vacuously: sends answered 503 were sent again
    # (same key), and callbacks came twice or stale.
    assert Payout.objects.filter(attempts__gt=1).count() > count * HEAVY.server_error / 2
    assert stats["callbacks_delivered"] > count + count * HEAVY.duplicate_callback / 2
    label = f"exactly once, {count:,} payouts, 2 workers (set-up {set_up:.1f} s)"
    print(f"\n{summary_line(label, started, stats)}")


def test_worker_killed_mid_run_then_restarted_pays_the_same(rig, officers):
    count = 2_000
    rig.server.simulator.set_faults(LIGHT)
    started = time.monotonic()
    rejected = bulk_entitlements(rig.server, count)
    approved_batch(officers)

    first = rig.start_worker("first")
    try:
        deadline = time.monotonic() + WORKER_SECONDS
        while Payout.objects.filter(status=Payout.Status.CONFIRMED).count() < count // 4:
            assert first.poll() is None, f"the worker finished before it could be killed\n{rig.worker_output()}"
            assert time.monotonic() < deadline, f"no progress\n{rig.worker_output()}"
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        kill_all([first])
    assert first.returncode == -signal.SIGKILL
    at_kill = status_counts()
    assert Payout.objects.filter(status__in=Payout.OPEN).exists(), at_kill

    rig.wait_for([rig.start_worker("again-a"), rig.start_worker("again-b")])

    stats = assert_paid_exactly_once(rig, count, rejected)
    label = f"{count:,} payouts, the worker killed at {at_kill}, then 2 workers"
    print(f"\n{summary_line(label, started, stats)}")
