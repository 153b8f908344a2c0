"""What happens around a payout: signed callbacks (duplicated, out of order, forged), a bank that
rejects or returns a transfer, reconciliation with the daily statement, surveys and their
incentives, and clawback from a recipient found ineligible."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import codes
from market import client_for
from payouts import book_account, post_callback, trained_recipients
from prakerja.core.errors import DomainError
from prakerja.payments import actions as ledger
from prakerja.payments import disbursement, reconciliation
from prakerja.payments.models import Clawback, Entitlement, JournalEntry, Mismatch, Payout, PayoutAccount
from prakerja.surveys import actions as surveys
from prakerja.surveys.models import SurveyInvitation

pytestmark = pytest.mark.django_db


def paid_account(me, gateway_sim, trained, **extra):
    saved = me.put("/me/payout-account", book_account(gateway_sim, trained.person, **extra))
    assert saved.status_code == 200, saved.content


def approved_batch(officers):
    maker, checker = officers
    batch = disbursement.prepare_batch(actor=maker)
    return disbursement.approve_batch(batch.public_id, actor=checker)


def test_callbacks_duplicated_out_of_order_or_forged_never_pay_twice(frozen_clock, provider, gateway_sim, officers):
    trained = trained_recipients(frozen_clock, provider, 1, seed=511)[0]
    paid_account(client_for(trained.user), gateway_sim, trained)
    approved_batch(officers)
    payout = Payout.objects.get()
    report = {
        "transfer_id": "TRF0001",
        "idempotency_key": payout.idempotency_key,
        "amount": payout.amount,
        "status": "success",
        "failure_code": None,
        "event_seq": 2,
    }
    assert post_callback(report, signature="0" * 40).status_code == 401
    assert Payout.objects.get().status == "due"
    assert post_callback(report).status_code == 200
    assert post_callback(report).status_code == 200  # duplicate
    stale = post_callback(report | {"status": "processing", "event_seq": 1})  # older news arriving late
    assert stale.status_code == 200
    payout.refresh_from_db()
    assert payout.status == "confirmed" and payout.gateway_seq == 2
    assert JournalEntry.objects.filter(idempotency_key__startswith=f"payout:{payout.idempotency_key}").count() == 1
    assert ledger.system_account(ledger.INCENTIVES_PAID).balance == 600_000
    unknown = post_callback(report | {"idempotency_key": "PKJ-unknown-1"})
    assert unknown.status_code == 200 and unknown.json()["known"] is False
    assert post_callback({"nonsense": True}).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_real_callbacks_from_the_simulator_confirm_without_polling(
    frozen_clock, provider, gateway_sim, officers, live_server, settings
):
    """Approval sends at once (a background task); the simulator then posts its result to the
    platform's real HTTP endpoint — no poll is due for minutes."""
    import time

    trained = trained_recipients(frozen_clock, provider, 1, seed=512)[0]
    paid_account(client_for(trained.user), gateway_sim, trained)
    settings.PAYMENT_CALLBACK_BASE_URL = live_server.url
    # The bank's callback waits until this thread is done with the database: on SQLite the live
    # server shares this thread's in-memory connection, so the two must never query at once.
    gateway_sim.simulator.hold_callbacks()
    approved_batch(officers)
    assert Payout.objects.get().status in ("sent", "confirmed")
    gateway_sim.simulator.release_callbacks()

    deadline = time.monotonic() + 10  # the simulator counts a callback once our endpoint has answered it
    while gateway_sim.simulator.stats()["callbacks_delivered"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gateway_sim.simulator.stats()["callbacks_delivered"] == 1
    assert Payout.objects.get().status == "confirmed"


def test_rejected_then_returned_account_pays_once_to_the_new_account(
    frozen_clock, provider, gateway_sim, quick_payouts, officers
):
    trained = trained_recipients(frozen_clock, provider, 1, seed=513)[0]
    me = client_for(trained.user)
    paid_account(me, gateway_sim, trained)
    # The bank closes the account after it was verified: the transfer is rejected.
    book_account(gateway_sim, trained.person, reject=True)
    approved_batch(officers)
    assert disbursement.disburse(until_done=True, max_seconds=10).by_status == {"failed": 1}
    first = Payout.objects.get()
    assert first.failure_code == "ACCOUNT_REJECTED"
    assert Entitlement.objects.get().status == "awaiting_account"
    assert PayoutAccount.objects.get().status == "rejected"
    assert me.get("/me/payments").json()["payout_account"]["status"] == "rejected"

    paid_account(me, gateway_sim, trained, provider="bni", number="0987654321")
    approved_batch(officers)
    disbursement.disburse(until_done=True, max_seconds=10)
    second = Payout.objects.exclude(pk=first.pk).get()
    assert second.status == "confirmed" and second.idempotency_key.endswith("-2")
    assert gateway_sim.simulator.stats()["credited"] == {"bni:0987654321": 600_000}

    # Later the bank returns the money (account closed): the books reverse; the incentive is owed again.
    gateway_sim.simulator.return_transfer(second.idempotency_key)
    Payout.objects.filter(pk=second.pk).update(next_attempt_at=second.confirmed_at)
    transfer = disbursement.gateway().status(second.idempotency_key)
    disbursement.apply_report(transfer, via="poll")
    second.refresh_from_db()
    assert second.status == "returned"
    assert Entitlement.objects.get().status == "awaiting_account"
    assert ledger.system_account(ledger.INCENTIVES_PAID).balance == 0
    assert ledger.system_account(ledger.INCENTIVES_PAYABLE).balance == 600_000
    assert ledger.journal_total() == 0 and ledger.sign_violations() == []


def test_reconciliation_flags_every_kind_of_difference(frozen_clock, provider, gateway_sim, quick_payouts, officers):
    people = trained_recipients(frozen_clock, provider, 3, seed=514)
    for n, trained in enumerate(people):
        paid_account(client_for(trained.user), gateway_sim, trained, number=f"100000000{n}")
    approved_batch(officers)
    disbursement.disburse(until_done=True, max_seconds=10)
    payouts = list(Payout.objects.order_by("id"))
    assert {p.status for p in payouts} == {"confirmed"}
    # The gateway's own statement of the day matches the books exactly.
    day = payouts[0].confirmed_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    clean = reconciliation.fetch_and_import(day)
    assert (clean.rows, clean.matched, clean.mismatches.count()) == (len(payouts), len(payouts), 0)

    # A statement that disagrees: one line missing, one amount changed, one unknown transfer; and one
    # payout the books still think is in flight although the bank paid it.
    Payout.objects.filter(pk=payouts[2].pk).update(status="sent")
    lines = [
        "transfer_id,idempotency_key,amount,status,settled_at",
        f"T1,{payouts[1].idempotency_key},601000,success,2026-07-20T03:00:00Z",
        f"T2,{payouts[2].idempotency_key},600000,success,2026-07-20T03:00:00Z",
        "T3,PKJ-not-ours-1,600000,success,2026-07-20T03:00:00Z",
    ]
    statement = reconciliation.import_statement(day, "\n".join(lines).encode())
    found = {(m.kind, m.idempotency_key) for m in statement.mismatches.all()}
    assert found == {
        ("confirmed_not_in_statement", payouts[0].idempotency_key),
        ("amount_differs", payouts[1].idempotency_key),
        ("paid_not_confirmed", payouts[2].idempotency_key),
        ("unknown_transfer", "PKJ-not-ours-1"),
    }
    # Importing again does not duplicate open mismatches.
    assert reconciliation.import_statement(day, "\n".join(lines).encode()).mismatches.count() == 0

    with pytest.raises(DomainError) as bad:
        reconciliation.import_statement(day, b"idempotency_key,amount\nPKJ-1,abc\n")
    assert bad.value.codes == ["STATEMENT_INVALID"]

    # Resolving "paid but not confirmed" asks the gateway first and applies its answer.
    Payout.objects.filter(pk=payouts[2].pk).update(status="sent", gateway_seq=0)
    mismatch = Mismatch.objects.get(kind="paid_not_confirmed")
    with pytest.raises(DomainError) as short:
        reconciliation.resolve(mismatch.public_id, "ok", actor=officers[0])
    assert short.value.codes == ["RESOLUTION_REQUIRED"]
    reconciliation.resolve(mismatch.public_id, "Callback hilang; status dari gateway.", actor=officers[0], recheck=True)
    assert Payout.objects.get(pk=payouts[2].pk).status == "confirmed"
    with pytest.raises(DomainError) as again:
        reconciliation.resolve(mismatch.public_id, "Callback hilang; status dari gateway.", actor=officers[0])
    assert again.value.codes == ["MISMATCH_RESOLVED"]


def test_surveys_30_and_90_days_after_completion_earn_two_survey_incentives(
    frozen_clock, provider, django_capture_on_commit_callbacks
):
    from prakerja.core import clock, outbox

    trained = trained_recipients(frozen_clock, provider, 1, seed=515)[0]
    me = client_for(trained.user)
    completed = trained.person.purchases.get().completed_at
    frozen_clock(completed + dt.timedelta(days=29))
    assert surveys.send_due_surveys() == 0
    frozen_clock(completed + dt.timedelta(days=30, minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert surveys.send_due_surveys() == 1
    assert surveys.send_due_surveys() == 0  # idempotent
    assert any("/survei/" in m for m in outbox.messages_for(trained.user.phone, "sms"))
    me = client_for(trained.user)  # a fresh token: a month has passed
    first = me.get("/me/surveys").json()
    assert [(s["sequence"], s["days_after"], s["answered_at"]) for s in first] == [(1, 30, None)]
    assert codes(me.post(f"/me/surveys/{first[0]['id']}", {"outcome": "rich"})) == ["OUTCOME_INVALID"]
    assert me.post(f"/me/surveys/{first[0]['id']}", {"outcome": "working"}).status_code == 200
    assert codes(me.post(f"/me/surveys/{first[0]['id']}", {"outcome": "working"})) == ["SURVEY_ALREADY_ANSWERED"]
    assert codes(me.post("/me/surveys/00000000-0000-0000-0000-000000000000", {"outcome": "working"})) == [
        "SURVEY_NOT_FOUND"
    ]

    frozen_clock(completed + dt.timedelta(days=91))
    me = client_for(trained.user)
    assert surveys.send_due_surveys() == 1
    second = SurveyInvitation.objects.get(sequence=2)
    assert me.post(f"/me/surveys/{second.public_id}", {"outcome": "business"}).status_code == 200
    frozen_clock(completed + dt.timedelta(days=400))
    assert surveys.send_due_surveys() == 0  # two waves, two survey incentives, never more
    me = client_for(trained.user)
    kinds = sorted(me.get("/me/payments").json()["entitlements"], key=lambda e: (e["kind"], e["sequence"]))
    assert [(e["kind"], e["sequence"], e["amount"]) for e in kinds] == [
        ("survey", 1, 50_000),
        ("survey", 2, 50_000),
        ("training", 1, 600_000),
    ]
    assert ledger.system_account(ledger.INCENTIVES_PAYABLE).balance == 700_000
    assert clock.now() > completed


def test_clawback_books_what_an_ineligible_recipient_used(frozen_clock, provider, gateway_sim, quick_payouts, officers):
    trained = trained_recipients(frozen_clock, provider, 1, seed=516)[0]
    me = client_for(trained.user)
    paid_account(me, gateway_sim, trained)
    approved_batch(officers)
    disbursement.disburse(until_done=True, max_seconds=10)
    # A survey incentive earned but not yet paid is cancelled, not clawed back.
    from prakerja.payments.incentives import grant_survey_incentive

    grant_survey_incentive(trained.person, 1, "manual")
    from prakerja.payments.clawback import claw_back

    with pytest.raises(DomainError) as short:
        claw_back(trained.person, "", actor=officers[0])
    assert short.value.codes == ["REASON_REQUIRED"]
    clawback = claw_back(trained.person, "NIK milik ASN (data BKN)", actor=officers[0])
    assert (clawback.training_used, clawback.incentives_paid, clawback.total) == (1_500_000, 600_000, 2_100_000)
    assert ledger.balance_of(ledger.receivable_for_person(trained.person)) == 2_100_000
    assert ledger.system_account(ledger.RECOVERIES_PENDING).balance == -2_100_000
    assert ledger.balance_of(ledger.account_for_person(trained.person)) == 0  # the rest went to the treasury
    assert Entitlement.objects.get(kind="survey").status == "cancelled"
    assert me.get("/me").json()["state"] == "revoked"
    with pytest.raises(DomainError) as twice:
        claw_back(trained.person, "NIK milik ASN (data BKN)", actor=officers[0])
    assert twice.value.codes == ["CLAWBACK_EXISTS"]
    assert Clawback.objects.count() == 1
    assert ledger.journal_total() == 0 and ledger.sign_violations() == [] and ledger.verify_balances() == []
