"""Identity, profile and declaration actions of a participant."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from prakerja.accounts.models import User
from prakerja.core import audit, clock
from prakerja.core.errors import DomainError, Problem, fail
from prakerja.core.program import setting
from prakerja.registry import declaration
from prakerja.registry.civil_registry import RegistryUnavailable, registry
from prakerja.registry.matching import Submitted
from prakerja.registry.models import Declaration, Person
from prakerja.registry.validation import check_identity, check_profile


def person_of(user: User) -> Person:
    """The participant record of an account, created empty on first use."""
    person, _ = Person.objects.get_or_create(user=user)
    return person


def _require_contacts_verified(user: User) -> None:
    problems = []
    if user.email_verified_at is None:
        problems.append(Problem("EMAIL_NOT_VERIFIED", "email"))
    if user.phone_verified_at is None:
        problems.append(Problem("PHONE_NOT_VERIFIED", "phone"))
    if problems:
        raise DomainError(problems, status=409)


def submit_identity(user: User, data: dict[str, Any], *, ip: str | None = None) -> Person:
    """Check the identity, ask the civil registry, then store it whole — or store nothing.

    Steps: contacts verified; the identity is not already verified; every field
    valid (all problems at once); the NIK not used by another account; the
    civil registry agrees on NIK, KK, name and birth date; then one write.
    """
    _require_contacts_verified(user)
    person = person_of(user)
    if person.identity_verified_at is not None:
        raise fail("IDENTITY_LOCKED", None, status=409)
    identity, problems = check_identity(data, today=clock.today())
    if problems:
        raise DomainError(problems)
    assert identity is not None
    if Person.objects.with_nik(identity.nik).exclude(pk=person.pk).exists():
        raise fail("NIK_ALREADY_REGISTERED", "nik", status=409)
    submitted = Submitted(identity.nik, identity.kk_number, identity.full_name, identity.birth_date)
    try:
        mismatches = registry().check(submitted)
    except RegistryUnavailable:
        raise fail("REGISTRY_UNAVAILABLE", None, status=503) from None
    if mismatches:
        fields = {
            "REGISTRY_NIK_NOT_FOUND": "nik",
            "REGISTRY_KK_MISMATCH": "kk_number",
            "REGISTRY_NAME_MISMATCH": "full_name",
            "REGISTRY_BIRTH_DATE_MISMATCH": "birth_date",
        }
        raise DomainError([Problem(code, fields.get(code)) for code in mismatches])
    try:
        with transaction.atomic():
            locked = Person.objects.select_for_update().get(pk=person.pk)
            if locked.identity_verified_at is not None:
                raise fail("IDENTITY_LOCKED", None, status=409)
            for name, value in vars(identity).items():
                setattr(locked, name, value)
            locked.identity_verified_at = clock.now()
            locked.save()
            audit.record(
                "identity.verified",
                locked,
                actor=user,
                ip=ip,
                after={
                    "ktp_district": identity.ktp_district.code,
                    "domicile_district": identity.domicile_district.code,
                },
            )
    except IntegrityError:
        # Another account stored the same NIK between our check and our write.
        raise fail("NIK_ALREADY_REGISTERED", "nik", status=409) from None
    return locked


def save_profile(user: User, data: dict[str, Any], *, ip: str | None = None) -> Person:
    person = person_of(user)
    if person.identity_verified_at is None:
        raise fail("IDENTITY_REQUIRED", None, status=409)
    clean, problems = check_profile(data)
    if problems:
        raise DomainError(problems)
    assert clean is not None
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        before = {k: getattr(person, k) for k in clean}
        for name, value in clean.items():
            setattr(person, name, value)
        person.profile_completed_at = person.profile_completed_at or clock.now()
        person.save()
        audit.record("profile.saved", person, actor=user, ip=ip, before=before, after=clean)
    return person


def current_declaration_version() -> str:
    return str(setting("declaration_version"))


def has_current_declaration(person: Person) -> bool:
    return person.declarations.filter(version=current_declaration_version()).exists()


def accept_declaration(user: User, version: str, *, ip: str | None = None) -> Declaration:
    person = person_of(user)
    if person.profile_completed_at is None:
        raise fail("PROFILE_REQUIRED", None, status=409)
    current = current_declaration_version()
    if version != current:
        raise fail("DECLARATION_OUTDATED", "version")
    with transaction.atomic():
        accepted, created = Declaration.objects.get_or_create(
            person=person,
            version=current,
            defaults={"text_sha256": declaration.digest(current), "accepted_at": clock.now(), "ip": ip},
        )
        if created:
            audit.record("declaration.accepted", person, actor=user, ip=ip, after={"version": current})
    return accepted
