"""Many requests at the same moment, on PostgreSQL's row locks: no overdraft, no double movement, no deadlock."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from concurrently import at_once
from prakerja.accounts.models import User
from prakerja.core.errors import DomainError
from prakerja.payments.actions import (
    PROGRAM_BUDGET,
    TREASURY_RETURNS,
    account_for_person,
    balance_of,
    derived_balance,
    ensure_system_accounts,
    system_account,
    transfer,
    verify_balances,
)
from prakerja.payments.models import JournalEntry, LedgerAccount
from prakerja.registry.models import Person

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks (SELECT … FOR UPDATE); SQLite serializes every write transaction",
    ),
]

_people = itertools.count(1)


def make_person() -> Person:
    n = next(_people)
    user = User.objects.create_user(email=f"serentak{n}@contoh.id", password="Rahasia#2024x")
    return Person.objects.create(user=user)


def funded_wallet(amount: int) -> LedgerAccount:
    """A recipient's training balance holding ``amount``, credited from the budget (itself funded by the state)."""
    wallet = account_for_person(make_person())
    transfer(
        source=system_account("state_funding"),
        destination=system_account(PROGRAM_BUDGET),
        amount=amount,
        kind="budget_allocation",
        idempotency_key=f"alloc:{wallet.code}",
    )
    transfer(
        source=system_account(PROGRAM_BUDGET),
        destination=wallet,
        amount=amount,
        kind="balance_credit",
        idempotency_key=f"credit:{wallet.code}",
    )
    return wallet


def outcome(result: Any) -> str:
    if isinstance(result, JournalEntry):
        return "ok"
    if isinstance(result, DomainError):
        return ",".join(result.codes)
    return repr(result)


def test_eight_simultaneous_debits_of_one_million_from_three_and_a_half_million():
    ensure_system_accounts()
    wallet = funded_wallet(3_500_000)

    def debit(i: int) -> Callable[[], Any]:
        def job() -> JournalEntry:
            # Each thread reads its own copy of the rows, as eight separate web requests would.
            return transfer(
                source=LedgerAccount.objects.get(pk=wallet.pk),
                destination=LedgerAccount.objects.get(code=TREASURY_RETURNS),
                amount=1_000_000,
                kind="purchase",
                idempotency_key=f"purchase-{i}",
            )

        return job

    results = at_once([debit(i) for i in range(8)])

    assert Counter(map(outcome, results)) == {"ok": 3, "BALANCE_INSUFFICIENT": 5}, results
    assert balance_of(wallet) == derived_balance(wallet) == 500_000
    treasury = system_account(TREASURY_RETURNS)
    assert balance_of(treasury) == derived_balance(treasury) == 3_000_000
    assert JournalEntry.objects.filter(kind="purchase").count() == 3
    assert verify_balances() == []


def test_simultaneous_replays_of_one_key_make_exactly_one_entry():
    ensure_system_accounts()
    wallet = funded_wallet(3_500_000)

    def replay() -> JournalEntry:
        return transfer(
            source=LedgerAccount.objects.get(pk=wallet.pk),
            destination=LedgerAccount.objects.get(code=TREASURY_RETURNS),
            amount=1_000_000,
            kind="balance_return",
            idempotency_key="return-once",
        )

    results = at_once([replay for _ in range(6)])

    assert all(isinstance(r, JournalEntry) for r in results), results
    assert len({r.public_id for r in results}) == 1
    assert JournalEntry.objects.filter(idempotency_key="return-once").count() == 1
    assert balance_of(wallet) == derived_balance(wallet) == 2_500_000
    assert verify_balances() == []


def test_one_key_raced_for_different_movements_on_different_accounts_moves_money_once():
    """No shared row lock here: the unique index on the key decides, and the losers get a clean conflict."""
    ensure_system_accounts()
    pairs = [(funded_wallet(100_000), account_for_person(make_person())) for _ in range(4)]

    def move(source: LedgerAccount, destination: LedgerAccount) -> Callable[[], Any]:
        def job() -> JournalEntry:
            return transfer(
                source=LedgerAccount.objects.get(pk=source.pk),
                destination=LedgerAccount.objects.get(pk=destination.pk),
                amount=40_000,
                kind="purchase",
                idempotency_key="shared-key",
            )

        return job

    results = at_once([move(s, d) for s, d in pairs])

    assert Counter(map(outcome, results)) == {"ok": 1, "IDEMPOTENCY_CONFLICT": 3}, results
    assert JournalEntry.objects.filter(idempotency_key="shared-key").count() == 1
    moved = [(balance_of(s), balance_of(d)) for s, d in pairs]
    assert sorted(moved) == [(60_000, 40_000)] + [(100_000, 0)] * 3
    assert verify_balances() == []


def test_opposite_transfers_between_two_accounts_never_deadlock():
    ensure_system_accounts()
    a, b = funded_wallet(1_000_000), funded_wallet(1_000_000)

    def back_and_forth(i: int) -> Callable[[], Any]:
        source, destination = (a, b) if i % 2 else (b, a)

        def job() -> int:
            for n in range(15):
                transfer(
                    source=LedgerAccount.objects.get(pk=source.pk),
                    destination=LedgerAccount.objects.get(pk=destination.pk),
                    amount=1_000 + i,
                    kind="purchase",
                    idempotency_key=f"swap-{i}-{n}",
                )
            return n + 1

        return job

    results = at_once([back_and_forth(i) for i in range(8)])

    assert results == [15] * 8, results
    # Threads 1,3,5,7 move a -> b, threads 0,2,4,6 move b -> a; 15 times each.
    net_a_to_b = 15 * (sum(1_000 + i for i in (1, 3, 5, 7)) - sum(1_000 + i for i in (0, 2, 4, 6)))
    assert balance_of(a) == derived_balance(a) == 1_000_000 - net_a_to_b
    assert balance_of(b) == derived_balance(b) == 1_000_000 + net_a_to_b
    assert verify_balances() == []
