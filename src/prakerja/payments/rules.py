"""Pure rules of the ledger: amounts, balanced entries, request fingerprints, overdrafts.

Plain functions over plain data (account codes and integers), so they are
unit-tested without a database; :mod:`prakerja.payments.actions` applies them
to locked rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from typing import TypeGuard

from prakerja.core.errors import Problem

# One line moves at most Rp 1 quadrillion (10^15), far above any program budget
# (the whole state budget is a few times 10^15). The cap keeps every sum of lines
# and every running balance far inside BigIntegerField (9.2 × 10^18), so an
# overflow can never be the way money appears or vanishes.
MAX_AMOUNT = 10**15

Line = tuple[str, int]  # (account code, signed amount in rupiah)


def rupiah(amount: int) -> str:
    """``3500000`` -> ``"Rp 3.500.000"`` (Indonesian digit grouping)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")


def is_whole_rupiah(value: object) -> TypeGuard[int]:
    """An ``int`` that is not a ``bool``: floats, Decimals and strings never reach the journal."""
    return isinstance(value, int) and not isinstance(value, bool)


def amount_problem(amount: object, field: str = "amount") -> Problem | None:
    """The problem with a transfer amount (positive whole rupiah up to :data:`MAX_AMOUNT`), or ``None``."""
    if is_whole_rupiah(amount) and 0 < amount <= MAX_AMOUNT:
        return None
    return Problem("AMOUNT_INVALID", field, {"max": rupiah(MAX_AMOUNT)})


def line_problems(lines: Sequence[Line]) -> list[Problem]:
    """Every reason a set of postings cannot form one journal entry.

    Steps: each amount is a non-zero whole rupiah of at most :data:`MAX_AMOUNT`
    either way; each account appears once (a second line on the same account
    would hide a netting mistake); there are at least two lines and they sum to
    zero, so money only ever moves and is never created or destroyed.
    """
    problems: list[Problem] = []
    amounts_ok = True
    for _code, amount in lines:
        if not (is_whole_rupiah(amount) and 0 < abs(amount) <= MAX_AMOUNT):
            problems.append(Problem("AMOUNT_INVALID", "amount", {"max": rupiah(MAX_AMOUNT)}))
            amounts_ok = False
            break
    codes = [code for code, _amount in lines]
    if len(set(codes)) != len(codes):
        problems.append(Problem("SAME_ACCOUNT", "account"))
    if len(lines) < 2 or (amounts_ok and sum(amount for _code, amount in lines) != 0):
        problems.append(Problem("ENTRY_UNBALANCED", "lines"))
    return problems


def fingerprint(kind: str, lines: Sequence[Line]) -> str:
    """SHA-256 of the canonical request: the entry kind and its lines, in any order.

    The memo and the actor are left out on purpose: a client retrying a request
    may word the memo differently or run as another operator, and that is still
    the same movement of money. Kind, accounts and amounts are what must match.
    """
    canonical = json.dumps(
        {"kind": kind, "lines": sorted([code, amount] for code, amount in lines)}, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def overdrawn(balances: Mapping[str, int], lines: Sequence[Line], allow_negative: Collection[str] = ()) -> list[str]:
    """Codes of the accounts that the lines would take below zero (those in ``allow_negative`` never are)."""
    return [
        code
        for code, amount in lines
        if amount < 0 and code not in allow_negative and balances.get(code, 0) + amount < 0
    ]
