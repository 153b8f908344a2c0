"""Many people (or one person's many browser tabs, or an institution's two desks) acting at the
same instant, on PostgreSQL's row locks: the last seat goes to exactly one buyer, a balance is
spent once, a redeem code is committed once, and a purchase ends exactly one way.

The platform's clock is frozen process-wide (``clock.freeze`` sets a module global), so the
worker threads see the instant the test set before it released them; nothing moves the clock
while they run. The last tests pin a race down with a hook instead of hoping for it (a commit
during a cancellation; a class cancelled while one of its purchases ends separately).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, models

from concurrently import at_once
from market import NAMED, approved_program, open_class, recipients_named
from prakerja.accounts.models import User
from prakerja.batches.models import Recipient
from prakerja.catalog.models import TrainingClass
from prakerja.core import clock
from prakerja.core.errors import DomainError
from prakerja.core.models import AuditEvent
from prakerja.core.program import change_setting
from prakerja.learning import actions
from prakerja.learning.models import Certificate, Purchase, RedeemCode
from prakerja.payments import actions as ledger
from prakerja.payments.models import JournalEntry
from prakerja.registry.models import Person

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks (SELECT … FOR UPDATE); SQLite serializes every write transaction",
    ),
]

START = NAMED + dt.timedelta(days=5)  # 15 July, 10:00 Jakarta: enrollment is open at NAMED
BALANCE = 3_500_000


def outcome(result: Any) -> str:
    if isinstance(result, models.Model):
        return "ok"
    if isinstance(result, DomainError):
        return ",".join(result.codes)
    return repr(result)


def person_of(user: User) -> Person:
    return Person.objects.get(user=user)


def balance(user: User) -> int:
    return ledger.balance_of(ledger.account_for_person(person_of(user)))


def holding() -> int:
    account = ledger.system_account(ledger.TRAINING_HOLDING)
    assert ledger.balance_of(account) == ledger.derived_balance(account)
    return ledger.balance_of(account)


def buying(user: User, class_code: str) -> Callable[[], Purchase]:
    """One purchase request: reads its own copy of the person, as a separate web request would."""

    def job() -> Purchase:
        return actions.buy(Person.objects.get(user_id=user.pk), class_code, actor=user)

    return job


def bought(frozen_clock, provider, *, seed: int, price: int = 1_500_000) -> Purchase:
    """A recipient who bought an offline class of two sessions (15 and 16 July, 10:00 Jakarta)."""
    user = recipients_named(frozen_clock, 3, seed=seed)[0]
    training_class = open_class(provider, approved_program(provider, price=price), start=START)
    return actions.buy(person_of(user), training_class.code, actor=user)


def test_six_recipients_race_for_the_last_seat_and_exactly_one_gets_it(frozen_clock, provider):
    users = recipients_named(frozen_clock, 20, seed=61)[:6]
    assert len(users) == 6
    price = 500_000
    last_seat = open_class(provider, approved_program(provider, mode="webinar", price=price), start=START, capacity=1)

    results = at_once([buying(user, last_seat.code) for user in users])

    assert Counter(map(outcome, results)) == {"ok": 1, "CLASS_FULL": 5}, results
    (winner,) = [user for user, result in zip(users, results, strict=True) if isinstance(result, Purchase)]
    last_seat.refresh_from_db()
    assert last_seat.seats_taken == 1 and last_seat.seats_left == 0
    purchase = Purchase.objects.get(training_class=last_seat)
    assert purchase.person == person_of(winner) and purchase.status == Purchase.Status.ACTIVE
    assert purchase.redeem_codes.count() == 2  # one per session
    assert Purchase.objects.count() == 1 and RedeemCode.objects.count() == 2
    # The winner paid once; every loser still has the whole balance and no purchase deadline change.
    assert balance(winner) == BALANCE - price
    for user in users:
        if user != winner:
            assert balance(user) == BALANCE
            assert Recipient.objects.get(person__user=user).first_purchase_at is None
    assert Recipient.objects.get(person__user=winner).first_purchase_at == clock.now()
    assert holding() == price
    assert JournalEntry.objects.filter(kind="training_purchase").count() == 1
    assert AuditEvent.objects.filter(action="purchase.created").count() == 1
    assert ledger.verify_balances() == []


def test_one_recipient_firing_four_purchases_at_once_pays_for_one(frozen_clock, provider):
    user = recipients_named(frozen_clock, 3, seed=62)[0]
    price = 2_000_000
    program = approved_program(provider, mode="webinar", price=price)
    classes = [open_class(provider, program, start=START + dt.timedelta(days=3 * n)) for n in range(4)]

    results = at_once([buying(user, c.code) for c in classes])

    outcomes = Counter(map(outcome, results))
    assert outcomes["ok"] == 1, results
    assert set(outcomes) <= {"ok", "PREVIOUS_TRAINING_NOT_COMPLETED", "BALANCE_INSUFFICIENT"}, results
    assert balance(user) == BALANCE - price == 1_500_000
    account = ledger.account_for_person(person_of(user))
    assert ledger.derived_balance(account) == 1_500_000
    (purchase,) = Purchase.objects.filter(person__user=user)
    (won,) = [r for r in results if isinstance(r, Purchase)]
    assert purchase.pk == won.pk
    # Only the bought class lost a seat; the refused ones are as they were.
    seats = dict(TrainingClass.objects.filter(pk__in=[c.pk for c in classes]).values_list("pk", "seats_taken"))
    assert seats == {c.pk: int(c.pk == purchase.training_class_id) for c in classes}
    assert RedeemCode.objects.count() == 2
    assert holding() == price
    assert JournalEntry.objects.filter(kind="training_purchase").count() == 1
    assert ledger.verify_balances() == []


@pytest.mark.parametrize("settlement_rule", ["completion", "first_session"])
def test_two_desks_commit_the_same_redeem_code_at_once(frozen_clock, provider, settlement_rule):
    if settlement_rule != "completion":
        change_setting("settlement_rule", settlement_rule)
    purchase = bought(frozen_clock, provider, seed=63)
    code = purchase.redeem_codes.select_related("session").get(session__sequence=1)
    desk = User.objects.create_user(email="meja.depan@lpk.contoh.id", password="Rahasia#2024x")
    at = code.session.starts_at - dt.timedelta(minutes=30)  # inside the window (60 minutes either side)
    frozen_clock(at)

    def commit() -> RedeemCode:
        return actions.commit_redeem(provider.institution, code.code.lower(), 1, actor=desk)

    results = at_once([commit, commit])

    assert sorted(map(outcome, results)) == ["ALREADY_USED", "ok"], results
    code.refresh_from_db()
    assert code.committed_at == at
    assert RedeemCode.objects.filter(purchase=purchase, committed_at__isnull=False).count() == 1
    (event,) = AuditEvent.objects.filter(action="redeem.committed")
    assert event.object_type == "learning.redeemcode" and event.object_id == str(code.pk)
    assert event.at == at and event.actor_id == desk.pk
    assert event.after == {"sequence": 1} and event.before is None
    assert code.code not in str(event.after)  # the code itself is a secret
    # Money: held until completion, or moved to the institution once at the first session.
    payable = ledger.account_for_institution(provider.institution)
    settled = 0 if settlement_rule == "completion" else purchase.price
    assert ledger.balance_of(payable) == settled
    assert holding() == purchase.price - settled
    assert JournalEntry.objects.filter(kind="training_settlement").count() == (settled > 0)
    purchase.refresh_from_db()
    assert (purchase.settled_at == at) if settled else (purchase.settled_at is None)
    assert ledger.verify_balances() == []


def attended(frozen_clock, provider, purchase: Purchase) -> None:
    """Commit every session's code in its window, leaving the clock after the last session."""
    for code in purchase.redeem_codes.select_related("session").order_by("session__sequence"):
        frozen_clock(code.session.starts_at)
        actions.commit_redeem(provider.institution, code.code, code.session.sequence)
    frozen_clock(purchase.redeem_codes.order_by("-session__ends_at").first().session.ends_at + dt.timedelta(hours=1))


def test_completion_reported_twice_at_once_issues_one_certificate_and_settles_once(frozen_clock, provider):
    purchase = bought(frozen_clock, provider, seed=64)
    attended(frozen_clock, provider, purchase)

    def complete() -> Purchase:
        return actions.complete(provider.institution, purchase.voucher_code)

    results = at_once([complete, complete, complete])

    assert [outcome(r) for r in results] == ["ok"] * 3, results
    assert {r.pk for r in results} == {purchase.pk}
    assert all(r.status == Purchase.Status.COMPLETED for r in results)
    purchase.refresh_from_db()
    assert purchase.completed_at == purchase.settled_at == clock.now()
    assert Certificate.objects.filter(purchase=purchase).count() == 1
    assert AuditEvent.objects.filter(action="purchase.completed").count() == 1
    assert JournalEntry.objects.filter(kind="training_settlement").count() == 1
    assert ledger.balance_of(ledger.account_for_institution(provider.institution)) == purchase.price
    assert holding() == 0
    assert ledger.verify_balances() == []


def test_completion_and_cancellation_at_once_end_the_purchase_exactly_one_way(frozen_clock, provider):
    purchase = bought(frozen_clock, provider, seed=65, price=2_000_000)
    person = purchase.person
    attended(frozen_clock, provider, purchase)

    def complete() -> Purchase:
        return actions.complete(provider.institution, purchase.voucher_code)

    def cancel() -> Purchase:
        return actions.cancel_purchase(Purchase.objects.get(pk=purchase.pk), "Peserta tidak memenuhi syarat")

    results = at_once([complete, cancel])

    outcomes = [outcome(r) for r in results]
    assert outcomes in (["ok", "PURCHASE_NOT_ACTIVE"], ["CANCELLED", "ok"]), results
    purchase.refresh_from_db()
    payable = ledger.balance_of(ledger.account_for_institution(provider.institution))
    mine = ledger.balance_of(ledger.account_for_person(person))
    purchase.training_class.refresh_from_db()
    if outcomes[0] == "ok":  # completed first: the institution is paid, the refund is refused
        assert purchase.status == Purchase.Status.COMPLETED
        assert Certificate.objects.filter(purchase=purchase).exists()
        assert (payable, mine) == (purchase.price, BALANCE - purchase.price)
        assert purchase.training_class.seats_taken == 1
    else:  # cancelled first: the whole price is back, no certificate
        assert purchase.status == Purchase.Status.CANCELLED
        assert not Certificate.objects.filter(purchase=purchase).exists()
        assert (payable, mine) == (0, BALANCE)
        assert purchase.training_class.seats_taken == 0
    # Never both: one of settlement and refund happened, exactly once.
    moved = Counter(
        JournalEntry.objects.filter(kind__in=["training_settlement", "training_refund"]).values_list("kind", flat=True)
    )
    assert sum(moved.values()) == 1, moved
    assert holding() == 0
    assert ledger.verify_balances() == []


# --- interleavings pinned down with hooks -------------------------------------------------------------
# The races below need one request to pause at a precise point while another runs; a hook on a
# module attribute the action looks up at call time holds it there, so the outcome is deterministic.


def test_a_code_committed_while_its_purchase_is_being_cancelled_does_not_pay_the_institution(
    frozen_clock, provider, monkeypatch
):
    """Settlement at the first session: the desk checks the code (valid), the institution's other
    operator cancels the purchase (price back to the participant), then the desk's commit goes
    through — it must not also pay the institution out of other participants' held money."""
    change_setting("settlement_rule", "first_session")
    a, b = recipients_named(frozen_clock, 6, seed=66)[:2]
    training_class = open_class(provider, approved_program(provider, price=1_500_000), start=START)
    mine = actions.buy(person_of(a), training_class.code)
    theirs = actions.buy(person_of(b), training_class.code)
    code = mine.redeem_codes.select_related("session").get(session__sequence=1)
    frozen_clock(code.session.starts_at)
    real_state = actions.redeem_state

    def checked_then_cancelled(*args: Any, **kwargs: Any) -> str:
        state = real_state(*args, **kwargs)
        if state == "valid" and Purchase.objects.get(pk=mine.pk).status == Purchase.Status.ACTIVE:
            actions.cancel_purchase(mine, "Peserta mengundurkan diri")  # commits before the desk's write
        return state

    monkeypatch.setattr(actions, "redeem_state", checked_then_cancelled)
    try:
        result: Any = actions.commit_redeem(provider.institution, code.code, 1)
    except DomainError as error:
        result = error
    monkeypatch.undo()

    assert balance(a) == BALANCE  # the refund went through
    assert outcome(result) == "CANCELLED", result
    assert ledger.balance_of(ledger.account_for_institution(provider.institution)) == 0
    assert holding() == theirs.price  # still holds the other participant's price
    actions.cancel_purchase(theirs, "Kelas dibatalkan")  # so that their refund can be paid
    assert balance(b) == BALANCE


def test_cancelling_a_class_while_one_participant_is_cancelled_separately_refunds_everyone(
    frozen_clock, provider, monkeypatch
):
    """The institution cancels a class of three participants; meanwhile another operator cancels
    one of them on their own. Everyone must end with the whole balance back and no training in
    progress (else they cannot buy another), and the class cancellation must not fail."""
    users = recipients_named(frozen_clock, 10, seed=68)[:3]
    assert len(users) == 3
    training_class = open_class(provider, approved_program(provider, mode="webinar", price=1_000_000), start=START)
    purchases = [actions.buy(person_of(user), training_class.code) for user in users]
    real_cancel = actions.cancel_purchase
    interleaved: list[Purchase] = []

    def with_a_concurrent_cancellation(purchase: Purchase, reason: str, **kwargs: Any) -> Purchase:
        if not interleaved:  # cancel_class has listed the purchases and starts on the first one
            other = next(p for p in purchases if p.pk != purchase.pk)
            interleaved.append(real_cancel(other, "Peserta mengundurkan diri"))
        return real_cancel(purchase, reason, **kwargs)

    monkeypatch.setattr(actions, "cancel_purchase", with_a_concurrent_cancellation)
    try:
        result: Any = actions.cancel_class(training_class, "Pelatih berhalangan")
    except DomainError as error:
        result = error
    monkeypatch.undo()

    assert [balance(user) for user in users] == [BALANCE] * 3
    assert set(Purchase.objects.values_list("status", flat=True)) == {Purchase.Status.CANCELLED}
    assert result == 2, result  # the other operator refunded the third
    assert JournalEntry.objects.filter(kind="training_refund").count() == 3
    assert AuditEvent.objects.filter(action="class.cancelled").count() == 1
    assert holding() == 0
    assert ledger.verify_balances() == []


def test_a_seat_freed_by_a_cancellation_while_five_others_try_to_buy_goes_to_at_most_one(frozen_clock, provider):
    users = recipients_named(frozen_clock, 20, seed=69)[:6]
    assert len(users) == 6
    holder, buyers = users[0], users[1:]
    price = 750_000
    full = open_class(provider, approved_program(provider, mode="webinar", price=price), start=START, capacity=1)
    held = actions.buy(person_of(holder), full.code)

    def cancel() -> Purchase:
        return actions.cancel_purchase(Purchase.objects.get(pk=held.pk), "Peserta tidak memenuhi syarat")

    results = at_once([cancel] + [buying(user, full.code) for user in buyers])

    assert outcome(results[0]) == "ok", results
    bought_it = Counter(map(outcome, results[1:]))
    assert set(bought_it) <= {"ok", "CLASS_FULL"} and bought_it["ok"] <= 1, results
    full.refresh_from_db()
    active = Purchase.objects.filter(training_class=full, status=Purchase.Status.ACTIVE)
    assert full.seats_taken == active.count() == bought_it["ok"]
    assert balance(holder) == BALANCE
    assert sorted(balance(user) for user in buyers) == [BALANCE - price] * bought_it["ok"] + [BALANCE] * (
        5 - bought_it["ok"]
    )
    assert holding() == price * bought_it["ok"]
    assert ledger.verify_balances() == []
