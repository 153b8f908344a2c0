"""Account actions: register, verify email and phone, log in, API tokens.

Each action checks its rules, writes an audit row, and queues messages only
after the transaction commits (a rolled-back registration sends nothing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.contrib.auth import authenticate as django_authenticate
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q

from prakerja.accounts import sending, throttle, two_factor
from prakerja.accounts.models import ApiToken, PhoneOtp, User
from prakerja.accounts.phones import normalize_phone
from prakerja.core import audit, clock
from prakerja.core.errors import DomainError, Problem, fail
from prakerja.core.program import setting

EMAIL_SALT = "prakerja.verify-email"
TOKEN_DAYS = 30


def check_registration(email: str, password: str, phone: str, *, taken: bool = True) -> tuple[str, str, list[Problem]]:
    """Validate the three fields together; returns normalized email and phone and every problem.

    ``taken=False`` leaves out whether the email or phone already belongs to an account (the unique
    indexes decide that when the account is inserted: see :func:`register`)."""
    problems: list[Problem] = []
    email = (email or "").strip().lower()
    try:
        if len(email) > 254 or not _visible_ascii(email):
            # Invisible or look-alike characters would make a second account for the same address.
            raise ValidationError("not a plain address")
        validate_email(email)
    except ValidationError:
        problems.append(Problem("EMAIL_INVALID", "email"))
    normalized_phone = normalize_phone(phone)
    if normalized_phone is None:
        problems.append(Problem("PHONE_INVALID", "phone"))
    if not password:
        problems.append(Problem("FIELD_REQUIRED", "password"))
    elif len(password) > 128:
        problems.append(Problem("TOO_LONG", "password", {"max": 128}))
    else:
        try:
            validate_password(password, User(email=email))
        except ValidationError as exc:
            problems.append(Problem("PASSWORD_WEAK", "password", {"detail": " ".join(exc.messages)}))
    if taken:
        problems = with_taken(email, normalized_phone or "", problems)
    return email, normalized_phone or "", problems


def with_taken(email: str, phone: str, problems: list[Problem]) -> list[Problem]:
    """``problems`` plus ``EMAIL_TAKEN`` and ``PHONE_TAKEN`` where a valid email or phone is already an
    account's (one query), in the order fields are checked: email, phone, then the rest."""
    fields = {p.field for p in problems}
    ask_email, ask_phone = "email" not in fields and bool(email), "phone" not in fields and bool(phone)
    found: set[str] = set()
    if ask_email or ask_phone:
        condition = (Q(email=email) if ask_email else Q()) | (Q(phone=phone) if ask_phone else Q())
        for other_email, other_phone in User.objects.filter(condition).values_list("email", "phone"):
            if ask_email and other_email == email:
                found.add("email")
            if ask_phone and other_phone == phone:
                found.add("phone")
    extra = [Problem(f"{field.upper()}_TAKEN", field) for field in ("email", "phone") if field in found]
    ordered = [p for p in problems if p.field == "email"]
    ordered += [p for p in extra if p.field == "email"]
    ordered += [p for p in problems if p.field == "phone"]
    ordered += [p for p in extra if p.field == "phone"]
    return ordered + [p for p in problems if p.field not in ("email", "phone")]


def _visible_ascii(text: str) -> bool:
    return text.isascii() and text.isprintable() and " " not in text


def register(email: str, password: str, phone: str, *, ip: str | None = None) -> User:
    """Create a participant account and send the email link and the SMS code.

    One transaction holds the account, its audit row and its first SMS code, so a registration that
    commits is whole; the messages are queued once it commits (accounts/sending.py: a mail server
    down must not turn a saved registration into an error). Whether the email or phone is taken is
    left to the unique indexes: the usual registration asks no question before its insert, and a
    refused one is told every problem."""
    email, phone, problems = check_registration(email, password, phone, taken=False)
    if problems:
        raise DomainError(with_taken(email, phone, problems))
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, phone=phone)
            audit.record("account.registered", user, actor=user, ip=ip)
            otp = _issue_phone_otp(user, phone, supersede=False)  # a new account has no earlier code
            sending.queue_welcome(user, otp)
    except IntegrityError:
        # The email or the phone is an account's already (or two registrations raced on them and the
        # unique index decided): the same refusal as a look-up beforehand would have given.
        raise DomainError(with_taken(email, phone, []) or [Problem("EMAIL_TAKEN", "email")]) from None
    return user


# --- email ------------------------------------------------------------------
def email_token(user: User) -> str:
    return signing.dumps({"u": str(user.public_id), "e": user.email}, salt=EMAIL_SALT)


def send_email_verification(user: User) -> None:
    """Queue a new verification link (sent by a task once the caller's transaction commits)."""
    sending.queue_email_link(user)


def verify_email(token: str) -> User:
    max_age = dt.timedelta(hours=setting("email_token_ttl_hours"))
    try:
        data = signing.loads(str(token)[:500], salt=EMAIL_SALT, max_age=max_age)
        user = User.objects.get(public_id=data["u"], email=data["e"])
    except (signing.BadSignature, User.DoesNotExist, KeyError, ValidationError, TypeError):
        raise fail("EMAIL_TOKEN_INVALID", "token", status=400) from None
    if user.email_verified_at is None:
        user.email_verified_at = clock.now()
        user.save(update_fields=["email_verified_at"])
        audit.record("account.email_verified", user, actor=user)
    return user


# --- phone ------------------------------------------------------------------
def send_phone_otp(user: User) -> None:
    """Issue a fresh 6-digit code, sent by a task; earlier codes stop working."""
    if not user.phone:
        raise fail("PHONE_INVALID", "phone")
    with transaction.atomic():
        sending.queue_phone_code(_issue_phone_otp(user, user.phone))


def _issue_phone_otp(user: User, phone: str, *, supersede: bool = True) -> PhoneOtp:
    """Store a new code's hash for ``phone`` (ending the unused earlier ones when ``supersede``); the
    code itself is derived from the row when the SMS is sent (``sending.phone_code``)."""
    now = clock.now()
    if supersede:
        PhoneOtp.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    otp = PhoneOtp(
        user=user, phone=phone, created_at=now, expires_at=now + dt.timedelta(minutes=setting("otp_ttl_minutes"))
    )
    otp.code_hash = sending.code_hash(user, sending.phone_code(otp))
    otp.save(force_insert=True)
    return otp


def resend_phone_otp(user: User) -> None:
    """A new SMS code on request, at most one a minute and a few a day: each SMS costs money,
    and an open resend button is a way to flood someone's phone."""
    now = clock.now()
    sent = PhoneOtp.objects.filter(user=user, created_at__gt=now - dt.timedelta(days=1))
    latest = sent.order_by("-created_at").values_list("created_at", flat=True).first()
    cooldown = dt.timedelta(seconds=setting("otp_resend_seconds"))
    if latest is not None and now - latest < cooldown:
        wait = int((latest + cooldown - now).total_seconds()) + 1
        raise fail("RATE_LIMITED", None, status=429, retry_after=wait)
    if sent.count() >= setting("otp_daily_max"):
        oldest = sent.order_by("created_at").values_list("created_at", flat=True).first()
        assert oldest is not None
        wait = int((oldest + dt.timedelta(days=1) - now).total_seconds()) + 1
        raise fail("RATE_LIMITED", None, status=429, retry_after=wait)
    send_phone_otp(user)


def verify_phone(user: User, code: str) -> None:
    """Check the newest SMS code; a wrong code is counted, and the count is kept."""
    with transaction.atomic():
        otp = (
            PhoneOtp.objects.select_for_update().filter(user=user, used_at__isnull=True).order_by("-created_at").first()
        )
        if otp is None or otp.phone != user.phone:
            raise fail("OTP_INVALID", "code")
        if otp.expires_at < clock.now():
            raise fail("OTP_EXPIRED", "code")
        if otp.attempts >= setting("otp_max_attempts"):
            raise fail("OTP_TOO_MANY_ATTEMPTS", "code", status=429)
        if hmac.compare_digest(otp.code_hash, sending.code_hash(user, str(code).strip()[:12])):
            otp.used_at = user.phone_verified_at = clock.now()
            otp.save(update_fields=["used_at"])
            user.save(update_fields=["phone_verified_at"])
            audit.record("account.phone_verified", user, actor=user)
            return
        otp.attempts += 1
        otp.save(update_fields=["attempts"])
    # Raised after the block so the counted attempt is committed.
    raise fail("OTP_INVALID", "code")


# --- log-in -----------------------------------------------------------------
def log_in(request: object, email: str, password: str, ip: str) -> User:
    """Check credentials with throttling per address and per account."""
    email = (email or "").strip().lower()[:254]
    wait = throttle.retry_after(ip, email)
    if wait:
        raise fail("RATE_LIMITED", None, status=429, retry_after=wait)
    # No account has an address with invisible characters (registration refuses them), and a NUL
    # byte must never reach PostgreSQL: refuse without a query.
    user = (
        django_authenticate(request, username=email, password=(password or "")[:128])  # type: ignore[arg-type]
        if _visible_ascii(email)
        else None
    )
    if user is None:
        throttle.record_failure(ip, email)
        raise fail("LOGIN_FAILED", None, status=401)
    throttle.record_success(email)
    return user  # type: ignore[return-value]


def issue_token(user: User) -> str:
    """A bearer token for the participant API. Staff log in on the website only, where the second
    factor is asked; a password alone must never open a staff account through the API."""
    if two_factor.needs_second_factor(user):
        raise fail("STAFF_USE_WEB", status=403)
    audit.record("accounts.api_token_issued", user, actor=user)
    raw = secrets.token_urlsafe(32)
    now = clock.now()
    ApiToken.objects.create(
        user=user,
        token_hash=hashlib.sha256(raw.encode()).hexdigest(),
        created_at=now,
        expires_at=now + dt.timedelta(days=TOKEN_DAYS),
    )
    return raw
