"""State changes of the catalog: onboarding institutions, their trainers and venues,
integration keys, programs and their curation, classes and their sessions."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction

from prakerja.catalog import rules
from prakerja.catalog.models import Institution, InstitutionStaff, Program, Session, Trainer, TrainingClass, Venue
from prakerja.core import audit, clock
from prakerja.core.errors import DomainError, Problem, fail
from prakerja.core.program import setting
from prakerja.regions.models import District


def limits() -> rules.Limits:
    return rules.Limits(
        min_hours=setting("min_training_hours"),
        max_price=setting("training_balance"),
        offline_max=setting("offline_class_max"),
        offline_min_trainers=setting("offline_min_trainers"),
        online_max=setting("online_class_max"),
        close_days_online=setting("enrollment_close_days_online"),
        close_days_offline=setting("enrollment_close_days_offline"),
    )


def _district(code: str | None, field: str = "district_code") -> District | None:
    if not code:
        return None
    district = District.objects.filter(code=code).select_related("regency").first()
    if district is None:
        raise fail("DISTRICT_UNKNOWN", field)
    return district


# --- institutions -----------------------------------------------------------------------------------
@transaction.atomic
def create_institution(
    *,
    legal_name: str,
    kind: str = Institution.Kind.LPK,
    licence_number: str = "",
    address: str = "",
    district_code: str | None = None,
    email: str = "",
    phone: str = "",
    actor: Any = None,
) -> Institution:
    """Onboard an institution or platform; it gets integration credentials at once."""
    if not legal_name.strip():
        raise fail("FIELD_REQUIRED", "legal_name")
    if kind not in Institution.Kind.values:
        raise fail("INVALID_VALUE", "kind")
    district = _district(district_code)
    institution = Institution.objects.create(
        legal_name=legal_name.strip(),
        kind=kind,
        licence_number=licence_number.strip(),
        address=address.strip(),
        district=district,
        regency_code=district.regency_id if district else "",
        province_code=district.regency.province_id if district else "",
        email=email,
        phone=phone,
        status=Institution.Status.ACTIVE,
    )
    audit.record("institution.created", institution, actor=actor, after={"legal_name": institution.legal_name})
    return institution


@transaction.atomic
def rotate_sign_key(institution: Institution, *, actor: Any = None) -> str:
    """Issue a new sign key; the old one keeps working for the grace period (a setting)."""
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    institution.previous_sign_key = institution.sign_key
    institution.previous_key_valid_until = clock.now() + dt.timedelta(hours=setting("sign_key_grace_hours"))
    institution.sign_key = secrets.token_urlsafe(32)
    institution.save(update_fields=["sign_key", "previous_sign_key", "previous_key_valid_until"])
    audit.record("institution.key_rotated", institution, actor=actor)
    return institution.sign_key


@transaction.atomic
def set_institution_status(
    institution: Institution, status: str, reason: str = "", *, actor: Any = None
) -> Institution:
    """Suspend an institution (its programs leave the catalog and its API calls are refused;
    purchases already made stay valid) or make it active again."""
    if status not in (Institution.Status.ACTIVE, Institution.Status.SUSPENDED):
        raise fail("INVALID_VALUE", "status")
    if status == Institution.Status.SUSPENDED and not reason.strip():
        raise fail("REJECTION_REASON_REQUIRED", "reason")
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    before = institution.status
    institution.status = status
    institution.save(update_fields=["status"])
    audit.record(
        "institution.status",
        institution,
        actor=actor,
        before={"status": before},
        after={"status": status, "reason": reason},
    )
    return institution


def add_staff(institution: Institution, user: Any, *, actor: Any = None) -> InstitutionStaff:
    from prakerja.accounts.models import User

    with transaction.atomic():
        staff, _ = InstitutionStaff.objects.get_or_create(user=user, defaults={"institution": institution})
        if staff.institution_id != institution.pk:
            raise fail("NOT_YOUR_INSTITUTION", "user", status=409)
        role = User.Role.PLATFORM if institution.kind == Institution.Kind.PLATFORM else User.Role.INSTITUTION
        User.objects.filter(pk=user.pk).update(role=role)
        audit.record("institution.staff_added", staff, actor=actor)
    return staff


def add_trainer(
    institution: Institution, *, full_name: str, certificate_number: str = "", competency: str = "", actor: Any = None
) -> Trainer:
    if not full_name.strip():
        raise fail("FIELD_REQUIRED", "full_name")
    trainer = Trainer.objects.create(
        institution=institution,
        full_name=full_name.strip(),
        certificate_number=certificate_number.strip(),
        competency=competency.strip(),
    )
    audit.record("institution.trainer_added", trainer, actor=actor)
    return trainer


def add_venue(
    institution: Institution,
    *,
    name: str,
    district_code: str,
    capacity: int,
    address: str = "",
    facilities: str = "",
    actor: Any = None,
) -> Venue:
    problems = []
    if not name.strip():
        problems.append(Problem("FIELD_REQUIRED", "name"))
    if capacity < 1 or capacity > 100_000:
        problems.append(Problem("INVALID_VALUE", "capacity"))
    if problems:
        raise DomainError(problems)
    district = _district(district_code)
    assert district is not None
    venue = Venue.objects.create(
        institution=institution,
        name=name.strip(),
        district=district,
        capacity=capacity,
        address=address,
        facilities=facilities,
    )
    audit.record("institution.venue_added", venue, actor=actor)
    return venue


def qualification(institution: Institution) -> list[str]:
    """The institution's remaining gaps (empty: qualified)."""
    return rules.qualification_gaps(
        licence_number=institution.licence_number,
        district=institution.district_id is not None,
        certified_trainers=institution.trainers.exclude(certificate_number="").count(),
        venues=institution.venues.count(),
        offers_face_to_face=institution.kind != Institution.Kind.PLATFORM,
    )


# --- programs -----------------------------------------------------------------------------------------
PROGRAM_FIELDS = ("title", "category", "description", "competencies", "mode", "hours", "price")


@transaction.atomic
def save_program(
    institution: Institution, data: dict[str, Any], *, program: Program | None = None, actor: Any = None
) -> Program:
    """Create or change a program (a draft, or a rejected one being corrected)."""
    if institution.status != Institution.Status.ACTIVE:
        raise fail("INSTITUTION_NOT_ACTIVE", status=409)
    if program is not None:
        program = Program.objects.select_for_update().get(pk=program.pk)
        if program.institution_id != institution.pk:
            raise fail("NOT_YOUR_INSTITUTION", status=404)
        if program.status not in (Program.Status.DRAFT, Program.Status.REJECTED):
            raise fail("PROGRAM_NOT_EDITABLE", status=409)
    problems = [
        Problem("FIELD_REQUIRED", name) for name in ("title", "description") if not str(data.get(name, "")).strip()
    ]
    mode = data.get("mode", "")
    district_code = data.get("district_code") or None
    problems += rules.program_problems(
        category=data.get("category", ""),
        mode=mode,
        hours=int(data.get("hours") or 0),
        price=int(data.get("price") or 0),
        district_code=district_code,
        limits=limits(),
    )
    if problems:
        raise DomainError(problems)
    district = _district(district_code) if mode in rules.FACE_TO_FACE else None
    program = program or Program(institution=institution)
    for name in PROGRAM_FIELDS:
        setattr(program, name, data[name].strip() if isinstance(data.get(name), str) else data.get(name, ""))
    program.district = district
    program.regency_code = district.regency_id if district else ""
    program.province_code = district.regency.province_id if district else ""
    program.status = Program.Status.DRAFT
    program.save()
    audit.record("program.saved", program, actor=actor, after={"title": program.title, "price": program.price})
    return program


def _locked_program(program: Program) -> Program:
    return Program.objects.select_for_update().get(pk=program.pk)


@transaction.atomic
def submit_program(program: Program, *, actor: Any = None) -> Program:
    program = _locked_program(program)
    if program.status not in (Program.Status.DRAFT, Program.Status.REJECTED):
        raise fail("PROGRAM_NOT_EDITABLE", status=409)
    program.status = Program.Status.SUBMITTED
    program.submitted_at = clock.now()
    program.save(update_fields=["status", "submitted_at"])
    audit.record("program.submitted", program, actor=actor)
    return program


@transaction.atomic
def approve_program(program: Program, *, actor: Any = None) -> Program:
    program = _locked_program(program)
    if program.status != Program.Status.SUBMITTED:
        raise fail("PROGRAM_NOT_SUBMITTED", status=409)
    program.status = Program.Status.APPROVED
    program.rejection_reasons = []
    program.decided_at = clock.now()
    program.decided_by = actor if getattr(actor, "pk", None) else None
    program.save(update_fields=["status", "rejection_reasons", "decided_at", "decided_by"])
    audit.record("program.approved", program, actor=actor)
    return program


@transaction.atomic
def reject_program(program: Program, reasons: Sequence[str], *, actor: Any = None) -> Program:
    reasons = [r.strip() for r in reasons if r and r.strip()]
    if not reasons:
        raise fail("REJECTION_REASON_REQUIRED", "reasons")
    program = _locked_program(program)
    if program.status != Program.Status.SUBMITTED:
        raise fail("PROGRAM_NOT_SUBMITTED", status=409)
    program.status = Program.Status.REJECTED
    program.rejection_reasons = reasons
    program.decided_at = clock.now()
    program.decided_by = actor if getattr(actor, "pk", None) else None
    program.save(update_fields=["status", "rejection_reasons", "decided_at", "decided_by"])
    audit.record("program.rejected", program, actor=actor, after={"reasons": reasons})
    return program


@transaction.atomic
def suspend_program(program: Program, reason: str, *, actor: Any = None) -> Program:
    """Take an approved program off the catalog; purchases already made stay valid."""
    if not reason.strip():
        raise fail("REJECTION_REASON_REQUIRED", "reason")
    program = _locked_program(program)
    if program.status != Program.Status.APPROVED:
        raise fail("PROGRAM_NOT_APPROVED", status=409)
    program.status = Program.Status.SUSPENDED
    program.rejection_reasons = [reason.strip()]
    program.decided_at = clock.now()
    program.save(update_fields=["status", "rejection_reasons", "decided_at"])
    audit.record("program.suspended", program, actor=actor, after={"reason": reason})
    return program


# --- classes -------------------------------------------------------------------------------------------
def new_class_code() -> str:
    return "KLS" + secrets.token_hex(4).upper()


@transaction.atomic
def create_class(
    program: Program,
    *,
    capacity: int,
    sessions: Sequence[tuple[dt.datetime, dt.datetime]],
    venue: Venue | None = None,
    trainers: Sequence[Trainer] = (),
    code: str | None = None,
    actor: Any = None,
) -> TrainingClass:
    """Schedule a class of an approved program, checked against the delivery standards."""
    if program.institution.status != Institution.Status.ACTIVE:
        raise fail("INSTITUTION_NOT_ACTIVE", status=409)
    if program.status != Program.Status.APPROVED:
        raise fail("PROGRAM_NOT_APPROVED", status=409)
    problems = []
    if venue is not None and venue.institution_id != program.institution_id:
        problems.append(Problem("NOT_YOUR_INSTITUTION", "venue"))
    elif venue is not None and program.mode in rules.FACE_TO_FACE and venue.district.regency_id != program.regency_code:
        # The catalog and the coverage figures place a class where its program says it is given.
        problems.append(Problem("VENUE_OUTSIDE_PROGRAM_AREA", "venue"))
    if any(t.institution_id != program.institution_id for t in trainers):
        problems.append(Problem("TRAINER_NOT_OF_INSTITUTION", "trainers"))
    ordered = sorted(sessions, key=lambda s: s[0])
    face_to_face = program.mode in rules.FACE_TO_FACE
    problems += rules.class_problems(
        mode=program.mode,
        capacity=capacity,
        trainers=len(set(t.pk for t in trainers)),
        venue_capacity=venue.capacity if venue is not None and face_to_face else None,
        sessions=ordered,
        program_hours=program.hours,
        now=clock.now(),
        limits=limits(),
    )
    if problems:
        raise DomainError(problems)
    starts_at = ordered[0][0]
    try:
        with transaction.atomic():
            training_class = TrainingClass.objects.create(
                code=(code or new_class_code()).strip().upper(),
                program=program,
                venue=venue if face_to_face else None,
                capacity=capacity,
                starts_at=starts_at,
                enrollment_closes_at=rules.enrollment_closes_at(program.mode, starts_at, limits()),
            )
    except IntegrityError:
        raise fail("CLASS_CODE_TAKEN", "code", status=409) from None
    training_class.trainers.set(trainers)
    Session.objects.bulk_create(
        Session(training_class=training_class, sequence=n, starts_at=start, ends_at=end)
        for n, (start, end) in enumerate(ordered, start=1)
    )
    audit.record("class.created", training_class, actor=actor, after={"code": training_class.code})
    return training_class
