"""Verification messages (the email link, the SMS code) leave through the task queue.

Registration used to send both in the request, once its transaction had committed. With the mail
server slow or down, a registration that was saved answered 500; the person tried again and was told
the email was taken. A mail server that accepted the connection and then hung held the request's
thread, and its surge-gate slot, until gunicorn killed the worker. Now a request only queues ids after
its commit, and a task worker sends (``prakerja db_worker``; in development and tests tasks run at once,
so the outbox is written as before). A queue that cannot be reached is logged, not raised: the account
is saved either way, and the person can ask for the code or link again.

No secret goes into the queue, which is a database table or a Redis list anyone with access can read.
The task gets the code's row id. The code is derived from the row (:func:`phone_code`: an HMAC under
the server's secret of the row's user, phone and creation time). So the row the registration's
transaction writes is all the worker needs, and the database still keeps only the code's hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.crypto import salted_hmac

from prakerja.accounts.models import PhoneOtp, User
from prakerja.accounts.sms import send_sms
from prakerja.accounts.tasks import (
    send_email_link_task,
    send_password_reset_task,
    send_phone_code_task,
    send_welcome_task,
)
from prakerja.core import clock, queue

logger = logging.getLogger(__name__)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_CODE_SALT = "prakerja.accounts.phone-code"


def phone_code(otp: PhoneOtp) -> str:
    """The 6-digit code of ``otp``: the same for its row wherever it is computed, unknowable without the secret.

    The creation time is taken to the microsecond as an integer, so that a time read back from the
    database (in UTC) gives the same code as the time it was written with (in any zone)."""
    micros = (otp.created_at - _EPOCH) // dt.timedelta(microseconds=1)
    digest = salted_hmac(_CODE_SALT, f"{otp.user_id}:{otp.phone}:{micros}", algorithm="sha256").digest()
    return f"{int.from_bytes(digest, 'big') % 10**6:06d}"


def code_hash(user: User, code: str) -> str:
    """What is stored of a code (and what a typed code is compared by): the code itself is never kept."""
    return hmac.new(settings.SECRET_KEY.encode(), f"{user.pk}:{code}".encode(), hashlib.sha256).hexdigest()


# --- queueing (in the request) ---------------------------------------------------------------------
def queue_welcome(user: User, otp: PhoneOtp) -> None:
    """After the registration commits: the SMS code, then the email link (one task)."""
    queue.after_commit(send_welcome_task, user.pk, otp.pk)


def queue_phone_code(otp: PhoneOtp) -> None:
    queue.after_commit(send_phone_code_task, otp.pk)


def queue_email_link(user: User) -> None:
    queue.after_commit(send_email_link_task, user.pk)


def queue_password_reset(user_ids: list[int], domain: str, use_https: bool, templates: dict[str, str]) -> None:
    """The reset link is a secret: the queue holds the accounts' ids (none for an address no account
    has: queued all the same, so the answer takes as long), and the task makes the link."""
    queue.after_commit(send_password_reset_task, user_ids, domain, use_https, templates)


# --- sending (in the task worker) ------------------------------------------------------------------
def send_phone_code(otp_id: int) -> bool:
    """Send the code of ``otp_id`` unless it can no longer be used (used, superseded, expired, or the
    account's phone changed since): an SMS costs money, and a stale code would only confuse."""
    otp = PhoneOtp.objects.select_related("user").filter(pk=otp_id).first()
    if otp is None or otp.used_at is not None or otp.expires_at <= clock.now() or otp.phone != otp.user.phone:
        return False
    code = phone_code(otp)
    if code_hash(otp.user, code) != otp.code_hash:
        # The web and this worker do not share SECRET_KEY (or it changed meanwhile): the SMS would carry a
        # code that can never be accepted. Failing the task says so in the log and the task results.
        raise RuntimeError(f"phone code {otp_id} does not match its stored hash: is SECRET_KEY the web's?")
    send_sms(otp.phone, f"Kode verifikasi Kartu Prakerja: {code}. Jangan berikan kode ini kepada siapa pun.")
    return True


def send_email_link(user_id: int) -> bool:
    """Send the verification link, unless the account is gone or its email is verified already."""
    from prakerja.accounts.actions import email_token

    user = User.objects.filter(pk=user_id, email_verified_at__isnull=True).first()
    if user is None:
        return False
    token = email_token(user)
    link = settings.SITE_URL + reverse("accounts:verify-email", args=[token])
    send_mail(
        "Verifikasi email Kartu Prakerja / Verify your email",
        "Buka tautan ini untuk memverifikasi email Anda:\n"
        "Open this link to verify your email:\n\n"
        f"{link}\n\nToken: {token}\n",
        None,
        [user.email],
    )
    return True


def send_welcome(user_id: int, otp_id: int) -> dict[str, bool]:
    """Both messages of a new account. Each is tried even when the other fails (a mail server down
    must not keep the SMS code back); the first failure is raised after both, so the task is marked
    failed and the error is logged."""
    sent: dict[str, bool] = {}
    failure: Exception | None = None
    for kind, send, arg in (("sms", send_phone_code, otp_id), ("email", send_email_link, user_id)):
        try:
            sent[kind] = send(arg)
        except Exception as exc:  # the other message still goes; the failure is raised below
            logger.warning("sending the %s of a new account failed: %s", kind, type(exc).__name__)
            failure = failure or exc
    if failure is not None:
        raise failure
    return sent


def send_password_reset(user_ids: list[int], domain: str, use_https: bool, templates: dict[str, str]) -> int:
    """Django's own reset email (``PasswordResetForm.save``) to each of ``user_ids`` still active with a
    usable password; returns how many were handed to the mail server. Django's form logs a failed send
    ("Failed to send password reset email") rather than raising it."""
    from django.contrib.auth.forms import PasswordResetForm

    users = [u for u in User.objects.filter(pk__in=user_ids, is_active=True) if u.has_usable_password()]
    form = PasswordResetForm()
    form.cleaned_data = {"email": ""}
    form.get_users = lambda email: iter(users)  # type: ignore[method-assign]  # the accounts, chosen in the request
    form.save(
        domain_override=domain,
        use_https=use_https,
        subject_template_name=templates.get("subject_template_name", "registration/password_reset_subject.txt"),
        email_template_name=templates.get("email_template_name", "registration/password_reset_email.html"),
    )
    return len(users)
