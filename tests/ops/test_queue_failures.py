"""An action that committed answers as it did, even when its task cannot be queued (core/queue.py).

The queue (Redis, or the database's task table) can be unreachable at the moment an action's transaction
commits. The action happened: the officer's reply is saved, the bank's status is booked, the batch is
approved. Before core.queue these actions raised from their on-commit enqueue, so the officer got an
error page for a reply that was sent, and the bank's callback got a 500 for a payment that was booked.
These tests hold that the person (or the bank) gets the normal answer, that what they did is stored,
and that the failure is left for the operator: one log line naming the task and its ids, and one more
in ``prakerja_task_enqueue_failures_total`` on /metrics.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django_tasks import task_backends
from django_tasks.backends.dummy import DummyBackend
from prometheus_client.parser import text_string_to_metric_families

from market import CLOSES, NAMED, OPENS, client_for
from payouts import book_account, post_callback, trained_recipients
from prakerja.accounts.models import User
from prakerja.batches import actions as batches
from prakerja.batches.models import Application, Batch, Recipient
from prakerja.complaints.models import Complaint, ComplaintMessage
from prakerja.core import outbox
from prakerja.core.errors import DomainError
from prakerja.core.models import AuditEvent
from prakerja.payments import actions as ledger
from prakerja.payments import disbursement
from prakerja.payments.models import DisbursementBatch, Payout
from staff import log_in_staff, make_staff

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REPORT = {
    "category": "nik_registered",
    "subject": "NIK saya dipakai akun lain",
    "description": "Saat mendaftar muncul pesan NIK sudah terdaftar, padahal saya belum pernah mendaftar.",
    "name": "Budi Santoso",
    "email": "budi.pelapor@contoh.id",
    "phone": "081377778888",
    "regency_code": "3273",
}


class UnreachableQueue(DummyBackend):
    """A task backend whose broker cannot be reached (Redis down, say)."""

    def enqueue(self, task, args, kwargs):
        raise ConnectionError("queue unreachable")


@pytest.fixture
def queue_down(settings, caplog):
    """Call it to make the queue unreachable from then on; the failures' log lines land in ``caplog``."""
    caplog.set_level(logging.ERROR, logger="prakerja.core.queue")

    def take_down() -> None:
        settings.TASKS = {"default": {"BACKEND": f"{__name__}.UnreachableQueue"}}

    return take_down


def enqueue_failures(task: str) -> float:
    """``prakerja_task_enqueue_failures_total{task=...}`` as a scrape of /metrics reads it."""
    response = Client().get("/metrics")
    assert response.status_code == 200
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            if sample.name == "prakerja_task_enqueue_failures_total" and sample.labels == {"task": task}:
                return sample.value
    return 0.0


def not_queued(caplog, task_path: str, *args: object) -> bool:
    return f"task {task_path}{args!r} could not be queued after its commit" in caplog.messages


def staff(role: str, email: str) -> Client:
    return log_in_staff(Client(), make_staff(role, email))


# Committed for real, as in production: the queue is called inside the officer's request.
@pytest.mark.django_db(transaction=True)
def test_a_support_reply_is_sent_and_kept_while_the_queue_is_down(settings, tmp_path, queue_down, caplog):
    settings.COMPLAINT_FILES_DIR = tmp_path / "private-complaints"
    reporter = Client()
    assert reporter.post("/pengaduan/baru/", REPORT).status_code == 302
    complaint = Complaint.objects.get()
    desk = staff("pmo_support", "cs@prakerja.test")
    before = enqueue_failures("notify_reporter")
    queue_down()

    answer = desk.post(
        f"/pmo/pengaduan/{complaint.public_id}/balas/",
        {"body": "Mohon kirim foto KTP Anda.", "attachments": [SimpleUploadedFile("surat.pdf", PDF)]},
    )

    assert answer.status_code == 302 and answer["Location"] == f"/pmo/pengaduan/{complaint.public_id}/"
    assert "Balasan terkirim ke pelapor." in desk.get(answer["Location"]).content.decode()
    reply = ComplaintMessage.objects.get(complaint=complaint, kind="reply")
    assert "Mohon kirim foto KTP Anda." in reporter.get(f"/pengaduan/tiket/{complaint.public_id}/").content.decode()
    # The attachment stayed on disk with its row (a failure after the commit must not discard the stored files).
    [attachment] = reply.attachments.all()
    download = desk.get(f"/pengaduan/lampiran/{attachment.public_id}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert not [m for m in outbox.messages_for(REPORT["email"], "email") if "balasan petugas" in m]  # not sent
    assert not_queued(caplog, "prakerja.complaints.tasks.notify_reporter", reply.pk)
    assert enqueue_failures("notify_reporter") == before + 1


@pytest.mark.django_db
def test_a_dashboard_refresh_is_accepted_and_audited_while_the_queue_is_down(
    staff_client, queue_down, caplog, django_capture_on_commit_callbacks
):
    pmo = staff_client("pmo_selection")
    before = enqueue_failures("refresh_aggregates_task")
    queue_down()

    with django_capture_on_commit_callbacks(execute=True):
        done = pmo.post("/pemantauan/segarkan")

    assert done.status_code == 302
    assert "Penghitungan ulang angka telah dijadwalkan" in pmo.get(done["Location"]).content.decode()
    assert AuditEvent.objects.filter(action="reports.refresh_requested").count() == 1
    assert not_queued(caplog, "prakerja.reports.tasks.refresh_aggregates_task")
    assert enqueue_failures("refresh_aggregates_task") == before + 1


@pytest.mark.django_db
def test_the_banks_callback_is_answered_and_the_payment_booked_while_the_queue_is_down(
    frozen_clock, provider, gateway_sim, officers, queue_down, caplog, django_capture_on_commit_callbacks
):
    trained = trained_recipients(frozen_clock, provider, 1, seed=531)[0]
    me = client_for(trained.user)
    assert me.put("/me/payout-account", book_account(gateway_sim, trained.person)).status_code == 200
    maker, checker = officers
    disbursement.approve_batch(disbursement.prepare_batch(actor=maker).public_id, actor=checker)
    payout = Payout.objects.get()
    before = enqueue_failures("notify_payouts")
    queue_down()

    report = {"transfer_id": "TRF0001", "idempotency_key": payout.idempotency_key, "amount": payout.amount}
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_callback(report | {"status": "success", "failure_code": None, "event_seq": 2})

    # A 200, so the bank does not retry a status that is booked; the money is where it should be.
    assert answer.status_code == 200 and answer.json() == {"received": True, "known": True}
    payout.refresh_from_db()
    assert payout.status == "confirmed" and payout.transfer_id == "TRF0001"
    assert ledger.system_account(ledger.INCENTIVES_PAYABLE).balance == 0
    assert ledger.system_account(ledger.INCENTIVES_PAID).balance == 600_000
    assert ledger.verify_balances() == []
    assert me.get("/me/payments").json()["total_paid"] == 600_000
    assert not_queued(caplog, "prakerja.payments.tasks.notify_payouts", [payout.pk])
    assert enqueue_failures("notify_payouts") == before + 1


@pytest.mark.django_db
def test_an_approval_stands_while_the_queue_is_down_and_the_next_run_pays_it(
    frozen_clock, provider, gateway_sim, quick_payouts, officers, queue_down, caplog, django_capture_on_commit_callbacks
):
    trained = trained_recipients(frozen_clock, provider, 1, seed=532)[0]
    saved = client_for(trained.user).put("/me/payout-account", book_account(gateway_sim, trained.person))
    assert saved.status_code == 200
    maker, checker = officers
    batch = disbursement.prepare_batch(actor=maker)
    page = log_in_staff(Client(), checker)
    before = enqueue_failures("disburse_task")
    queue_down()

    with django_capture_on_commit_callbacks(execute=True):
        approved = page.post(f"/pmo/pencairan/{batch.public_id}/")

    assert approved.status_code == 302
    assert "Batch disetujui" in page.get(approved["Location"]).content.decode()
    batch.refresh_from_db()
    assert batch.status == "approved" and batch.approved_by == checker
    assert not_queued(caplog, "prakerja.payments.tasks.disburse_task")
    assert enqueue_failures("disburse_task") == before + 1
    # The lost kick is not a lost payment: the periodic run sends what was approved.
    disbursement.disburse(until_done=True, max_seconds=10)
    assert DisbursementBatch.objects.get().status == "done"
    assert gateway_sim.simulator.stats()["credited"] == {"bca:1234567890": 600_000}


@pytest.mark.django_db
def test_an_announcement_names_the_recipients_while_the_queue_is_down(
    frozen_clock, staff_client, queue_down, caplog, django_capture_on_commit_callbacks
):
    frozen_clock(OPENS)
    call_command("generate_population", "--people", "8", "--seed", "533", stdout=io.StringIO())
    batches.create_batch(number=1, quota=3, opens_at=OPENS, closes_at=CLOSES)
    batches.open_batch(1)
    for user in User.objects.filter(email__endswith="@population.prakerja.test"):
        with contextlib.suppress(DomainError):  # the generator makes a few people too old to apply
            batches.apply(user, 1)
    frozen_clock(CLOSES + dt.timedelta(hours=1))
    batches.close_batch(1)
    batches.select_batch(1)
    frozen_clock(NAMED)
    pmo = staff_client("pmo_selection")
    before = enqueue_failures("notify_results")
    queue_down()

    with django_capture_on_commit_callbacks(execute=True):
        done = pmo.post("/pmo/gelombang/1/", {"step": "announce"})

    assert done.status_code == 302
    assert "Langkah berhasil: announce." in pmo.get(done["Location"]).content.decode()
    assert Batch.objects.get(number=1).status == "announced"
    # Nobody is emailed their result, but each one reads it on their page.
    [chosen, *_] = Recipient.objects.select_related("person__user")
    assert Recipient.objects.count() == 3
    result = Client()
    result.force_login(chosen.person.user)
    assert 'data-result="selected"' in result.get("/gelombang/1/hasil/").content.decode()
    applications = list(Application.objects.filter(batch__number=1).order_by("id").values_list("id", flat=True))
    assert not_queued(caplog, "prakerja.batches.tasks.notify_results", applications)
    assert enqueue_failures("notify_results") == before + 1


class RefusesTheRefresh(DummyBackend):
    """A queue that refuses one task (its broker timed out on it) and takes the others."""

    def enqueue(self, task, args, kwargs):
        if task.name == "refresh_aggregates_task":
            raise ConnectionError("queue unreachable")
        return super().enqueue(task, args, kwargs)


def test_periodic_queues_the_other_tasks_when_one_is_refused_and_says_so(settings):
    settings.TASKS = {"default": {"BACKEND": f"{__name__}.RefusesTheRefresh"}}
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 of 9 periodic tasks could not be queued"):
        call_command("periodic", stdout=out, stderr=err)
    assert "prakerja.reports.tasks.refresh_aggregates_task: NOT QUEUED (ConnectionError" in err.getvalue()
    # The refused task did not stop the run: every other one was queued.
    queued = {result.task.module_path for result in task_backends["default"].results}
    assert len(queued) == 8 and "prakerja.reports.tasks.refresh_aggregates_task" not in queued
    assert "prakerja.complaints.tasks.run_sla_task" in queued and "prakerja.payments.tasks.disburse_task" in queued
