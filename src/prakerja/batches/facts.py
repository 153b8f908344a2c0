"""Gathering an applicant's eligibility facts from the database (one person at a time)."""

from __future__ import annotations

import datetime as dt

from prakerja.aptitude.actions import test_taken
from prakerja.batches.eligibility import Facts, Rules
from prakerja.core import clock
from prakerja.core.program import setting
from prakerja.registry.actions import has_current_declaration
from prakerja.registry.models import Person, ProgramStatus


def current_rules() -> Rules:
    return Rules(
        min_age=setting("min_age"),
        max_age=setting("max_age"),
        kk_recipient_cap=setting("kk_recipient_cap"),
        excluded_occupations=tuple(setting("excluded_occupations")),
    )


def facts_for(
    person: Person,
    on: dt.date | None = None,
    *,
    declaration_accepted: bool | None = None,
    tkd_taken: bool | None = None,
    kk_recipients: int | None = None,
) -> Facts:
    """``declaration_accepted``, ``tkd_taken`` and ``kk_recipients`` (how many others on the person's family
    card are or were recipients) may be given when the caller has just read them."""
    if kk_recipients is None:
        kk_recipients = 0 if not person.kk_index else _kk_recipients(person)
    return Facts(
        on=on or clock.today(),
        birth_date=person.birth_date,
        in_formal_education=person.in_formal_education,
        occupation=person.occupation,
        kk_recipients=kk_recipients,
        prior_recipient=person.program_status == ProgramStatus.RECIPIENT,
        revoked=person.program_status == ProgramStatus.REVOKED,
        identity_verified=person.identity_verified_at is not None,
        profile_complete=person.profile_completed_at is not None,
        declaration_accepted=(
            has_current_declaration(person) if declaration_accepted is None else declaration_accepted
        ),
        test_taken=test_taken(person.user) if tkd_taken is None else tkd_taken,
    )


def _kk_recipients(person: Person) -> int:
    """How many other people on the person's family card are or were recipients."""
    return (
        Person.objects.filter(
            kk_index=person.kk_index,
            program_status__in=[ProgramStatus.RECIPIENT, ProgramStatus.REVOKED],
        )
        .exclude(pk=person.pk)
        .count()
    )
