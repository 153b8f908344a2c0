"""The set-password link a resident registered at a desk receives by SMS and email.

The officer never sees or sets the resident's password: the account is made
with an unusable password and the link is sent straight to the resident's
phone and mailbox. The token is Django's password-reset token under its own
salt (so a password-reset link cannot activate and an activation link cannot
reset), bound to the account's password hash — it stops working the moment a
password is set — and valid for ``HELPDESK_ACTIVATION_DAYS`` (7 by default).
The link names the registration by its public id, never a sequential id.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from prakerja.accounts.sms import send_sms

DEFAULT_DAYS = 7


def valid_seconds() -> int:
    return int(float(getattr(settings, "HELPDESK_ACTIVATION_DAYS", DEFAULT_DAYS)) * 86400)


class ActivationTokens(PasswordResetTokenGenerator):
    key_salt = "prakerja.helpdesk.activation"

    def check_token(self, user: Any, token: Any) -> bool:
        """Django's check, with the help desks' own validity instead of PASSWORD_RESET_TIMEOUT."""
        if not (user and isinstance(token, str) and len(token) < 100):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return 0 <= self._num_seconds(self._now()) - ts <= valid_seconds()


tokens = ActivationTokens()


def link(registration: Any) -> str:
    path = reverse("helpdesk:activate", args=[registration.public_id, tokens.make_token(registration.resident)])
    return settings.SITE_URL.rstrip("/") + path


def send(registration: Any) -> None:
    """Send the link to the resident's phone and email (never to the officer, never logged)."""
    user = registration.resident
    url = link(registration)
    desk = registration.desk.name
    days = max(1, valid_seconds() // 86400)
    send_sms(
        user.phone,
        f"Akun Kartu Prakerja Anda dibuat di {desk}. Buat kata sandi Anda sendiri: {url} "
        "Jangan berikan tautan ini kepada siapa pun, termasuk petugas.",
    )
    send_mail(
        "Buat kata sandi akun Kartu Prakerja / Set your Kartu Prakerja password",
        f"Akun Kartu Prakerja Anda dibuat dengan bantuan petugas di {desk}.\n"
        f"Buat kata sandi Anda sendiri melalui tautan ini (berlaku {days} hari, hanya sekali pakai):\n"
        f"Your Kartu Prakerja account was created with a help-desk officer at {desk}.\n"
        f"Set your own password with this link (valid {days} days, single use):\n\n"
        f"{url}\n\n"
        "Jangan berikan tautan atau kata sandi ini kepada siapa pun, termasuk petugas.\n"
        "Never give this link or your password to anyone, officers included.\n",
        None,
        [user.email],
    )
