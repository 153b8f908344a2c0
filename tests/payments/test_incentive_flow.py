"""A recipient who completed and rated the first training names a bank account (checked with the
bank through the gateway simulator), two finance officers prepare and approve a disbursement
batch, the worker sends it, and the incentive arrives exactly once — with the ledger following."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from conftest import codes
from market import client_for
from payouts import book_account, trained_recipients
from prakerja.core import outbox
from prakerja.payments import actions as ledger
from prakerja.payments import disbursement
from prakerja.payments.models import DisbursementBatch, Entitlement, Payout, PayoutAccount

pytestmark = pytest.mark.django_db


def test_incentive_paid_once_after_training_rating_and_a_verified_account(
    frozen_clock, provider, gateway_sim, quick_payouts, officers, django_capture_on_commit_callbacks
):
    trained = trained_recipients(frozen_clock, provider, 1, seed=501)[0]
    me = client_for(trained.user)
    maker, checker = officers

    # Earned at once (a liability in the ledger), but no account yet.
    history = me.get("/me/payments").json()
    assert [(e["kind"], e["status"], e["amount"]) for e in history["entitlements"]] == [
        ("training", "awaiting_account", 600_000)
    ]
    assert ledger.system_account(ledger.INCENTIVES_PAYABLE).balance == 600_000

    body = book_account(gateway_sim, trained.person)
    assert codes(me.put("/me/payout-account", body | {"account_number": "12345"})) == ["ACCOUNT_NUMBER_INVALID"]
    assert codes(me.put("/me/payout-account", body | {"provider": "bank_antah"})) == ["PROVIDER_UNKNOWN"]
    assert codes(me.put("/me/payout-account", body | {"account_number": "9999999999"})) == ["ACCOUNT_NOT_FOUND"]
    assert codes(me.put("/me/payout-account", body | {"holder_name": "Orang Lain"})) == ["HOLDER_NAME_MISMATCH"]
    saved = me.put("/me/payout-account", body | {"account_number": "1234-5678-90"})
    assert saved.status_code == 200, saved.content
    assert saved.json()["account_number"] == "******7890" and saved.json()["status"] == "verified"
    assert me.get("/me/payments").json()["entitlements"][0]["status"] == "due"

    batch = disbursement.prepare_batch(actor=maker)
    assert (batch.payout_count, batch.total_amount) == (1, 600_000)
    # Frozen while in flight: the account cannot move under a payout.
    assert codes(me.put("/me/payout-account", body)) == ["PAYOUT_IN_FLIGHT"]
    assert codes_of(lambda: disbursement.approve_batch(batch.public_id, actor=maker)) == ["SELF_APPROVAL"]
    assert disbursement.disburse().sent == 0  # nothing leaves before the checker approves
    disbursement.approve_batch(batch.public_id, actor=checker)

    with django_capture_on_commit_callbacks(execute=True):
        summary = disbursement.disburse(until_done=True, max_seconds=20)
    assert summary.by_status == {"confirmed": 1}
    payout = Payout.objects.get()
    assert payout.idempotency_key.startswith("PKJ-") and payout.transfer_id
    assert gateway_sim.simulator.stats()["credited"] == {"bca:1234567890": 600_000}
    assert DisbursementBatch.objects.get().status == "done"
    assert ledger.system_account(ledger.INCENTIVES_PAYABLE).balance == 0
    assert ledger.system_account(ledger.INCENTIVES_PAID).balance == 600_000
    assert ledger.verify_balances() == [] and ledger.sign_violations() == [] and ledger.journal_total() == 0
    assert any("Rp 600.000 sudah dikirim" in m for m in outbox.messages_for(trained.user.phone, "sms"))

    history = me.get("/me/payments").json()
    assert history["total_paid"] == 600_000
    assert history["entitlements"][0]["payments"][0]["status"] == "confirmed"

    # Running again pays nothing more; nothing is due any more.
    assert disbursement.disburse().sent == 0
    assert codes_of(lambda: disbursement.prepare_batch(actor=maker)) == ["NOTHING_DUE"]
    assert gateway_sim.simulator.stats()["transfers"] == 1


def codes_of(call) -> list[str]:
    from prakerja.core.errors import DomainError

    try:
        call()
    except DomainError as exc:
        return exc.codes
    raise AssertionError("no refusal")


def test_ewallet_must_be_the_participants_own_phone(frozen_clock, provider, gateway_sim):
    trained = trained_recipients(frozen_clock, provider, 1, seed=502)[0]
    me = client_for(trained.user)
    phone = "0" + trained.user.phone[3:]
    body = book_account(gateway_sim, trained.person, provider="gopay", number=phone)
    book_account(gateway_sim, trained.person, provider="dana", number="081299990000", phone="+6281299990000")
    other = body | {"provider": "dana", "account_number": "081299990000"}
    assert codes(me.put("/me/payout-account", other)) == ["PHONE_MISMATCH"]
    assert codes(me.put("/me/payout-account", body | {"channel": "bank"})) == ["CHANNEL_MISMATCH"]
    saved = me.put("/me/payout-account", body | {"channel": "ewallet"})
    assert saved.status_code == 200, saved.content
    assert Entitlement.objects.get().status == "due"


def test_bank_account_of_another_nik_or_blocked_is_refused_and_audited(frozen_clock, provider, gateway_sim):
    from prakerja.core.models import AuditEvent

    trained = trained_recipients(frozen_clock, provider, 1, seed=503)[0]
    me = client_for(trained.user)
    body = book_account(gateway_sim, trained.person, holder_nik="3273015505960001")
    assert codes(me.put("/me/payout-account", body)) == ["HOLDER_NIK_MISMATCH"]
    blocked = book_account(gateway_sim, trained.person, number="5555555555", reject=True)
    assert codes(me.put("/me/payout-account", blocked)) == ["ACCOUNT_BLOCKED"]
    assert not PayoutAccount.objects.exists()
    assert AuditEvent.objects.filter(action="payout_account.refused").count() == 2
    refused = AuditEvent.objects.filter(action="payout_account.refused").first()
    assert "1234567890" not in str(refused.after)  # masked, never the whole number


def test_gateway_down_is_a_503_with_a_code(frozen_clock, provider, settings):
    from prakerja.payments.gateway import HttpGateway, use_gateway

    trained = trained_recipients(frozen_clock, provider, 3, seed=504)[0]
    use_gateway(HttpGateway(url="http://127.0.0.1:9", timeout=1))
    try:
        response = client_for(trained.user).put(
            "/me/payout-account", {"provider": "bca", "account_number": "1234567890", "holder_name": "x"}
        )
    finally:
        use_gateway(None)
    assert response.status_code == 503 and codes(response) == ["GATEWAY_UNAVAILABLE"]


def test_the_database_holds_the_incentive_limits(frozen_clock, provider):
    trained = trained_recipients(frozen_clock, provider, 1, seed=505)[0]
    for kind, sequence in (("training", 1), ("survey", 3), ("training", 2)):
        with pytest.raises(IntegrityError):
            with transaction.atomic():
                Entitlement.objects.create(
                    person=trained.person, kind=kind, sequence=sequence, amount=50_000, status="due"
                )


def test_the_demo_bank_book_loads_into_the_simulator():
    """`make run` starts the simulator with the book seed-demo writes; a book it refuses would leave the demo
    without a bank."""
    from prakerja.payments.demo import gateway_book
    from prakerja.payments.gateway_simulator import GatewaySimulator
    from prakerja.registry.demo import RESIDENTS

    book = gateway_book(RESIDENTS, {RESIDENTS[0].nik: "+6281100000002"})
    simulator = GatewaySimulator()
    try:
        simulator.add_accounts(book)
    finally:
        simulator.close()
    assert {a["provider"] for a in book} >= {"bca", "gopay"}
