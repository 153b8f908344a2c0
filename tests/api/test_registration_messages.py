"""The verification messages leave through the task queue (accounts/sending.py).

A mail server or a queue that is down must not turn a registration that was saved into an error (the
person would try again and be told the email is taken). The queue holds ids, never a code or a link.
A worker sends the code that the registration's transaction stored, and nothing that has been
superseded since.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import socket

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks.backends.dummy import DummyBackend
from django_tasks_db.models import DBTaskResult

from conftest import PASSWORD, codes, email_token, last_sms_code
from prakerja.accounts import actions, sending
from prakerja.accounts.models import PhoneOtp, User
from prakerja.core import outbox

pytestmark = pytest.mark.django_db(transaction=True)

BODY = {"email": "wati@contoh.id", "password": PASSWORD, "phone": "081234500077"}
PHONE = "+6281234500077"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class UnreachableQueue(DummyBackend):
    """A task backend whose broker cannot be reached (Redis down, say)."""

    def enqueue(self, task, args, kwargs):
        raise ConnectionError("queue unreachable")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)


def test_a_mail_server_down_does_not_fail_a_saved_registration(api, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    with caplog.at_level(logging.WARNING, logger="prakerja.accounts.sending"):
        r = api.post("/auth/register", BODY)
    assert r.status_code == 201, r.content
    assert User.objects.filter(email=BODY["email"]).exists()
    assert "sending the email of a new account failed" in caplog.text
    # The SMS code went out all the same, and it opens the phone's verification.
    assert not outbox.messages_for(BODY["email"], "email")
    api.token = api.post("/auth/token", {"email": BODY["email"], "password": PASSWORD}).json()["token"]
    r = api.post("/auth/verify-phone", {"code": last_sms_code(PHONE)})
    assert r.status_code == 200, r.content
    assert r.json()["phone_verified"] is True


def test_the_queue_holds_ids_and_the_worker_sends_the_stored_code(api, settings):
    settings.TASKS = DB_TASKS
    r = api.post("/auth/register", BODY)
    assert r.status_code == 201, r.content
    user, otp = User.objects.get(), PhoneOtp.objects.get()
    assert not outbox.messages_for(PHONE) and not outbox.messages_for(BODY["email"])  # queued, not sent
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "prakerja.accounts.tasks.send_welcome_task"
    assert queued.args_kwargs == {"args": [user.pk, otp.pk], "kwargs": {}}

    run_worker()
    code = last_sms_code(PHONE)
    assert code == sending.phone_code(otp)  # the row read back gives the code its hash was made from
    assert otp.code_hash == sending.code_hash(user, code)
    assert api.post("/auth/verify-email", {"token": email_token(BODY["email"])}).status_code == 200
    api.token = api.post("/auth/token", {"email": BODY["email"], "password": PASSWORD}).json()["token"]
    assert api.post("/auth/verify-phone", {"code": code}).status_code == 200


def test_a_code_superseded_before_the_worker_ran_is_not_sent(api, settings):
    settings.TASKS = DB_TASKS
    assert api.post("/auth/register", BODY).status_code == 201
    user = User.objects.get()
    first = PhoneOtp.objects.get()
    actions.send_phone_otp(user)  # a new code asked for while the first still waits in the queue
    newest = PhoneOtp.objects.exclude(pk=first.pk).get()
    run_worker()
    sms = outbox.messages_for(PHONE, "sms")
    assert len(sms) == 1 and sending.phone_code(newest) in sms[0]
    assert sending.phone_code(first) != sending.phone_code(newest)
    api.token = api.post("/auth/token", {"email": BODY["email"], "password": PASSWORD}).json()["token"]
    assert codes(api.post("/auth/verify-phone", {"code": sending.phone_code(first)})) == ["OTP_INVALID"]
    assert api.post("/auth/verify-phone", {"code": sending.phone_code(newest)}).status_code == 200


def test_a_queue_that_cannot_be_reached_still_saves_the_registration(api, settings, caplog):
    settings.TASKS = {"default": {"BACKEND": f"{__name__}.UnreachableQueue"}}
    with caplog.at_level(logging.ERROR, logger="prakerja.core.queue"):
        r = api.post("/auth/register", BODY)
    assert r.status_code == 201, r.content
    assert "queue unreachable" in caplog.text
    user = User.objects.get()
    assert PhoneOtp.objects.filter(user=user).count() == 1 and not outbox.messages_for(PHONE)
    # Once the queue is back, asking again sends a code that works.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    actions.send_phone_otp(user)
    api.token = api.post("/auth/token", {"email": BODY["email"], "password": PASSWORD}).json()["token"]
    assert api.post("/auth/verify-phone", {"code": last_sms_code(PHONE)}).status_code == 200


def test_a_password_reset_queues_the_address_and_the_worker_sends_a_working_link(api, settings):
    assert api.post("/auth/register", BODY).status_code == 201
    settings.TASKS = DB_TASKS
    web = Client()
    r = web.post("/akun/lupa-sandi/", {"email": BODY["email"]})
    assert r.status_code == 302 and r["Location"] == "/akun/lupa-sandi/terkirim/"
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "prakerja.accounts.tasks.send_password_reset_task"
    stored = json.dumps(queued.args_kwargs)
    assert queued.args_kwargs["args"][0] == [User.objects.get().pk]  # the account, not the address typed in
    assert "atur-sandi" not in stored and BODY["email"] not in stored  # the link (a secret) is made by the worker
    assert len(outbox.messages_for(BODY["email"], "email")) == 1  # only the welcome email so far

    run_worker()
    link = re.search(r"https?://[^/\s]+(/akun/atur-sandi/\S+/)", outbox.messages_for(BODY["email"], "email")[-1])
    assert link is not None
    form_url = web.get(link.group(1))["Location"]
    new = "Sandi&Baru#2026"
    r = web.post(form_url, {"new_password1": new, "new_password2": new})
    assert r.status_code == 302 and r["Location"] == "/akun/atur-sandi/selesai/"
    assert api.post("/auth/token", {"email": BODY["email"], "password": new}).status_code == 200


def test_a_reset_for_an_address_no_account_has_queues_nothing_personal_and_sends_nothing(settings):
    settings.TASKS = DB_TASKS
    r = Client().post("/akun/lupa-sandi/", {"email": "tidak-ada@contoh.id"})
    assert r.status_code == 302 and r["Location"] == "/akun/lupa-sandi/terkirim/"  # the same answer as for an account
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["args"][0] == [] and "tidak-ada" not in json.dumps(queued.args_kwargs)
    run_worker()
    assert not outbox.messages_for("tidak-ada@contoh.id")


def test_a_code_expired_while_queued_is_not_sent_but_the_link_is(api, settings, frozen_clock):
    settings.TASKS = DB_TASKS
    assert api.post("/auth/register", BODY).status_code == 201
    otp = PhoneOtp.objects.get()
    frozen_clock(otp.expires_at + dt.timedelta(seconds=1))
    run_worker()
    assert not outbox.messages_for(PHONE, "sms")
    assert len(outbox.messages_for(BODY["email"], "email")) == 1


def test_no_link_for_an_email_verified_while_queued(api, settings):
    settings.TASKS = DB_TASKS
    assert api.post("/auth/register", BODY).status_code == 201
    actions.verify_email(actions.email_token(User.objects.get()))
    run_worker()
    assert not outbox.messages_for(BODY["email"], "email")
    assert len(outbox.messages_for(PHONE, "sms")) == 1


def test_a_worker_with_another_secret_key_fails_the_task_instead_of_sending_a_dead_code(api, settings):
    settings.TASKS = DB_TASKS
    assert api.post("/auth/register", BODY).status_code == 201
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    run_worker()
    assert not outbox.messages_for(PHONE, "sms")
    assert DBTaskResult.objects.get().status == "FAILED"
