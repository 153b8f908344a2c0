"""Pure rules of incentive payouts: account formats, ownership, the payout state machine, retry
backoff and statement matching. Plain data in, codes and decisions out; no database."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from prakerja.core.errors import Problem
from prakerja.registry.matching import normalize_name


# --- payout accounts --------------------------------------------------------------------------------
def digits_of(raw: object) -> str:
    """What people type: ``1234-5678 90`` or ``0812 3456 7890``; keep the digits (a leading + becomes 0)."""
    text = str(raw or "").strip()
    if text.startswith("+62"):
        text = "0" + text[3:]
    elif text.startswith("62") and len(text) > 11:
        text = "0" + text[2:]
    return re.sub(r"[\s.\-]", "", text)


def account_number_problem(provider_name: str, pattern: str, hint: str, number: str) -> Problem | None:
    """The number must fully match the provider's format (and be digits only)."""
    if number.isdigit() and re.fullmatch(pattern, number):
        return None
    return Problem("ACCOUNT_NUMBER_INVALID", "account_number", {"provider": provider_name, "hint": hint})


@dataclass(frozen=True)
class Owner:
    """What the program knows about the participant, to compare with the gateway's answer."""

    nik: str
    full_name: str
    phone: str  # E.164 (+62…)


def ownership_problems(channel: str, owner: Owner, typed_holder: str, inquiry: Mapping[str, object]) -> list[Problem]:
    """Every reason the account the gateway describes is not the participant's own.

    Banks answer with the holder's NIK and name: both must be the participant's.
    E-wallets are tied to a phone: it must be the participant's verified phone,
    and the wallet's name must be theirs too. The name typed in the form must
    also match, so a participant notices a typo before the money goes anywhere.
    """
    problems: list[Problem] = []
    if str(inquiry.get("status") or "active") != "active":
        return [Problem("ACCOUNT_BLOCKED", "account_number")]
    holder = normalize_name(str(inquiry.get("holder_name") or ""))
    if channel == "bank":
        if str(inquiry.get("holder_nik") or "") != owner.nik:
            problems.append(Problem("HOLDER_NIK_MISMATCH", "account_number"))
    else:
        if digits_of(inquiry.get("phone")) != digits_of(owner.phone):
            problems.append(Problem("PHONE_MISMATCH", "account_number"))
    if holder != normalize_name(owner.full_name) or normalize_name(typed_holder) != normalize_name(owner.full_name):
        problems.append(Problem("HOLDER_NAME_MISMATCH", "holder_name"))
    return problems


# --- the payout state machine -------------------------------------------------------------------------
# due -> sent -> confirmed | failed; sent -> retrying -> sent (same key); confirmed -> returned.
# What the gateway reports moves a payout forward only; these are the moves allowed per report.
_MOVES: dict[str, dict[str, str]] = {
    "processing": {"due": "sent", "retrying": "sent"},
    "success": {"due": "confirmed", "sent": "confirmed", "retrying": "confirmed"},
    "failed": {"due": "failed", "sent": "failed", "retrying": "failed"},
    "returned": {"confirmed": "returned", "sent": "returned", "retrying": "returned"},
}


def next_status(current: str, reported: str) -> str | None:
    """The payout's new status after the gateway reports ``reported``; None when the report changes nothing
    (a duplicate, or a stale report arriving after a newer one)."""
    return _MOVES.get(reported, {}).get(current)


def retry_delay(attempts: int, base_seconds: float, max_seconds: float) -> float:
    """Exponential backoff: base, 2×base, 4×base … capped, after the ``attempts``-th send failed."""
    return float(min(max_seconds, base_seconds * (2 ** max(0, attempts - 1))))


def payout_key(entitlement_public_id: str, generation: int) -> str:
    """The idempotency key of the ``generation``-th payout of an entitlement (a new one only after the
    previous one definitively failed or was returned): derived, never from a timestamp."""
    return f"PKJ-{entitlement_public_id.replace('-', '')}-{generation}"


# --- reconciliation -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class StatementLine:
    idempotency_key: str
    amount: int
    status: str


@dataclass(frozen=True)
class BookLine:
    idempotency_key: str
    amount: int
    status: str  # the payout's status


@dataclass(frozen=True)
class Difference:
    kind: str
    idempotency_key: str
    statement_amount: int | None
    book_amount: int | None


def reconcile(
    statement: Iterable[StatementLine], book: Mapping[str, BookLine], confirmed_that_day: Iterable[str]
) -> list[Difference]:
    """Match a day's statement with the books by idempotency key.

    ``book`` holds every payout named in the statement (looked up by key);
    ``confirmed_that_day`` the keys of payouts the platform confirmed on the
    statement's day. Differences:
    - a key the platform never issued: ``unknown_transfer``;
    - paid (or returned) by the bank but not confirmed here: ``paid_not_confirmed``;
    - amounts differ: ``amount_differs``;
    - confirmed here that day but absent from the statement: ``confirmed_not_in_statement``.
    """
    differences: list[Difference] = []
    seen: set[str] = set()
    for line in statement:
        seen.add(line.idempotency_key)
        ours = book.get(line.idempotency_key)
        if ours is None:
            differences.append(Difference("unknown_transfer", line.idempotency_key, line.amount, None))
            continue
        if line.amount != ours.amount:
            differences.append(Difference("amount_differs", line.idempotency_key, line.amount, ours.amount))
        if line.status == "success" and ours.status != "confirmed":
            differences.append(Difference("paid_not_confirmed", line.idempotency_key, line.amount, ours.amount))
    for key in confirmed_that_day:
        if key not in seen:
            ours = book.get(key)
            differences.append(Difference("confirmed_not_in_statement", key, None, ours.amount if ours else None))
    return differences
