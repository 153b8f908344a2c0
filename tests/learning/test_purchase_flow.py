"""A recipient finds a class, buys it with the balance, attends by redeem code, completes,
reviews, and may then buy the next one — money moving through the ledger at each step."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import codes
from market import NAMED, approved_program, client_for, open_class, recipients_named
from prakerja.accounts.models import User
from prakerja.catalog.models import Program
from prakerja.core import clock
from prakerja.learning import actions
from prakerja.learning.models import Purchase
from prakerja.payments import actions as ledger

pytestmark = pytest.mark.django_db

START = NAMED + dt.timedelta(days=5)  # 15 July, 10:00 Jakarta


def test_buy_attend_complete_review_and_buy_again(frozen_clock, provider):
    user = recipients_named(frozen_clock, 3, seed=41)[0]
    program = approved_program(provider, price=1_500_000)
    training_class = open_class(provider, program, start=START, capacity=10)
    me = client_for(user)

    found = me.get("/trainings?mode=offline&regency=3273").json()
    assert [r["id"] for r in found["results"]] == [str(program.public_id)]
    assert found["results"][0]["open_classes"] == 1

    bought = me.post("/me/purchases", {"class_code": training_class.code.lower()})
    assert bought.status_code == 201, bought.content
    body = bought.json()
    assert body["voucher_code"].startswith("VCR")
    assert [c["sequence"] for c in body["redeem_codes"]] == [1, 2]
    assert me.get("/me").json()["balance"] == 3_500_000 - 1_500_000
    assert ledger.system_account(ledger.TRAINING_HOLDING).balance == 1_500_000

    # The next one only after this one is completed and reviewed.
    other = open_class(provider, program, start=START + dt.timedelta(days=10))
    assert codes(me.post("/me/purchases", {"class_code": other.code})) == ["PREVIOUS_TRAINING_NOT_COMPLETED"]

    purchase = Purchase.objects.get(public_id=body["id"])
    for code in body["redeem_codes"]:
        frozen_clock(dt.datetime.fromisoformat(code["session_starts_at"]) - dt.timedelta(minutes=30))
        actions.commit_redeem(provider.institution, code["code"], code["sequence"])
    actions.complete(provider.institution, purchase.voucher_code)
    payable = ledger.account_for_institution(provider.institution)
    assert ledger.balance_of(payable) == 1_500_000
    assert ledger.system_account(ledger.TRAINING_HOLDING).balance == 0

    assert codes(me.post("/me/purchases", {"class_code": other.code})) == ["REVIEW_REQUIRED"]
    short = me.post(f"/me/purchases/{purchase.public_id}/review", {"rating": 6, "text": "ok"})
    assert sorted(codes(short)) == ["RATING_INVALID", "REVIEW_TOO_SHORT"]
    reviewed = me.post(
        f"/me/purchases/{purchase.public_id}/review", {"rating": 4, "text": "Materinya jelas dan praktis."}
    )
    assert reviewed.status_code == 201
    assert Program.objects.get(pk=program.pk).rating == 4.0
    mine = me.get("/me/purchases").json()[0]
    assert mine["status"] == "completed" and mine["reviewed"] and mine["certificate_number"]

    again = me.post("/me/purchases", {"class_code": other.code})
    assert again.status_code == 201, again.content
    assert me.get("/me").json()["balance"] == 3_500_000 - 3_000_000
    assert ledger.verify_balances() == []


def test_price_above_remaining_balance_is_refused_and_nothing_is_written(frozen_clock, provider):
    user = recipients_named(frozen_clock, 3, seed=42)[0]
    first = open_class(provider, approved_program(provider, price=3_000_000), start=START)
    me = client_for(user)
    assert me.post("/me/purchases", {"class_code": first.code}).status_code == 201
    purchase = Purchase.objects.get(person__user=user)
    for code in purchase.redeem_codes.select_related("session"):
        frozen_clock(code.session.starts_at)
        actions.commit_redeem(provider.institution, code.code, None)
    actions.complete(provider.institution, purchase.voucher_code)
    actions.review(purchase.person, purchase.public_id, 5, "Sangat bermanfaat untuk usaha saya.")

    pricey = open_class(provider, approved_program(provider, price=1_000_000), start=clock.now() + dt.timedelta(days=5))
    refused = me.post("/me/purchases", {"class_code": pricey.code})
    assert refused.status_code == 422 and codes(refused) == ["BALANCE_INSUFFICIENT"]
    pricey.refresh_from_db()
    assert pricey.seats_taken == 0
    assert Purchase.objects.filter(person__user=user).count() == 1


def test_full_class_closed_enrollment_and_non_recipient(frozen_clock, provider):
    users = recipients_named(frozen_clock, 4, seed=43)
    program = approved_program(provider, mode="webinar", price=500_000)
    tiny = open_class(provider, program, start=START, capacity=1)
    assert client_for(users[0]).post("/me/purchases", {"class_code": tiny.code}).status_code == 201
    assert codes(client_for(users[1]).post("/me/purchases", {"class_code": tiny.code})) == ["CLASS_FULL"]

    # Online classes close at 00:00 Jakarta on the day before they start.
    later = open_class(provider, program, start=START + dt.timedelta(days=2))
    assert later.enrollment_closes_at == dt.datetime(2026, 7, 16, 0, 0, tzinfo=clock.JAKARTA)
    frozen_clock(dt.datetime(2026, 7, 15, 17, 0, tzinfo=dt.UTC))  # 00:00 on 16 July in Jakarta
    assert codes(client_for(users[2]).post("/me/purchases", {"class_code": later.code})) == ["ENROLLMENT_CLOSED"]

    stranger = client_for(User.objects.create_user("bukan.penerima@contoh.id", "Rahasia#2024x"))
    assert codes(stranger.post("/me/purchases", {"class_code": later.code})) == ["NOT_A_RECIPIENT"]
    assert codes(stranger.post("/me/purchases", {"class_code": "NOPE"})) == ["CLASS_NOT_FOUND"]


def test_cancellation_by_the_institution_returns_the_whole_price(frozen_clock, provider):
    user = recipients_named(frozen_clock, 3, seed=44)[0]
    training_class = open_class(provider, approved_program(provider, price=2_000_000), start=START)
    me = client_for(user)
    assert me.post("/me/purchases", {"class_code": training_class.code}).status_code == 201
    assert actions.cancel_class(training_class, "Pelatih berhalangan") == 1
    assert me.get("/me").json()["balance"] == 3_500_000
    mine = me.get("/me/purchases").json()[0]
    assert mine["status"] == "cancelled"
    assert all(c["state"] == "cancelled" for c in mine["redeem_codes"])
    assert ledger.verify_balances() == []


def test_next_training_window_returns_the_unused_balance(frozen_clock, provider):
    user = recipients_named(frozen_clock, 3, seed=45)[0]
    training_class = open_class(provider, approved_program(provider, price=1_000_000), start=START)
    me = client_for(user)
    assert me.post("/me/purchases", {"class_code": training_class.code}).status_code == 201
    purchase = Purchase.objects.get(person__user=user)
    for code in purchase.redeem_codes.select_related("session"):
        frozen_clock(code.session.starts_at + dt.timedelta(minutes=59))
        actions.commit_redeem(provider.institution, code.code, None)
    actions.complete(provider.institution, purchase.voucher_code)
    reviewed_on = dt.datetime(2026, 7, 17, 3, 0, tzinfo=dt.UTC)  # 17 July in Jakarta: next deadline 1 August
    frozen_clock(reviewed_on)
    actions.review(purchase.person, purchase.public_id, 5, "Pelatih sabar dan materinya lengkap.")

    frozen_clock(dt.datetime(2026, 8, 1, 16, 59, tzinfo=dt.UTC))  # 23:59 on 1 August: still inside
    assert actions.enforce_next_purchase_deadlines() == 0
    assert me.get("/me").json()["balance"] == 2_500_000
    frozen_clock(dt.datetime(2026, 8, 1, 17, 0, tzinfo=dt.UTC))  # 00:00 on 2 August
    assert actions.enforce_next_purchase_deadlines() == 1
    assert me.get("/me").json()["balance"] == 0
    assert ledger.system_account(ledger.TREASURY_RETURNS).balance == 2_500_000
    assert actions.enforce_next_purchase_deadlines() == 0  # nothing moves twice
    late = open_class(provider, approved_program(provider, price=100_000), start=clock.now() + dt.timedelta(days=5))
    assert codes(me.post("/me/purchases", {"class_code": late.code})) == ["NEXT_PURCHASE_DEADLINE_PASSED"]
