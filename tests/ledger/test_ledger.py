"""The ledger as a finance officer sees it: money moves once, never overdraws, and the books always add up."""

from __future__ import annotations

import io
import itertools
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from prakerja.accounts.models import User
from prakerja.core.errors import DomainError
from prakerja.core.models import AuditEvent
from prakerja.payments.actions import (
    PROGRAM_BUDGET,
    STATE_FUNDING,
    TRAINING_HOLDING,
    TREASURY_RETURNS,
    account_for_person,
    balance_of,
    derived_balance,
    ensure_system_accounts,
    post_entry,
    system_account,
    transfer,
    verify_balances,
)
from prakerja.payments.models import AppendOnlyError, JournalEntry, LedgerAccount, Posting
from prakerja.payments.rules import MAX_AMOUNT
from prakerja.registry.models import Person

pytestmark = pytest.mark.django_db

_people = itertools.count(1)


def make_person() -> Person:
    n = next(_people)
    user = User.objects.create_user(email=f"ledger{n}@contoh.id", password="Rahasia#2024x")
    return Person.objects.create(user=user)


def written() -> tuple[int, int, int]:
    """What the ledger has written: entries, postings and ledger audit rows."""
    return (
        JournalEntry.objects.count(),
        Posting.objects.count(),
        AuditEvent.objects.filter(action="ledger.entry").count(),
    )


def error_codes(excinfo: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return excinfo.value.codes


@pytest.fixture
def books():
    """System accounts plus a program budget of Rp 10,000,000 allocated from the state."""
    ensure_system_accounts()
    funding, budget, treasury = (system_account(code) for code in (STATE_FUNDING, PROGRAM_BUDGET, TREASURY_RETURNS))
    transfer(source=funding, destination=budget, amount=10_000_000, kind="budget_allocation", idempotency_key="alloc-1")
    return funding, budget, treasury


def test_system_accounts_are_created_once_and_only_the_state_side_may_go_negative():
    ensure_system_accounts()
    ensure_system_accounts()
    accounts = {a.code: a for a in LedgerAccount.objects.all()}
    assert set(accounts) == {
        STATE_FUNDING,
        PROGRAM_BUDGET,
        TREASURY_RETURNS,
        TRAINING_HOLDING,
        "incentives_payable",
        "incentives_paid",
        "recoveries_pending",
    }
    assert {code for code, a in accounts.items() if a.allow_negative} == {STATE_FUNDING, "recoveries_pending"}
    assert (
        accounts[TRAINING_HOLDING].kind == LedgerAccount.Kind.HOLDING and not accounts[TRAINING_HOLDING].allow_negative
    )
    assert accounts[STATE_FUNDING].kind == LedgerAccount.Kind.FUNDING and accounts[STATE_FUNDING].allow_negative
    assert accounts[PROGRAM_BUDGET].kind == LedgerAccount.Kind.BUDGET and not accounts[PROGRAM_BUDGET].allow_negative
    assert accounts[TREASURY_RETURNS].kind == LedgerAccount.Kind.TREASURY
    assert not accounts[TREASURY_RETURNS].allow_negative
    assert all(a.balance == 0 for a in accounts.values())


def test_each_recipient_has_one_training_balance_account():
    person = make_person()
    account = account_for_person(person)
    assert account_for_person(person).pk == account.pk
    assert account.code == f"training_balance:{person.public_id}"
    assert account.kind == LedgerAccount.Kind.TRAINING_BALANCE and account.person == person
    assert not account.allow_negative
    assert account_for_person(make_person()).pk != account.pk


def test_transfers_move_money_and_cached_balances_equal_the_postings(books):
    funding, budget, treasury = books
    person = make_person()
    wallet = account_for_person(person)
    officer = User.objects.create_user(email="keuangan@prakerja.go.id", password="Rahasia#2024x")

    entry = transfer(
        source=budget,
        destination=wallet,
        amount=3_500_000,
        kind="balance_credit",
        idempotency_key=f"credit:{person.public_id}",
        memo="Gelombang 1",
        actor=officer,
    )
    transfer(source=wallet, destination=treasury, amount=1_200_000, kind="balance_return", idempotency_key="ret-1")

    expected = {funding: -10_000_000, budget: 6_500_000, wallet: 2_300_000, treasury: 1_200_000}
    for account, amount in expected.items():
        assert balance_of(account) == amount == derived_balance(account), account.code
    assert sum(LedgerAccount.objects.values_list("balance", flat=True)) == 0
    assert verify_balances() == []
    # The caller's instances follow the movement too.
    assert (budget.balance, treasury.balance) == (6_500_000, 1_200_000)

    assert entry.kind == "balance_credit" and entry.actor == officer and entry.memo == "Gelombang 1"
    assert sorted(entry.postings.values_list("account__code", "amount")) == sorted(
        [(PROGRAM_BUDGET, -3_500_000), (wallet.code, 3_500_000)]
    )
    event = AuditEvent.objects.get(action="ledger.entry", object_id=str(entry.public_id))
    assert event.actor == officer
    assert event.after["kind"] == "balance_credit"
    assert event.after["idempotency_key"] == f"credit:{person.public_id}"
    assert sorted((p["account"], p["amount"]) for p in event.after["postings"]) == sorted(
        [(PROGRAM_BUDGET, -3_500_000), (wallet.code, 3_500_000)]
    )


def test_replaying_a_key_returns_the_same_entry_and_moves_nothing(books):
    _funding, budget, _treasury = books
    wallet = account_for_person(make_person())
    first = transfer(source=budget, destination=wallet, amount=3_500_000, kind="balance_credit", idempotency_key="k1")
    before = written()

    again = transfer(source=budget, destination=wallet, amount=3_500_000, kind="balance_credit", idempotency_key="k1")

    assert again.pk == first.pk and again.public_id == first.public_id
    assert written() == before
    assert balance_of(wallet) == 3_500_000 and balance_of(budget) == 6_500_000
    assert wallet.balance == 3_500_000  # the replay did not move the caller's copy either


def test_replay_after_the_money_was_spent_still_answers_with_the_first_entry(books):
    _funding, budget, treasury = books
    wallet = account_for_person(make_person())
    first = transfer(source=budget, destination=wallet, amount=3_500_000, kind="balance_credit", idempotency_key="k1")
    transfer(source=wallet, destination=treasury, amount=3_500_000, kind="balance_return", idempotency_key="k2")

    # The retry of the return finds the wallet empty; it must not be refused nor move money again.
    replay = transfer(
        source=wallet, destination=treasury, amount=3_500_000, kind="balance_return", idempotency_key="k2"
    )
    assert replay.kind == "balance_return"
    assert (
        transfer(source=budget, destination=wallet, amount=3_500_000, kind="balance_credit", idempotency_key="k1")
        == first
    )
    assert (balance_of(wallet), balance_of(treasury)) == (0, 3_500_000)


def test_a_replay_with_another_memo_or_actor_is_still_the_same_movement(books):
    _funding, budget, _treasury = books
    wallet = account_for_person(make_person())
    first = transfer(
        source=budget, destination=wallet, amount=100, kind="balance_credit", idempotency_key="k", memo="first"
    )
    officer = User.objects.create_user(email="lain@prakerja.go.id", password="Rahasia#2024x")
    replay = transfer(
        source=budget,
        destination=wallet,
        amount=100,
        kind="balance_credit",
        idempotency_key="k",
        memo="retry",
        actor=officer,
    )
    assert replay.pk == first.pk and replay.memo == "first" and replay.actor is None
    assert balance_of(wallet) == 100


@pytest.mark.parametrize(
    "change",
    [
        {"amount": 3_500_001},
        {"kind": "balance_return"},
        {"destination": "other"},
        {"swap": True},
    ],
    ids=["other-amount", "other-kind", "other-destination", "reversed-direction"],
)
def test_reusing_a_key_for_a_different_movement_is_a_conflict(books, change):
    _funding, budget, _treasury = books
    wallet = account_for_person(make_person())
    other = account_for_person(make_person())
    transfer(source=budget, destination=wallet, amount=3_500_000, kind="balance_credit", idempotency_key="k1")
    before = written()

    params = {"source": budget, "destination": wallet, "amount": 3_500_000, "kind": "balance_credit"}
    if "amount" in change:
        params["amount"] = change["amount"]
    if "kind" in change:
        params["kind"] = change["kind"]
    if "destination" in change:
        params["destination"] = other
    if "swap" in change:
        params["source"], params["destination"], params["amount"] = wallet, budget, 1_000
    with pytest.raises(DomainError) as excinfo:
        transfer(**params, idempotency_key="k1")

    assert error_codes(excinfo) == ["IDEMPOTENCY_CONFLICT"] and excinfo.value.status == 409
    assert written() == before
    assert (balance_of(budget), balance_of(wallet), balance_of(other)) == (6_500_000, 3_500_000, 0)


def test_overdraw_is_refused_and_nothing_is_written(books):
    _funding, budget, treasury = books
    wallet = account_for_person(make_person())
    transfer(source=budget, destination=wallet, amount=3_500_000, kind="balance_credit", idempotency_key="k1")
    before = written()

    with pytest.raises(DomainError) as excinfo:
        transfer(source=wallet, destination=treasury, amount=3_500_001, kind="purchase", idempotency_key="k2")

    assert error_codes(excinfo) == ["BALANCE_INSUFFICIENT"] and excinfo.value.status == 422
    problem = excinfo.value.problems[0]
    assert problem.message("id") == "Saldo tidak mencukupi: tersedia Rp 3.500.000, dibutuhkan Rp 3.500.001."
    assert problem.message("en") == "Insufficient balance: Rp 3.500.000 available, Rp 3.500.001 needed."
    assert written() == before
    assert (balance_of(wallet), balance_of(treasury)) == (3_500_000, 0)
    assert not JournalEntry.objects.filter(idempotency_key="k2").exists()
    # The whole balance can be spent, to the last rupiah.
    transfer(source=wallet, destination=treasury, amount=3_500_000, kind="purchase", idempotency_key="k3")
    assert balance_of(wallet) == 0


def test_the_program_budget_cannot_be_overspent_but_the_state_side_can_go_negative(books):
    funding, budget, _treasury = books
    wallet = account_for_person(make_person())
    with pytest.raises(DomainError) as excinfo:
        transfer(source=budget, destination=wallet, amount=10_000_001, kind="balance_credit", idempotency_key="k")
    assert error_codes(excinfo) == ["BALANCE_INSUFFICIENT"]
    transfer(source=funding, destination=budget, amount=MAX_AMOUNT, kind="budget_allocation", idempotency_key="a2")
    assert balance_of(funding) == -10_000_000 - MAX_AMOUNT


@pytest.mark.parametrize(
    "amount",
    [0, -1, -3_500_000, 1.0, 3_500_000.0, 0.5, True, False, "3500000", Decimal("3500000"), None, MAX_AMOUNT + 1],
)
def test_an_amount_that_is_not_positive_whole_rupiah_is_refused(books, amount):
    _funding, budget, _treasury = books
    wallet = account_for_person(make_person())
    before = written()
    with pytest.raises(DomainError) as excinfo:
        transfer(source=budget, destination=wallet, amount=amount, kind="balance_credit", idempotency_key="k")
    assert error_codes(excinfo) == ["AMOUNT_INVALID"]
    assert written() == before and balance_of(budget) == 10_000_000


def test_a_transfer_to_the_same_account_is_refused(books):
    _funding, budget, _treasury = books
    with pytest.raises(DomainError) as excinfo:
        transfer(source=budget, destination=budget, amount=1, kind="x", idempotency_key="k")
    assert error_codes(excinfo) == ["SAME_ACCOUNT"]
    same_row_again = LedgerAccount.objects.get(pk=budget.pk)
    with pytest.raises(DomainError) as excinfo:
        transfer(source=budget, destination=same_row_again, amount=1, kind="x", idempotency_key="k")
    assert error_codes(excinfo) == ["SAME_ACCOUNT"]


@pytest.mark.parametrize(("key", "code"), [("", "FIELD_REQUIRED"), ("   ", "FIELD_REQUIRED"), ("k" * 121, "TOO_LONG")])
def test_every_movement_needs_a_usable_idempotency_key(books, key, code):
    _funding, budget, treasury = books
    with pytest.raises(DomainError) as excinfo:
        transfer(source=budget, destination=treasury, amount=1, kind="x", idempotency_key=key)
    assert error_codes(excinfo) == [code] and excinfo.value.problems[0].field == "idempotency_key"
    transfer(source=budget, destination=treasury, amount=1, kind="x", idempotency_key="k" * 120)


def test_post_entry_writes_a_balanced_entry_of_many_lines(books):
    _funding, budget, _treasury = books
    wallets = [account_for_person(make_person()) for _ in range(3)]
    entry = post_entry(
        kind="balance_credit",
        idempotency_key="batch-1",
        lines=[(budget, -3 * 3_000_000)] + [(w, 3_000_000) for w in wallets],
    )
    assert entry.postings.count() == 4
    assert [balance_of(w) for w in wallets] == [3_000_000] * 3
    assert balance_of(budget) == 1_000_000
    assert verify_balances() == []


def test_post_entry_refuses_unbalanced_or_one_sided_entries(books):
    _funding, budget, treasury = books
    wallet = account_for_person(make_person())
    before = written()
    for lines, code in [
        ([(budget, -100), (wallet, 99)], "ENTRY_UNBALANCED"),
        ([(wallet, 100)], "ENTRY_UNBALANCED"),
        ([], "ENTRY_UNBALANCED"),
        ([(budget, -100), (wallet, 100), (wallet, 0)], "AMOUNT_INVALID"),
        ([(budget, -100), (wallet, 50), (LedgerAccount.objects.get(pk=wallet.pk), 50)], "SAME_ACCOUNT"),
        ([(budget, -100), (treasury, 100.0)], "AMOUNT_INVALID"),
    ]:
        with pytest.raises(DomainError) as excinfo:
            post_entry(kind="balance_credit", idempotency_key="k", lines=lines)
        assert code in error_codes(excinfo), lines
    assert written() == before and balance_of(budget) == 10_000_000


def test_a_transfer_inside_a_rolled_back_transaction_leaves_no_trace(books):
    _funding, budget, treasury = books
    before = written()
    with transaction.atomic():
        transfer(source=budget, destination=treasury, amount=5, kind="x", idempotency_key="k")
        transaction.set_rollback(True)
    assert written() == before and balance_of(budget) == 10_000_000
    # ...so the same key is free again, and a refused movement does not spoil the caller's transaction.
    with transaction.atomic():
        with pytest.raises(DomainError):
            transfer(source=treasury, destination=budget, amount=5, kind="x", idempotency_key="k")
        transfer(source=budget, destination=treasury, amount=5, kind="x", idempotency_key="k")
    assert balance_of(treasury) == 5


# --- the journal is append-only ---------------------------------------------
def test_entries_and_postings_cannot_be_changed_or_deleted_through_the_models(books):
    _funding, budget, treasury = books
    entry = transfer(source=budget, destination=treasury, amount=700, kind="x", idempotency_key="k")
    posting = entry.postings.get(account=treasury)

    entry.memo = "diubah"
    posting.amount = 7_000_000
    attempts = [
        entry.save,
        entry.delete,
        posting.save,
        posting.delete,
        lambda: JournalEntry.objects.update(memo="diubah"),
        lambda: JournalEntry.objects.filter(pk=entry.pk).delete(),
        lambda: Posting.objects.filter(pk=posting.pk).update(amount=7_000_000),
        lambda: Posting.objects.all().delete(),
        lambda: entry.postings.update(amount=1),
        lambda: entry.postings.all().delete(),
        lambda: Posting.objects.bulk_update([posting], ["amount"]),
        lambda: JournalEntry.objects.update_or_create(idempotency_key="k", defaults={"memo": "diubah"}),
    ]
    for attempt in attempts:
        with pytest.raises(AppendOnlyError):
            attempt()

    assert JournalEntry.objects.get(pk=entry.pk).memo == ""
    assert Posting.objects.get(pk=posting.pk).amount == 700
    assert balance_of(treasury) == derived_balance(treasury) == 700


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE payments_posting SET amount = amount * 2",
        "DELETE FROM payments_posting",
        "UPDATE payments_journalentry SET memo = 'diubah'",
        "DELETE FROM payments_journalentry",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes_of_the_journal(books, sql):
    _funding, budget, treasury = books
    transfer(source=budget, destination=treasury, amount=700, kind="x", idempotency_key="k")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert JournalEntry.objects.count() == 2 and Posting.objects.count() == 4
    assert verify_balances() == []


def test_the_database_refuses_a_negative_cached_balance_written_directly(books):
    _funding, budget, _treasury = books
    wallet = account_for_person(make_person())
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=budget.pk).update(balance=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=wallet.pk).update(balance=-3_500_000)
    # Nor may anyone flip a recipient's account into one allowed to go negative.
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=wallet.pk).update(allow_negative=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.create(code="training_balance:orphan", kind=LedgerAccount.Kind.TRAINING_BALANCE)
    assert balance_of(budget) == 10_000_000 and balance_of(wallet) == 0


def test_the_database_refuses_a_zero_posting_and_a_second_line_on_one_account(books):
    _funding, budget, treasury = books
    entry = transfer(source=budget, destination=treasury, amount=700, kind="x", idempotency_key="k")
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.create(entry=entry, account=budget, amount=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.create(entry=entry, account=treasury, amount=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalEntry.objects.create(kind="x", idempotency_key="k", request_fingerprint="0" * 64)


# --- checking the books ----------------------------------------------------------
def run_ledger_check() -> str:
    out = io.StringIO()
    call_command("ledger_check", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_verify_balances_and_ledger_check_catch_a_tampered_cache(books):
    _funding, budget, _treasury = books
    wallet = account_for_person(make_person())
    transfer(source=budget, destination=wallet, amount=3_500_000, kind="balance_credit", idempotency_key="k")
    assert verify_balances() == []
    assert run_ledger_check().startswith("OK")

    # Someone adds a rupiah to a recipient's balance behind the ledger's back.
    LedgerAccount.objects.filter(pk=wallet.pk).update(balance=3_500_001)
    assert verify_balances() == [wallet.code]
    assert balance_of(wallet) == 3_500_001 and derived_balance(wallet) == 3_500_000

    out = io.StringIO()
    with pytest.raises(CommandError, match="1 account"):
        call_command("ledger_check", stdout=out, stderr=io.StringIO())
    assert f"MISMATCH account {wallet.code}" in out.getvalue()
    assert "OK" not in out.getvalue()
    assert PROGRAM_BUDGET not in out.getvalue()


def test_ledger_check_catches_an_entry_that_does_not_balance(books):
    _funding, budget, treasury = books
    entry = transfer(source=budget, destination=treasury, amount=700, kind="x", idempotency_key="k")
    # A posting slipped in without its counterpart (and the cache moved with it): only the entry sum shows it.
    Posting.objects.create(entry=entry, account=system_account(STATE_FUNDING), amount=5)
    LedgerAccount.objects.filter(code=STATE_FUNDING).update(balance=-10_000_000 + 5)
    assert verify_balances() == []
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 entry"):
        call_command("ledger_check", stdout=out, stderr=io.StringIO())
    assert f"UNBALANCED entry {entry.public_id}" in out.getvalue()


# --- property: any sequence of movements keeps the books sound -------------------------
def test_any_sequence_of_transfers_keeps_the_books_sound():
    ensure_system_accounts()
    people = [make_person() for _ in range(3)]
    keys = [f"key-{i}" for i in range(12)]

    class Books(RuleBasedStateMachine):
        """Random transfers between the system accounts and three recipients, compared with a plain model."""

        def __init__(self) -> None:
            super().__init__()
            self._atomic = transaction.atomic()
            self._atomic.__enter__()  # each run in its own savepoint, rolled back in teardown
            self.accounts = [
                system_account(c) for c in (STATE_FUNDING, PROGRAM_BUDGET, TREASURY_RETURNS, TRAINING_HOLDING)
            ]
            self.accounts += [account_for_person(p) for p in people]
            # Every account that exists starts at zero (other system accounts included) and stays so unless moved.
            self.expected = dict.fromkeys(LedgerAccount.objects.values_list("code", flat=True), 0)
            self.used: dict[str, tuple[str, str, int, str, int]] = {}  # key -> request, entry pk

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

        @rule(
            source=st.integers(0, 5),
            destination=st.integers(0, 5),
            amount=st.one_of(st.integers(1, 5_000_000), st.sampled_from([1, 3_500_000])),
            kind=st.sampled_from(["budget_allocation", "balance_credit", "purchase"]),
            key=st.sampled_from(keys),
        )
        def move(self, source, destination, amount, kind, key):
            src, dst = self.accounts[source], self.accounts[destination]
            request = (src.code, dst.code, amount, kind)
            try:
                entry = transfer(source=src, destination=dst, amount=amount, kind=kind, idempotency_key=key)
            except DomainError as error:
                if src.code == dst.code:
                    assert error.codes == ["SAME_ACCOUNT"]
                elif key in self.used:
                    assert self.used[key][:4] != request and error.codes == ["IDEMPOTENCY_CONFLICT"]
                else:
                    assert error.codes == ["BALANCE_INSUFFICIENT"]
                    assert not src.allow_negative and self.expected[src.code] < amount
                return
            assert src.code != dst.code
            if key in self.used:
                assert self.used[key] == (*request, entry.pk), "a replay must return the first entry"
                return
            assert src.allow_negative or self.expected[src.code] >= amount
            self.used[key] = (*request, entry.pk)
            self.expected[src.code] -= amount
            self.expected[dst.code] += amount

        @invariant()
        def books_are_sound(self):
            balances = dict(LedgerAccount.objects.values_list("code", "balance"))
            assert balances == self.expected
            assert sum(balances.values()) == 0
            for account in LedgerAccount.objects.all():
                assert account.allow_negative or account.balance >= 0
            assert verify_balances() == []

    run_state_machine_as_test(
        Books,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_many_transfers_at_once_are_each_an_entry_replays_skipped_and_refusals_write_nothing(books):
    from prakerja.payments.actions import transfer_many, unbalanced_entries

    _funding, budget, treasury = books
    items = [("chunk-1", 100_000), ("chunk-2", 250_000), ("chunk-1", 100_000)]
    before = written()
    assert transfer_many(source=budget, destination=treasury, kind="t", items=items) == 2
    entries, postings, audits = (after - first for after, first in zip(written(), before, strict=True))
    assert (entries, postings, audits) == (2, 4, 2)
    assert balance_of(budget) == 10_000_000 - 350_000 and balance_of(treasury) == 350_000
    # The same chunk again (a worker retrying) moves nothing; a key reused for another amount is refused.
    assert transfer_many(source=budget, destination=treasury, kind="t", items=items[:2]) == 0
    with pytest.raises(DomainError) as conflict:
        transfer_many(source=budget, destination=treasury, kind="t", items=[("chunk-2", 1), ("chunk-3", 5)])
    assert conflict.value.codes == ["IDEMPOTENCY_CONFLICT"]
    with pytest.raises(DomainError) as short:
        transfer_many(source=treasury, destination=budget, kind="t", items=[("chunk-4", 300_000), ("chunk-5", 60_000)])
    assert short.value.codes == ["BALANCE_INSUFFICIENT"]
    assert written() == tuple(first + n for first, n in zip(before, (2, 4, 2), strict=True))
    assert not JournalEntry.objects.filter(idempotency_key__in=["chunk-3", "chunk-4", "chunk-5"]).exists()
    assert verify_balances() == [] and unbalanced_entries() == []
