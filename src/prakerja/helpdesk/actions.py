"""Help-desk actions: keeping the desk directory, and registering a resident on their behalf.

The desk flow, each step one function, each audited (never with the password, a code or the photo):

1. :func:`start` — the officer has read the consent text aloud; the consent (version, hash, how it
   was given) is recorded and the registration opens at a desk of the officer's area.
2. :func:`create_account` — the resident's email and phone; the account gets an *unusable* password
   and the resident receives, on their own phone and mailbox, the usual verification SMS code and
   email link, and a set-password link (:mod:`prakerja.helpdesk.activation`).
   :func:`verify_phone` — the resident types the SMS code at the desk; the email is verified by the
   resident opening the emailed link; :func:`refresh_contacts` notes when both are done.
3. :func:`upload_photo` then :func:`verify_identity` — the KTP photo is stored privately; the officer
   compares it with the person at the desk, enters the identity, which the civil registry checks
   (``registry.actions.submit_identity``); success deletes the photo at once (the hash stays).
   :func:`discard_photo` deletes it otherwise; :func:`purge_id_photos` deletes any left too long.
4. :func:`save_profile` (optional), :func:`complete`.

Only a regional officer acts, inside their area (province or regency/city); the program office may
look. A resident is registered only when their KTP or home address lies in the officer's area.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate

from prakerja.accounts import actions as accounts
from prakerja.accounts.models import User
from prakerja.core import audit, clock, queue, roles
from prakerja.core.access import has_duty, in_region, regency_in_scope, region_scope
from prakerja.core.errors import DomainError, Problem, fail
from prakerja.core.public_ids import get_by_public_id
from prakerja.helpdesk import consent, photos, rules
from prakerja.helpdesk.models import AssistedRegistration, HelpDesk, PhotoDeletion, Status
from prakerja.helpdesk.tasks import send_activation_task
from prakerja.regions.models import Regency
from prakerja.registry import actions as registry
from prakerja.registry.validation import check_identity

RESEND_COOLDOWN_SECONDS = 60
RESENDS_PER_DAY = 5


# --- who may act, where ---------------------------------------------------------------------------------------
def acting_scope(user: Any) -> str:
    """The area a regional officer acts in; anyone else (the program office included) may only look."""
    scope = region_scope(user)
    if scope is None or not has_duty(user, roles.REGIONAL):
        raise fail("HELPDESK_OFFICER_ONLY", status=403)
    return scope


def desks_in(scope: str) -> QuerySet[HelpDesk]:
    return in_region(HelpDesk.objects.select_related("regency__province"), scope, "regency__code")


def registrations_in(scope: str) -> QuerySet[AssistedRegistration]:
    return in_region(AssistedRegistration.objects.select_related("desk", "officer", "resident"), scope, "regency_code")


def desk_in(scope: str, public_id: Any) -> HelpDesk:
    return get_by_public_id(desks_in(scope), public_id, "HELPDESK_DESK_NOT_FOUND")


def registration_in(scope: str, public_id: Any) -> AssistedRegistration:
    return get_by_public_id(registrations_in(scope), public_id, "HELPDESK_REGISTRATION_NOT_FOUND")


def _locked(registration: AssistedRegistration) -> AssistedRegistration:
    # Lock the registration row only (its resident may be null: an outer join cannot be locked).
    return AssistedRegistration.objects.select_for_update(of=("self",)).get(pk=registration.pk)


def _require_open(registration: AssistedRegistration) -> None:
    if not registration.open:
        raise fail("HELPDESK_CLOSED", status=409)


def _state(registration: AssistedRegistration) -> dict[str, Any]:
    return {"status": registration.status}


# --- the desk directory ---------------------------------------------------------------------------------------
DESK_FIELDS = ("regency", "name", "address", "opening_hours", "phone", "email", "active")


def _clean_desk(data: dict[str, Any], scope: str) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    clean: dict[str, Any] = {}
    code = str(data.get("regency") or "").strip()
    regency = Regency.objects.filter(code=code).first() if len(code) == 4 and code.isdigit() else None
    if regency is None:
        problems.append(Problem("HELPDESK_REGENCY_UNKNOWN", "regency"))
    elif not regency_in_scope(regency.code, scope):
        problems.append(Problem("HELPDESK_DESK_OUT_OF_AREA", "regency"))
    clean["regency"] = regency
    for field, limit in (("name", 120), ("address", 300), ("opening_hours", 200)):
        text = " ".join(str(data.get(field) or "").replace("\x00", "").split())
        if not text:
            problems.append(Problem("FIELD_REQUIRED", field))
        elif len(text) > limit:
            problems.append(Problem("TOO_LONG", field, {"max": limit}))
        clean[field] = text
    phone_raw = str(data.get("phone") or "").strip()
    clean["phone"] = ""
    if phone_raw:
        # A desk may have a landline: any valid Indonesian number, stored E.164.
        phone = rules.desk_phone(phone_raw)
        if phone is None:
            problems.append(Problem("HELPDESK_PHONE_INVALID", "phone"))
        clean["phone"] = phone or ""
    email = str(data.get("email") or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(Problem("EMAIL_INVALID", "email"))
    clean["email"] = email
    if not phone_raw and not email:
        problems.append(Problem("HELPDESK_CONTACT_REQUIRED", "phone"))
    clean["active"] = bool(data.get("active"))
    return clean, problems


def _desk_facts(desk: HelpDesk) -> dict[str, Any]:
    return {f: (desk.regency_id if f == "regency" else getattr(desk, f)) for f in DESK_FIELDS}


def save_desk(officer: Any, desk: HelpDesk | None, data: dict[str, Any], *, ip: str | None = None) -> HelpDesk:
    """Add a desk to the directory or change one (its area must stay inside the officer's)."""
    scope = acting_scope(officer)
    clean, problems = _clean_desk(data, scope)
    if problems:
        raise DomainError(problems)
    now = clock.now()
    with transaction.atomic():
        if desk is None:
            desk = HelpDesk(created_at=now, created_by=officer)
            before = None
        else:
            desk = HelpDesk.objects.select_for_update().get(pk=desk.pk)
            if not regency_in_scope(desk.regency_id, scope):
                raise fail("HELPDESK_DESK_NOT_FOUND", status=404)
            before = _desk_facts(desk)
        for name, value in clean.items():
            setattr(desk, name, value)
        desk.updated_at, desk.updated_by = now, officer
        desk.save()
        after = _desk_facts(desk)
        if before is None:
            audit.record("helpdesk.desk_created", desk, actor=officer, after=after, ip=ip)
        elif before != after:
            changed = [k for k in after if before[k] != after[k]]
            audit.record(
                "helpdesk.desk_updated",
                desk,
                actor=officer,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
                ip=ip,
            )
    return desk


def public_desks(*, province: str = "", regency: str = "") -> QuerySet[HelpDesk]:
    """Active desks for the public directory, optionally in one province or regency/city."""
    desks = HelpDesk.objects.filter(active=True).select_related("regency__province")
    if regency:
        desks = desks.filter(regency__code=regency)
    elif province:
        desks = desks.filter(regency__province__code=province)
    return desks.order_by("regency__code", "name")


# --- 1. consent ---------------------------------------------------------------------------------------------------
def start(
    officer: Any,
    desk: HelpDesk,
    *,
    read_aloud: bool,
    method: str,
    reference: str,
    version: str,
    ip: str | None = None,
) -> AssistedRegistration:
    """Open a registration at a desk once the resident has consented to being registered by an officer."""
    scope = acting_scope(officer)
    if not regency_in_scope(desk.regency_id, scope):
        raise fail("HELPDESK_DESK_NOT_FOUND", "desk", status=404)
    if not desk.active:
        raise fail("HELPDESK_DESK_INACTIVE", "desk")
    reference = " ".join(str(reference or "").replace("\x00", "").split())[:120]
    problems = rules.check_consent(
        read_aloud=read_aloud, method=method, reference=reference, version=version, current=consent.CURRENT
    )
    if problems:
        raise DomainError(problems)
    with transaction.atomic():
        registration = AssistedRegistration.objects.create(
            desk=desk,
            regency_code=desk.regency_id,
            officer=officer,
            consent_version=consent.CURRENT,
            consent_sha256=consent.digest(consent.CURRENT),
            consent_method=method,
            consent_reference=reference,
            consented_at=clock.now(),
        )
        audit.record(
            "helpdesk.consent_recorded",
            registration,
            actor=officer,
            ip=ip,
            after={
                "desk": str(desk.public_id),
                "version": registration.consent_version,
                "sha256": registration.consent_sha256,
                "method": method,
                "reference": reference,
            },
        )
    return registration


# --- 2. account and contacts --------------------------------------------------------------------------------------
def create_account(
    officer: Any, registration: AssistedRegistration, *, email: str, phone: str, ip: str | None = None
) -> User:
    """Make the resident's account with an unusable password; the resident sets it from a link.

    The same checks as self-registration apply to the email and phone (one account per address and per
    number). The password given to those checks is a throw-away random value: it is never stored.
    """
    acting_scope(officer)
    _require_open(registration)
    if registration.resident_id is not None:
        raise fail("HELPDESK_ACCOUNT_EXISTS", status=409)
    email, phone, problems = accounts.check_registration(email, secrets.token_urlsafe(32), phone)
    problems = [p for p in problems if p.field != "password"]
    if problems:
        raise DomainError(problems)
    try:
        with transaction.atomic():
            locked = _locked(registration)
            _require_open(locked)
            if locked.resident_id is not None:
                raise fail("HELPDESK_ACCOUNT_EXISTS", status=409)
            user = User(email=email, phone=phone, role=User.Role.PARTICIPANT)
            user.set_unusable_password()
            user.save()
            before = _state(locked)
            locked.resident = user
            locked.account_created_at = locked.activation_sent_at = clock.now()
            locked.activation_sends = 1
            locked.status = Status.ACCOUNT
            locked.save()
            audit.record(
                "helpdesk.account_created",
                locked,
                actor=officer,
                ip=ip,
                before=before,
                after={"status": locked.status, "resident": str(user.public_id), "password": "unusable"},
            )
            audit.record("account.registered", user, actor=officer, ip=ip, after={"assisted": str(locked.public_id)})
            # Robust: the account is saved; a queue that cannot be reached must not answer the desk with an
            # error (the officer can resend each message from the registration's page).
            transaction.on_commit(lambda: accounts.send_phone_otp(user), robust=True)
            transaction.on_commit(lambda: accounts.send_email_verification(user), robust=True)
            queue.after_commit(send_activation_task, locked.pk)
    except IntegrityError:
        # Two registrations raced on the same email or phone; the unique index decided.
        raise fail("EMAIL_TAKEN", "email", status=409) from None
    registration.refresh_from_db()
    return user


def _resident(registration: AssistedRegistration) -> User:
    if registration.resident_id is None:
        raise fail("HELPDESK_ACCOUNT_REQUIRED", status=409)
    return User.objects.get(pk=registration.resident_id)


def verify_phone(officer: Any, registration: AssistedRegistration, code: str, *, ip: str | None = None) -> None:
    """The resident types the SMS code they received (the platform's own check: attempts counted)."""
    acting_scope(officer)
    _require_open(registration)
    user = _resident(registration)
    if user.phone_verified_at is None:
        accounts.verify_phone(user, code)
        audit.record("helpdesk.phone_verified", registration, actor=officer, ip=ip)
    refresh_contacts(officer, registration)


def resend_phone_code(officer: Any, registration: AssistedRegistration, *, ip: str | None = None) -> None:
    acting_scope(officer)
    _require_open(registration)
    user = _resident(registration)
    if user.phone_verified_at is None:
        accounts.resend_phone_otp(user)  # rate-limited there
        audit.record("helpdesk.phone_code_resent", registration, actor=officer, ip=ip)


def resend_email_link(officer: Any, registration: AssistedRegistration, *, ip: str | None = None) -> None:
    acting_scope(officer)
    _require_open(registration)
    user = _resident(registration)
    if user.email_verified_at is None:
        accounts.send_email_verification(user)
        audit.record("helpdesk.email_link_resent", registration, actor=officer, ip=ip)


def refresh_contacts(actor: Any, registration: AssistedRegistration) -> AssistedRegistration:
    """Move on once the resident has verified both their phone and their email."""
    if registration.status != Status.ACCOUNT or registration.resident_id is None:
        return registration
    user = User.objects.get(pk=registration.resident_id)
    if user.email_verified_at is None or user.phone_verified_at is None:
        return registration
    with transaction.atomic():
        locked = _locked(registration)
        if locked.status == Status.ACCOUNT:
            locked.status = Status.CONTACTS
            locked.contacts_verified_at = clock.now()
            locked.save(update_fields=["status", "contacts_verified_at"])
            audit.record(
                "helpdesk.contacts_verified",
                locked,
                actor=actor,
                before={"status": Status.ACCOUNT},
                after={"status": locked.status},
            )
    registration.refresh_from_db()
    return registration


def resend_activation(officer: Any, registration: AssistedRegistration, *, ip: str | None = None) -> None:
    """A new set-password link (the resident lost the message); rate-limited, the officer never sees it."""
    acting_scope(officer)
    if registration.status == Status.CANCELLED:
        raise fail("HELPDESK_CLOSED", status=409)
    _resident(registration)
    now = clock.now()
    with transaction.atomic():
        locked = _locked(registration)
        if locked.activated_at is not None:
            raise fail("HELPDESK_ALREADY_ACTIVATED", status=409)
        last = locked.activation_sent_at
        if last is not None and (now - last).total_seconds() < RESEND_COOLDOWN_SECONDS:
            wait = int(RESEND_COOLDOWN_SECONDS - (now - last).total_seconds()) + 1
            raise fail("RATE_LIMITED", status=429, retry_after=wait)
        # A day's allowance: counted since the first send of the current day's run.
        sends = locked.activation_sends if last and now - last < dt.timedelta(days=1) else 0
        if sends >= RESENDS_PER_DAY:
            raise fail("RATE_LIMITED", status=429, retry_after=86400)
        locked.activation_sent_at = now
        locked.activation_sends = sends + 1
        locked.save(update_fields=["activation_sent_at", "activation_sends"])
        audit.record("helpdesk.activation_resent", locked, actor=officer, ip=ip, after={"sends": sends + 1})
        queue.after_commit(send_activation_task, locked.pk)  # as at the account's creation


def activate(registration: AssistedRegistration, form: SetPasswordForm, *, ip: str | None = None) -> User:
    """The resident sets their own password from the link (``form`` is valid and bound to them)."""
    with transaction.atomic():
        locked = _locked(registration)
        user = form.save()
        first = locked.activated_at is None
        if first:
            locked.activated_at = clock.now()
            locked.save(update_fields=["activated_at"])
        audit.record("helpdesk.password_set", locked, actor=user, ip=ip, after={"first": first})
    return user


# --- 3. identity and the ID photo -------------------------------------------------------------------------------
def _require_contacts(registration: AssistedRegistration) -> None:
    if registration.resident_id is None:
        raise fail("HELPDESK_ACCOUNT_REQUIRED", status=409)
    if registration.status == Status.ACCOUNT:
        refresh_contacts(None, registration)
    if registration.status == Status.ACCOUNT:
        raise fail("HELPDESK_CONTACTS_REQUIRED", status=409)


def _valid_image(data: bytes) -> bool:
    """Decodable as an image (a JPEG/PNG header followed by anything else is refused)."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with reportlab
        return True
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception:  # any decoder error means "not a readable photo"
        return False
    return True


def upload_photo(
    officer: Any,
    registration: AssistedRegistration,
    data: bytes | None,
    *,
    too_large: bool = False,
    ip: str | None = None,
) -> AssistedRegistration:
    """Keep the KTP photo privately until the officer has compared it with the resident."""
    acting_scope(officer)
    _require_open(registration)
    _require_contacts(registration)
    if registration.identity_verified_at is not None:
        raise fail("IDENTITY_LOCKED", status=409)
    limit = photos.max_bytes()
    if too_large:
        raise fail("HELPDESK_PHOTO_TOO_LARGE", "photo", max_mb=limit // (1024 * 1024))
    if data is None:
        raise fail("HELPDESK_PHOTO_REQUIRED", "photo")
    kind, problems = rules.check_photo(data[:16], len(data), max_bytes=limit)
    if problems:
        raise DomainError(problems)
    assert kind is not None
    if not _valid_image(data):
        raise fail("HELPDESK_PHOTO_INVALID", "photo")
    name, digest = photos.store(data, kind)
    try:
        with transaction.atomic():
            locked = _locked(registration)
            _require_open(locked)
            old = locked.photo_file
            if old:
                _forget_photo(locked, PhotoDeletion.REPLACED, officer, ip)
            locked.photo_file, locked.photo_kind, locked.photo_size = name, kind, len(data)
            locked.photo_sha256, locked.photo_uploaded_at = digest, clock.now()
            locked.photo_deleted_at, locked.photo_deleted_reason = None, ""
            locked.save()
            audit.record(
                "helpdesk.photo_uploaded",
                locked,
                actor=officer,
                ip=ip,
                after={"sha256": digest, "size": len(data), "kind": kind},
            )
    except BaseException:
        photos.delete(name)
        raise
    if old:
        photos.delete(old)
    registration.refresh_from_db()
    return registration


def _forget_photo(locked: AssistedRegistration, reason: str, actor: Any, ip: str | None = None) -> None:
    """Mark the held photo deleted (the caller removes the file); its hash stays as evidence."""
    audit.record(
        "helpdesk.photo_deleted",
        locked,
        actor=actor,
        ip=ip,
        before={"sha256": locked.photo_sha256},
        after={"reason": reason},
    )
    locked.photo_file = ""
    locked.photo_deleted_at = clock.now()
    locked.photo_deleted_reason = reason


def photo_of(viewer: Any, registration: AssistedRegistration, *, ip: str | None = None) -> tuple[bytes, str] | None:
    """The held photo for the officer's comparison; each view is audited."""
    if not registration.photo_file:
        return None
    data = photos.read(registration.photo_file)
    if data is None:
        return None
    audit.record_view(viewer, registration, ["id_photo"], purpose=f"helpdesk:{registration.public_id}", ip=ip)
    return data, ("image/jpeg" if registration.photo_kind == rules.JPEG else "image/png")


def discard_photo(
    officer: Any, registration: AssistedRegistration, *, mismatch: bool, ip: str | None = None
) -> AssistedRegistration:
    """Delete the held photo now: to take a better one, or because it is not the person at the desk
    (which ends the registration: nobody's identity is written to the account)."""
    acting_scope(officer)
    _require_open(registration)
    with transaction.atomic():
        locked = _locked(registration)
        _require_open(locked)
        name = locked.photo_file
        if name:
            _forget_photo(locked, PhotoDeletion.REJECTED if mismatch else PhotoDeletion.REPLACED, officer, ip)
        if mismatch:
            before = _state(locked)
            locked.status = Status.CANCELLED
            locked.cancelled_at = clock.now()
            locked.cancel_reason = "photo_mismatch"
            audit.record(
                "helpdesk.cancelled",
                locked,
                actor=officer,
                ip=ip,
                before=before,
                after={"status": locked.status, "reason": locked.cancel_reason},
            )
        locked.save()
        if name:
            photos.delete(name)
    registration.refresh_from_db()
    return registration


def _audit_refusal(officer: Any, registration: AssistedRegistration, problems: Iterable[Problem], ip: str | None):
    audit.record(
        "helpdesk.identity_refused",
        registration,
        actor=officer,
        ip=ip,
        after={"codes": sorted({p.code for p in problems})},
    )


def verify_identity(
    officer: Any,
    registration: AssistedRegistration,
    data: dict[str, Any],
    *,
    photo_matches: bool,
    ip: str | None = None,
) -> AssistedRegistration:
    """Check the identity the officer typed for the resident, then delete the ID photo.

    Steps: the photo is held and the officer attests it shows the person at the desk; the input is
    valid; the KTP or home address is in the officer's area; the civil registry agrees
    (``registry.submit_identity``, which writes the identity to the resident's record); then the
    photo is marked verified and its file deleted at once. Each refusal is audited with its codes.
    """
    scope = acting_scope(officer)
    _require_open(registration)
    user = _resident(registration)
    _require_contacts(registration)
    if registration.identity_verified_at is not None:
        raise fail("IDENTITY_LOCKED", status=409)
    if not registration.photo_file:
        raise fail("HELPDESK_PHOTO_REQUIRED", "photo", status=409)
    if not photo_matches:
        raise fail("HELPDESK_PHOTO_NOT_COMPARED", "photo_matches")
    identity, problems = check_identity(data, today=clock.today())
    if problems:
        _audit_refusal(officer, registration, problems, ip)
        raise DomainError(problems)
    assert identity is not None
    if not rules.resident_in_area(identity.ktp_district.regency_id, identity.domicile_district.regency_id, scope):
        problem = Problem("HELPDESK_OUT_OF_AREA", "district_code", {"scope": scope})
        _audit_refusal(officer, registration, [problem], ip)
        raise DomainError([problem], status=403)
    person = registry.person_of(user)
    if person.identity_verified_at is None:
        # The civil registry is asked outside our transaction (it may be a slow remote service).
        try:
            registry.submit_identity(user, data, ip=ip)
        except DomainError as exc:
            _audit_refusal(officer, registration, exc.problems, ip)
            raise
    with transaction.atomic():
        locked = _locked(registration)
        before = _state(locked)
        now = clock.now()
        name = locked.photo_file
        locked.identity_verified_at = locked.photo_verified_at = now
        locked.photo_verified_by = officer
        locked.status = Status.IDENTITY
        audit.record(
            "helpdesk.identity_verified",
            locked,
            actor=officer,
            ip=ip,
            before=before,
            after={
                "status": locked.status,
                "photo_sha256": locked.photo_sha256,
                "ktp_regency": identity.ktp_district.regency_id,
                "domicile_regency": identity.domicile_district.regency_id,
            },
        )
        if name:
            _forget_photo(locked, PhotoDeletion.VERIFIED, officer, ip)
        locked.save()
        # Deleted now, not later: the photo has served its purpose. Should the commit fail, the file is
        # already gone and the page asks for a new photo; the purge sweeps any file left behind.
        if name:
            photos.delete(name)
    registration.refresh_from_db()
    return registration


# --- 4. profile, completion ----------------------------------------------------------------------------------------
def save_profile(
    officer: Any, registration: AssistedRegistration, data: dict[str, Any], *, ip: str | None = None
) -> AssistedRegistration:
    acting_scope(officer)
    if registration.status == Status.CANCELLED:
        raise fail("HELPDESK_CLOSED", status=409)
    if registration.identity_verified_at is None:
        raise fail("HELPDESK_IDENTITY_REQUIRED", status=409)
    registry.save_profile(_resident(registration), data, ip=ip)
    with transaction.atomic():
        locked = _locked(registration)
        first = locked.profile_saved_at is None
        locked.profile_saved_at = clock.now()
        locked.save(update_fields=["profile_saved_at"])
        audit.record("helpdesk.profile_saved", locked, actor=officer, ip=ip, after={"first": first})
    registration.refresh_from_db()
    return registration


def complete(officer: Any, registration: AssistedRegistration, *, ip: str | None = None) -> AssistedRegistration:
    """The desk's part is done (the resident continues: password, declaration, test)."""
    acting_scope(officer)
    _require_open(registration)
    if registration.identity_verified_at is None:
        raise fail("HELPDESK_IDENTITY_REQUIRED", status=409)
    with transaction.atomic():
        locked = _locked(registration)
        _require_open(locked)
        before = _state(locked)
        locked.status = Status.COMPLETED
        locked.completed_at = clock.now()
        locked.save(update_fields=["status", "completed_at"])
        audit.record(
            "helpdesk.completed",
            locked,
            actor=officer,
            ip=ip,
            before=before,
            after={"status": locked.status, "profile": locked.profile_saved_at is not None},
        )
    registration.refresh_from_db()
    return registration


def cancel(officer: Any, registration: AssistedRegistration, *, ip: str | None = None) -> AssistedRegistration:
    """The resident left or changed their mind: close the registration and delete any held photo.
    An account already made stays the resident's own (they may still set its password)."""
    acting_scope(officer)
    _require_open(registration)
    with transaction.atomic():
        locked = _locked(registration)
        _require_open(locked)
        before = _state(locked)
        name = locked.photo_file
        if name:
            _forget_photo(locked, PhotoDeletion.REJECTED, officer, ip)
        locked.status = Status.CANCELLED
        locked.cancelled_at = clock.now()
        locked.cancel_reason = "stopped"
        locked.save()
        audit.record(
            "helpdesk.cancelled",
            locked,
            actor=officer,
            ip=ip,
            before=before,
            after={"status": locked.status, "reason": locked.cancel_reason},
        )
        if name:
            photos.delete(name)
    registration.refresh_from_db()
    return registration


# --- automatic deletion ------------------------------------------------------------------------------------------
def purge_id_photos(hours: float | None = None) -> int:
    """Delete every ID photo held longer than ``hours`` (default ``HELPDESK_PHOTO_MAX_HOURS``) and mark its
    registration; also remove stray files no registration holds. Idempotent; returns photos deleted."""
    hours = photos.max_hours() if hours is None else hours
    cutoff = clock.now() - dt.timedelta(hours=hours)
    purged = 0
    expired = AssistedRegistration.objects.exclude(photo_file="").filter(photo_uploaded_at__lt=cutoff)
    for pk in list(expired.values_list("pk", flat=True)):
        with transaction.atomic():
            locked = AssistedRegistration.objects.select_for_update().filter(pk=pk).exclude(photo_file="").first()
            if locked is None or locked.photo_uploaded_at is None or locked.photo_uploaded_at >= cutoff:
                continue  # verified or replaced meanwhile
            name = locked.photo_file
            _forget_photo(locked, PhotoDeletion.PURGED, None)
            locked.save()
            photos.delete(name)
        purged += 1
    held = set(AssistedRegistration.objects.exclude(photo_file="").values_list("photo_file", flat=True))
    photos.sweep_orphans(held, older_than_seconds=hours * 3600)
    return purged


# --- the desk report ------------------------------------------------------------------------------------------------
REPORT_COUNTS = ("started", "accounts", "identities", "completed", "activated", "cancelled")


def desk_report(scope: str, first_day: dt.date, last_day: dt.date) -> list[dict[str, Any]]:
    """Registrations per day (Jakarta), officer and desk in an area: how many were started, got an
    account, a verified identity, were completed, activated by the resident, cancelled. Counts only."""
    start_at = dt.datetime.combine(first_day, dt.time.min, tzinfo=clock.JAKARTA)
    end_at = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=clock.JAKARTA)
    rows = (
        in_region(AssistedRegistration.objects.all(), scope, "regency_code")
        .filter(consented_at__gte=start_at, consented_at__lt=end_at)
        .annotate(day=TruncDate("consented_at", tzinfo=clock.JAKARTA))
        .values("day", "officer__email", "desk__public_id", "desk__name", "regency_code")
        .annotate(
            started=Count("id"),
            accounts=Count("id", filter=Q(account_created_at__isnull=False)),
            identities=Count("id", filter=Q(identity_verified_at__isnull=False)),
            completed=Count("id", filter=Q(completed_at__isnull=False)),
            activated=Count("id", filter=Q(activated_at__isnull=False)),
            cancelled=Count("id", filter=Q(cancelled_at__isnull=False)),
        )
        .order_by("-day", "officer__email", "desk__name")
    )
    return [
        {
            "day": row["day"],
            "officer": row["officer__email"],
            "desk_id": str(row["desk__public_id"]),
            "desk": row["desk__name"],
            "regency_code": row["regency_code"],
            **{k: row[k] for k in REPORT_COUNTS},
        }
        for row in rows
    ]


def totals_by(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Sum report rows per officer or per desk."""
    sums: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = sums.setdefault(row[key], {key: row[key], **dict.fromkeys(REPORT_COUNTS, 0)})
        for k in REPORT_COUNTS:
            entry[k] += row[k]
    return sorted(sums.values(), key=lambda e: (-e["started"], str(e[key])))
