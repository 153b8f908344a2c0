"""Eligibility rules: pure functions over plain data, returning every failing rule's code.

No database here: the facts are gathered once (``facts.py``) and the same
rules run for one person on the dashboard and, later, for millions in a batch
selection, whose SQL must agree with these functions (tested both ways).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from prakerja.core.errors import Problem
from prakerja.core.program import DEFAULTS


@dataclass(frozen=True)
class Rules:
    """The program settings the rules read (PROGRAM.md, "Eligibility"); defaults are the program's."""

    min_age: int = DEFAULTS["min_age"]
    max_age: int = DEFAULTS["max_age"]
    kk_recipient_cap: int = DEFAULTS["kk_recipient_cap"]
    excluded_occupations: Sequence[str] = tuple(DEFAULTS["excluded_occupations"])


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about one applicant on one day."""

    on: dt.date
    birth_date: dt.date | None
    in_formal_education: bool | None
    occupation: str
    kk_recipients: int  # recipients (current or revoked) on the same family card, this person excluded
    prior_recipient: bool
    revoked: bool
    identity_verified: bool
    profile_complete: bool
    declaration_accepted: bool
    test_taken: bool


def birthday(birth_date: dt.date, year: int) -> dt.date:
    """The birthday in ``year``; a 29 February birthday falls on 1 March in common years."""
    try:
        return birth_date.replace(year=year)
    except ValueError:
        return dt.date(year, 3, 1)


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Completed years of age on a day: a person turns N on their Nth birthday."""
    age = on.year - birth_date.year
    return age if on >= birthday(birth_date, on.year) else age - 1


def problems(facts: Facts, rules: Rules) -> list[Problem]:
    """Every failing rule, in a fixed order (the order the dashboard explains them)."""
    found: list[Problem] = []
    if not facts.identity_verified:
        found.append(Problem("IDENTITY_NOT_VERIFIED", "identity"))
    if not facts.profile_complete:
        found.append(Problem("PROFILE_INCOMPLETE", "profile"))
    if not facts.declaration_accepted:
        found.append(Problem("DECLARATION_NOT_ACCEPTED", "declaration"))
    if not facts.test_taken:
        found.append(Problem("TEST_NOT_TAKEN", "test"))
    if facts.birth_date is not None:
        age = age_on(facts.birth_date, facts.on)
        if not rules.min_age <= age <= rules.max_age:
            found.append(
                Problem("AGE_OUT_OF_RANGE", "birth_date", {"min_age": rules.min_age, "max_age": rules.max_age})
            )
    if facts.in_formal_education:
        found.append(Problem("IN_FORMAL_EDUCATION", "in_formal_education"))
    if facts.occupation in rules.excluded_occupations:
        found.append(Problem("EXCLUDED_OCCUPATION", "occupation", {"occupation": facts.occupation}))
    if facts.revoked:
        found.append(Problem("REVOKED", None))
    elif facts.prior_recipient:
        found.append(Problem("ALREADY_RECIPIENT", None))
    if not facts.prior_recipient and not facts.revoked and facts.kk_recipients >= rules.kk_recipient_cap:
        found.append(Problem("KK_QUOTA_REACHED", "kk_number", {"cap": rules.kk_recipient_cap}))
    return found


def codes(facts: Facts, rules: Rules) -> list[str]:
    return [p.code for p in problems(facts, rules)]


def _years_before(on: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier; 29 February becomes 28 February in a common year."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return dt.date(on.year - years, 2, 28)


def birth_date_bounds(on: dt.date, rules: Rules) -> tuple[dt.date, dt.date]:
    """(earliest, latest) birth dates of people aged min_age..max_age on ``on``, both inclusive.

    Lets a set-based selection test ages with two date comparisons; agrees with :func:`age_on`
    (tested over every day of several leap cycles).
    """
    latest = _years_before(on, rules.min_age)
    earliest = _years_before(on, rules.max_age + 1) + dt.timedelta(days=1)
    return earliest, latest


def tier_of(employment_status: str, prior_training: bool, tiers: Sequence[dict[str, list[object]]]) -> int:
    """Priority tier (1 = first): the first tier whose every field matches one of its values."""
    facts = {"employment_status": employment_status, "prior_training": prior_training}
    for number, tier in enumerate(tiers, start=1):
        if all(facts.get(field) in values for field, values in tier.items()):
            return number
    return len(tiers) + 1
