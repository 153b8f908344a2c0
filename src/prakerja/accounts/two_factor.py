"""Two-factor log-in (TOTP) for every staff account, and idle expiry of staff sessions.

Staff reach national ID numbers, family cards and bank accounts, so a password
alone never opens a staff page: after the password, a staff session must pass
a time-based code from an authenticator app (RFC 6238, via ``django-otp``).
A staff member without a device enrols on first log-in. Until the second
factor is passed, a staff session reaches only the two-factor pages, the
log-out and public pages: everything else redirects to the code prompt.

Codes are throttled by ``django-otp`` (growing delays after wrong codes) and
every enrolment, success and failure is audited.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from prakerja.core import audit, roles
from prakerja.core.errors import Problem, language_of

# Paths a staff session may reach before the second factor (prefix match).
_OPEN_PREFIXES = ("/akun/dua-faktor/", "/akun/keluar/", "/static/", "/i18n/", "/health/", "/ready/", "/favicon")


def needs_second_factor(user: Any) -> bool:
    """Staff and the platform's operators log in with two factors; participants with one."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.is_staff or roles.is_staff_role(user.role))
    )


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def pending_device(user: Any) -> TOTPDevice:
    """The device being enrolled (unconfirmed), made once so the QR code stays the same across reloads."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The base32 secret people type into an authenticator app when they cannot scan."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def provisioning_uri(device: TOTPDevice) -> str:
    label = quote(f"Prakerja:{device.user.email}")
    return f"otpauth://totp/{label}?secret={secret_of(device)}&issuer=Prakerja&digits={device.digits}"


def verify(request: HttpRequest, device: TOTPDevice, code: str) -> bool:
    """Check a code; on success mark the session as having passed both factors."""
    allowed, _why = device.verify_is_allowed()
    ok = bool(allowed) and device.verify_token(code.strip().replace(" ", ""))
    audit.record(
        "accounts.two_factor." + ("passed" if ok else "failed"),
        request.user,
        actor=request.user,
        ip=request.META.get("REMOTE_ADDR"),
    )
    if ok:
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit.record("accounts.two_factor.enrolled", request.user, actor=request.user)
        otp_login(request, device)
    return ok


class StaffTwoFactorMiddleware:
    """Keeps staff sessions behind the second factor and expires them after idle time.

    Runs after ``django_otp.middleware.OTPMiddleware`` (which sets ``user.is_verified``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if needs_second_factor(user):
            # Staff sessions end after a short idle time; each request pushes the end back.
            request.session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
            if not user.is_verified() and not request.path.startswith(_OPEN_PREFIXES):  # type: ignore[union-attr]
                if request.path.startswith("/api/"):
                    problem = Problem("TWO_FACTOR_REQUIRED")
                    return JsonResponse({"errors": [problem.as_dict(language_of(request))]}, status=403)
                return redirect(f"/akun/dua-faktor/?next={quote(request.get_full_path())}")
        return self.get_response(request)
