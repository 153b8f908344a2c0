"""Ledger actions: system accounts, transfers and generic journal entries, balance checks.

Every movement of money goes through :func:`post_entry` (or :func:`transfer`,
its two-line form), which

1. checks the request (whole rupiah, distinct accounts, lines summing to zero);
2. returns the existing entry when the idempotency key was already used for
   the same request, and refuses (``IDEMPOTENCY_CONFLICT``) when it was used
   for a different one;
3. locks every account of the entry with ``SELECT … FOR UPDATE`` in primary-key
   order, so two entries touching the same accounts never deadlock;
4. looks the key up again (a concurrent duplicate may have committed while we
   waited for the locks), then refuses ``BALANCE_INSUFFICIENT`` when an account
   that may not go negative would;
5. writes the entry and its postings, moves the cached balances with ``F()``
   expressions, and writes an audit row — all in one transaction.

The check constraint on ``LedgerAccount.balance`` stays as the last line of
defence should anything bypass step 3.

A refused request writes nothing, so its idempotency key stays free: a credit
refused for lack of budget can be retried under the same key once the budget
is topped up. On SQLite ``select_for_update`` is a no-op; the settings open
every transaction with ``BEGIN IMMEDIATE``, which serializes writers instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce

from prakerja.core import audit, clock
from prakerja.core.errors import DomainError, Problem, fail
from prakerja.payments import rules
from prakerja.payments.models import JournalEntry, LedgerAccount, Posting

STATE_FUNDING = "state_funding"
PROGRAM_BUDGET = "program_budget"
TREASURY_RETURNS = "treasury_returns"
TRAINING_BALANCE_PREFIX = "training_balance:"
TRAINING_HOLDING = "training_holding"
INSTITUTION_PAYABLE_PREFIX = "institution_payable:"
INCENTIVES_PAYABLE = "incentives_payable"
INCENTIVES_PAID = "incentives_paid"
RECOVERIES_PENDING = "recoveries_pending"
RECEIVABLE_PREFIX = "recovery_receivable:"

_SYSTEM_ACCOUNTS = (
    (STATE_FUNDING, LedgerAccount.Kind.FUNDING, True),
    (PROGRAM_BUDGET, LedgerAccount.Kind.BUDGET, False),
    (TREASURY_RETURNS, LedgerAccount.Kind.TREASURY, False),
    # Prices of purchased trainings, held until the settlement rule moves them to the institution.
    (TRAINING_HOLDING, LedgerAccount.Kind.HOLDING, False),
    # Incentives earned and not yet paid (a liability), and incentives that left for people's accounts.
    (INCENTIVES_PAYABLE, LedgerAccount.Kind.INCENTIVE_PAYABLE, False),
    (INCENTIVES_PAID, LedgerAccount.Kind.INCENTIVE_PAID, False),
    # Contra account of what recipients found ineligible owe back: below zero by exactly that much.
    (RECOVERIES_PENDING, LedgerAccount.Kind.RECOVERY_OFFSET, True),
)
# The kinds whose balance is at most zero; every other kind's is at least zero.
NEGATIVE_KINDS = frozenset({LedgerAccount.Kind.FUNDING, LedgerAccount.Kind.RECOVERY_OFFSET})
_KEY_MAX = JournalEntry._meta.get_field("idempotency_key").max_length or 120
_KIND_MAX = JournalEntry._meta.get_field("kind").max_length or 40
_MEMO_MAX = JournalEntry._meta.get_field("memo").max_length or 300


# --- accounts ---------------------------------------------------------------
def ensure_system_accounts() -> None:
    """Create the state funding, program budget and treasury returns accounts if missing (idempotent)."""
    for code, kind, allow_negative in _SYSTEM_ACCOUNTS:
        LedgerAccount.objects.get_or_create(code=code, defaults={"kind": kind, "allow_negative": allow_negative})


def system_account(code: str) -> LedgerAccount:
    """One of the system accounts by code (``STATE_FUNDING``, ``PROGRAM_BUDGET``, ``TREASURY_RETURNS``)."""
    account = LedgerAccount.objects.filter(code=code).first()
    if account is None:
        ensure_system_accounts()
        account = LedgerAccount.objects.get(code=code)
    return account


def account_for_person(person: Any) -> LedgerAccount:
    """The recipient's training-balance account, created on first use."""
    account, _created = LedgerAccount.objects.get_or_create(
        code=f"{TRAINING_BALANCE_PREFIX}{person.public_id}",
        defaults={"kind": LedgerAccount.Kind.TRAINING_BALANCE, "person": person},
    )
    return account


def account_for_institution(institution: Any) -> LedgerAccount:
    """What the program owes an institution for delivered trainings, created on first use."""
    account, _created = LedgerAccount.objects.get_or_create(
        code=f"{INSTITUTION_PAYABLE_PREFIX}{institution.public_id}",
        defaults={"kind": LedgerAccount.Kind.INSTITUTION_PAYABLE},
    )
    return account


def receivable_for_person(person: Any) -> LedgerAccount:
    """What a recipient found ineligible owes the program, created on first use."""
    account, _created = LedgerAccount.objects.get_or_create(
        code=f"{RECEIVABLE_PREFIX}{person.public_id}",
        defaults={"kind": LedgerAccount.Kind.RECEIVABLE, "person": person},
    )
    return account


# --- movements --------------------------------------------------------------
def transfer(
    *,
    source: LedgerAccount,
    destination: LedgerAccount,
    amount: int,
    kind: str,
    idempotency_key: str,
    memo: str = "",
    actor: Any = None,
) -> JournalEntry:
    """Move ``amount`` rupiah from ``source`` to ``destination`` once per ``idempotency_key``."""
    problem = rules.amount_problem(amount)
    if problem is not None:
        raise DomainError([problem])
    if source.pk == destination.pk:
        raise fail("SAME_ACCOUNT", "destination")
    return post_entry(
        kind=kind,
        idempotency_key=idempotency_key,
        lines=[(source, -amount), (destination, amount)],
        memo=memo,
        actor=actor,
    )


def post_entry(
    *,
    kind: str,
    idempotency_key: str,
    lines: Sequence[tuple[LedgerAccount, int]],
    memo: str = "",
    actor: Any = None,
) -> JournalEntry:
    """Write one balanced journal entry (see the module docstring for the steps); returns it.

    A replay with the same key and the same kind and lines returns the first
    entry and moves nothing; the memo and actor of a replay are ignored.
    """
    _check_request(kind, idempotency_key, memo)
    plain = [(account.code, amount) for account, amount in lines]
    problems = rules.line_problems(plain)
    if problems:
        raise DomainError(problems)
    fingerprint = rules.fingerprint(kind, plain)

    with transaction.atomic():
        # Fast path: a replay answers without locking, even when the money has moved on since.
        existing = _replayed(idempotency_key, fingerprint)
        if existing is not None:
            return existing
        locked = {
            account.pk: account
            for account in LedgerAccount.objects.select_for_update()
            .filter(pk__in=[a.pk for a, _ in lines])
            .order_by("pk")
        }
        # A duplicate of this request may have committed while we waited for the locks.
        existing = _replayed(idempotency_key, fingerprint)
        if existing is not None:
            return existing
        if len(locked) != len(lines):
            raise LedgerAccount.DoesNotExist("every account of an entry must be saved first")
        _check_funds(lines, locked)
        try:
            # A savepoint: a duplicate key inserted concurrently must not poison the caller's transaction.
            with transaction.atomic():
                entry = JournalEntry.objects.create(
                    at=clock.now(),
                    kind=kind,
                    memo=memo,
                    idempotency_key=idempotency_key,
                    actor=actor if getattr(actor, "pk", None) else None,
                    request_fingerprint=fingerprint,
                )
                Posting.objects.bulk_create(
                    Posting(entry=entry, account=account, amount=amount) for account, amount in lines
                )
                for account, amount in lines:
                    LedgerAccount.objects.filter(pk=account.pk).update(balance=F("balance") + amount)
        except IntegrityError:
            existing = _replayed(idempotency_key, fingerprint)
            if existing is not None:
                return existing
            raise
        for account, amount in lines:
            account.balance = locked[account.pk].balance + amount
        audit.record(
            "ledger.entry",
            entry,
            actor=actor,
            after={
                "kind": kind,
                "idempotency_key": idempotency_key,
                "memo": memo,
                "postings": [{"account": account.code, "amount": amount} for account, amount in lines],
            },
        )
    return entry


def transfer_many(
    *,
    source: LedgerAccount,
    destination: LedgerAccount,
    kind: str,
    items: Sequence[tuple[str, int]],
    memo: str = "",
    actor: Any = None,
) -> int:
    """Many transfers between the same two accounts at once: each still its own journal entry under its
    own idempotency key, with its postings and audit row, but the two accounts are locked once and their
    balances moved once by the sum. For a worker applying a chunk of confirmed payouts (where one lock
    round trip per payout would make the two hot accounts the bottleneck). Keys already used for the
    same request are skipped; returns how many entries were written.
    """
    if source.pk == destination.pk:
        raise fail("SAME_ACCOUNT", "destination")
    wanted: dict[str, int] = {}
    for key, amount in items:
        _check_request(kind, key, memo)
        problem = rules.amount_problem(amount)
        if problem is not None:
            raise DomainError([problem])
        wanted.setdefault(key, amount)
    if not wanted:
        return 0
    fingerprints = {
        key: rules.fingerprint(kind, [(source.code, -amount), (destination.code, amount)])
        for key, amount in wanted.items()
    }
    with transaction.atomic():
        locked = {
            account.pk: account
            for account in LedgerAccount.objects.select_for_update()
            .filter(pk__in=[source.pk, destination.pk])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise LedgerAccount.DoesNotExist("every account of an entry must be saved first")
        used = dict(
            JournalEntry.objects.filter(idempotency_key__in=list(wanted)).values_list(
                "idempotency_key", "request_fingerprint"
            )
        )
        if any(fingerprints[key] != fingerprint for key, fingerprint in used.items()):
            raise fail("IDEMPOTENCY_CONFLICT", "idempotency_key", status=409)
        fresh = [(key, amount) for key, amount in wanted.items() if key not in used]
        if not fresh:
            return 0
        total = sum(amount for _key, amount in fresh)
        _check_funds([(source, -total), (destination, total)], locked)
        now = clock.now()
        actor_or_none = actor if getattr(actor, "pk", None) else None
        entries = JournalEntry.objects.bulk_create(
            JournalEntry(
                at=now,
                kind=kind,
                memo=memo,
                idempotency_key=key,
                actor=actor_or_none,
                request_fingerprint=fingerprints[key],
            )
            for key, _amount in fresh
        )
        postings = []
        for entry, (_key, amount) in zip(entries, fresh, strict=True):
            postings += [
                Posting(entry=entry, account=source, amount=-amount),
                Posting(entry=entry, account=destination, amount=amount),
            ]
        Posting.objects.bulk_create(postings)
        LedgerAccount.objects.filter(pk=source.pk).update(balance=F("balance") - total)
        LedgerAccount.objects.filter(pk=destination.pk).update(balance=F("balance") + total)
        source.balance = locked[source.pk].balance - total
        destination.balance = locked[destination.pk].balance + total
        audit.record_many(
            "ledger.entry",
            [
                (
                    entry,
                    None,
                    {
                        "kind": kind,
                        "idempotency_key": key,
                        "memo": memo,
                        "postings": [
                            {"account": source.code, "amount": -amount},
                            {"account": destination.code, "amount": amount},
                        ],
                    },
                )
                for entry, (key, amount) in zip(entries, fresh, strict=True)
            ],
            actor=actor,
        )
    return len(fresh)


def _check_request(kind: str, idempotency_key: str, memo: str) -> None:
    problems: list[Problem] = []
    if not isinstance(idempotency_key, str) or not idempotency_key.strip():
        problems.append(Problem("FIELD_REQUIRED", "idempotency_key"))
    elif len(idempotency_key) > _KEY_MAX:
        problems.append(Problem("TOO_LONG", "idempotency_key", {"max": _KEY_MAX}))
    if not isinstance(kind, str) or not kind.strip():
        problems.append(Problem("FIELD_REQUIRED", "kind"))
    elif len(kind) > _KIND_MAX:
        problems.append(Problem("TOO_LONG", "kind", {"max": _KIND_MAX}))
    if not isinstance(memo, str):
        problems.append(Problem("INVALID_TYPE", "memo"))
    elif len(memo) > _MEMO_MAX:
        problems.append(Problem("TOO_LONG", "memo", {"max": _MEMO_MAX}))
    if problems:
        raise DomainError(problems)


def _replayed(idempotency_key: str, fingerprint: str) -> JournalEntry | None:
    """The entry already written under this key, if it is the same request; a different one is a conflict."""
    entry = JournalEntry.objects.filter(idempotency_key=idempotency_key).first()
    if entry is None:
        return None
    if entry.request_fingerprint != fingerprint:
        raise fail("IDEMPOTENCY_CONFLICT", "idempotency_key", status=409)
    return entry


def _check_funds(lines: Sequence[tuple[LedgerAccount, int]], locked: dict[int, LedgerAccount]) -> None:
    """Refuse when a locked account that may not go negative would; reads the locked (fresh) balances."""
    balances = {account.code: account.balance for account in locked.values()}
    may_go_negative = {account.code for account in locked.values() if account.allow_negative}
    plain = [(account.code, amount) for account, amount in lines]
    short = rules.overdrawn(balances, plain, may_go_negative)
    if short:
        needed = {code: -amount for code, amount in plain}
        raise DomainError(
            [
                Problem(
                    "BALANCE_INSUFFICIENT",
                    "amount",
                    {"available": rules.rupiah(balances[code]), "needed": rules.rupiah(needed[code])},
                )
                for code in short
            ]
        )


# --- balances ---------------------------------------------------------------
def balance_of(account: LedgerAccount) -> int:
    """The account's cached balance, read from the database (not from a possibly stale instance)."""
    return LedgerAccount.objects.values_list("balance", flat=True).get(pk=account.pk)


def derived_balance(account: LedgerAccount) -> int:
    """The account's balance as the sum of its postings: the truth the cache must equal."""
    return Posting.objects.filter(account=account).aggregate(total=Coalesce(Sum("amount"), 0))["total"]


def verify_balances() -> list[str]:
    """Codes of the accounts whose cached balance differs from the sum of their postings."""
    rows = LedgerAccount.objects.annotate(derived=Coalesce(Sum("postings__amount"), 0)).order_by("code")
    return [row.code for row in rows if row.balance != row.derived]


def sign_violations() -> list[str]:
    """Codes of the accounts outside their allowed sign (the state's side at most zero, all others at least)."""
    wrong_negative = LedgerAccount.objects.filter(balance__lt=0).exclude(kind__in=NEGATIVE_KINDS)
    wrong_positive = LedgerAccount.objects.filter(balance__gt=0, kind__in=NEGATIVE_KINDS)
    return sorted([*wrong_negative.values_list("code", flat=True), *wrong_positive.values_list("code", flat=True)])


def journal_total() -> int:
    """The sum of every posting ever written: zero, or money was created or destroyed."""
    return Posting.objects.aggregate(total=Coalesce(Sum("amount"), 0))["total"]


def unbalanced_entries() -> list[str]:
    """Public ids of entries whose postings do not sum to zero (or have fewer than two lines)."""
    rows = (
        JournalEntry.objects.annotate(total=Coalesce(Sum("postings__amount"), 0), lines=Count("postings"))
        .exclude(total=0, lines__gte=2)
        .order_by("id")
        .values_list("public_id", flat=True)
    )
    return [str(public_id) for public_id in rows]
