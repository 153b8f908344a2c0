"""Account actions: register, verify email and phone, log in, API tokens.

Each action checks its rules, writes an audit row, and sends messages only
after the transaction commits (a rolled-back registration sends nothing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth import authenticate as django_authenticate
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse

from prakerja.accounts import throttle, two_factor
from prakerja.accounts.models import ApiToken, PhoneOtp, User
from prakerja.accounts.phones import normalize_phone
from prakerja.accounts.sms import send_sms
from prakerja.core import audit, clock
from prakerja.core.errors import DomainError, Problem, fail
from prakerja.core.program import setting

EMAIL_SALT = "prakerja.verify-email"
TOKEN_DAYS = 30


def check_registration(email: str, password: str, phone: str) -> tuple[str, str, list[Problem]]:
    """Validate the three fields together; returns normalized email and phone and every problem."""
    problems: list[Problem] = []
    email = (email or "").strip().lower()
    try:
        if len(email) > 254 or not _visible_ascii(email):
            # Invisible or look-alike characters would make a second account for the same address.
            raise ValidationError("not a plain address")
        validate_email(email)
    except ValidationError:
        problems.append(Problem("EMAIL_INVALID", "email"))
    else:
        if User.objects.filter(email=email).exists():
            problems.append(Problem("EMAIL_TAKEN", "email"))
    normalized_phone = normalize_phone(phone)
    if normalized_phone is None:
        problems.append(Problem("PHONE_INVALID", "phone"))
    elif User.objects.filter(phone=normalized_phone).exists():
        problems.append(Problem("PHONE_TAKEN", "phone"))
    if not password:
        problems.append(Problem("FIELD_REQUIRED", "password"))
    elif len(password) > 128:
        problems.append(Problem("TOO_LONG", "password", {"max": 128}))
    else:
        try:
            validate_password(password, User(email=email))
        except ValidationError as exc:
            problems.append(Problem("PASSWORD_WEAK", "password", {"detail": " ".join(exc.messages)}))
    return email, normalized_phone or "", problems


def _visible_ascii(text: str) -> bool:
    return text.isascii() and text.isprintable() and " " not in text


def register(email: str, password: str, phone: str, *, ip: str | None = None) -> User:
    """Create a participant account and send the email link and the SMS code."""
    email, phone, problems = check_registration(email, password, phone)
    if problems:
        raise DomainError(problems)
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, phone=phone)
            audit.record("account.registered", user, actor=user, ip=ip)
            transaction.on_commit(lambda: send_email_verification(user))
            transaction.on_commit(lambda: send_phone_otp(user))
    except IntegrityError:
        # Two registrations raced on the same email or phone; the unique index decided.
        raise fail("EMAIL_TAKEN", "email") from None
    return user


# --- email ------------------------------------------------------------------
def email_token(user: User) -> str:
    return signing.dumps({"u": str(user.public_id), "e": user.email}, salt=EMAIL_SALT)


def send_email_verification(user: User) -> None:
    link = settings.SITE_URL + reverse("accounts:verify-email", args=[email_token(user)])
    send_mail(
        "Verifikasi email Kartu Prakerja / Verify your email",
        "Buka tautan ini untuk memverifikasi email Anda:\n"
        "Open this link to verify your email:\n\n"
        f"{link}\n\nToken: {email_token(user)}\n",
        None,
        [user.email],
    )


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
def _otp_hash(user: User, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{user.pk}:{code}".encode(), hashlib.sha256).hexdigest()


def send_phone_otp(user: User) -> None:
    """Issue a fresh 6-digit code; earlier codes stop working."""
    if not user.phone:
        raise fail("PHONE_INVALID", "phone")
    code = f"{secrets.randbelow(10**6):06d}"
    now = clock.now()
    PhoneOtp.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    PhoneOtp.objects.create(
        user=user,
        phone=user.phone,
        code_hash=_otp_hash(user, code),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=setting("otp_ttl_minutes")),
    )
    send_sms(user.phone, f"Kode verifikasi Kartu Prakerja: {code}. Jangan berikan kode ini kepada siapa pun.")


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
        if hmac.compare_digest(otp.code_hash, _otp_hash(user, str(code).strip()[:12])):
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


def user_for_token(raw: str) -> User | None:
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hashlib.sha256(raw.encode()).hexdigest(), expires_at__gt=clock.now())
        .first()
    )
    if token is None or not token.user.is_active or two_factor.needs_second_factor(token.user):
        return None
    return token.user
