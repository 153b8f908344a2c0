"""Accounts: the email link, the SMS code, phone numbers, log-in throttling, password reset, hashing."""

from __future__ import annotations

import datetime as dt
import re
import time
from types import SimpleNamespace
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core import signing
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import locmem
from django.test import Client

from conftest import PASSWORD, Api, codes, email_token, last_sms_code
from prakerja.accounts.hashers import OwaspArgon2PasswordHasher
from prakerja.accounts.models import PhoneOtp, User
from prakerja.core import clock, outbox
from prakerja.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "siti@contoh.id"
PHONE = "081234567890"
NEW_PASSWORD = "Baru&Kuat#2025"
T0 = dt.datetime(2030, 3, 1, 2, 0, tzinfo=dt.UTC)


def register(email: str = EMAIL, phone: str = PHONE) -> tuple[Api, User]:
    """A new account, logged in through the API, email and phone not yet verified."""
    client = Api()
    r = client.post("/auth/register", {"email": email, "password": PASSWORD, "phone": phone})
    assert r.status_code == 201, r.content
    client.token = client.post("/auth/token", {"email": email, "password": PASSWORD}).json()["token"]
    return client, User.objects.get(email=email)


def log_in(client: Api, email: str = EMAIL, password: str = PASSWORD):
    return client.post("/auth/token", {"email": email, "password": password})


def from_address(ip: str) -> Api:
    client = Api()
    client.client = Client(REMOTE_ADDR=ip)
    return client


def account(client: Api) -> dict:
    return client.get("/me").json()["account"]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def only(response) -> tuple[int, str, str | None]:
    """Status, code and field of a refusal with exactly one error."""
    [error] = response.json()["errors"]
    return response.status_code, error["code"], error["field"]


# --- email verification -----------------------------------------------------------------------
def emailed_link_path(email: str) -> str:
    message = outbox.messages_for(email, "email")[-1]
    url = re.search(r"https?://\S+/akun/verifikasi-email/\S+/", message).group(0)  # type: ignore[union-attr]
    return urlsplit(url).path


@pytest.mark.parametrize(("logged_in", "lands_on"), [(False, "/akun/masuk/"), (True, "/akun/verifikasi/")])
def test_email_link_page_verifies_the_address(logged_in, lands_on):
    client, user = register()
    web = Client()
    if logged_in:
        web.force_login(user)
    r = web.get(emailed_link_path(EMAIL))
    assert r.status_code == 302
    assert r["Location"] == lands_on
    assert account(client)["email_verified"] is True
    assert client.get("/me").json()["next_step"] == "verify_phone"
    # Opening the link again changes nothing and records nothing new.
    assert web.get(emailed_link_path(EMAIL)).status_code == 302
    assert AuditEvent.objects.filter(action="account.email_verified").count() == 1


def test_email_token_from_the_link_verifies_through_the_api():
    client, _ = register()
    token = emailed_link_path(EMAIL).rstrip("/").rsplit("/", 1)[1]
    assert token == email_token(EMAIL)
    r = client.post("/auth/verify-email", {"token": token})
    assert r.status_code == 200, r.content
    assert r.json()["email_verified"] is True and r.json()["phone_verified"] is False
    assert User.objects.get().email_verified_at is not None


def _flip_last(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(_flip_last, id="signature-changed"),
        pytest.param(lambda t: t[:-1], id="truncated"),
        pytest.param(lambda t: "x" + t, id="payload-changed"),
        pytest.param(lambda t: signing.dumps(signing.loads(t, salt="prakerja.verify-email")), id="other-salt"),
        pytest.param(lambda t: "", id="empty"),
    ],
)
def test_tampered_email_token_is_refused(tamper):
    client, _ = register()
    r = client.post("/auth/verify-email", {"token": tamper(email_token(EMAIL))})
    assert only(r) == (400, "EMAIL_TOKEN_INVALID", "token")
    assert User.objects.get().email_verified_at is None


def test_tampered_link_page_says_so():
    client, _ = register()
    path = emailed_link_path(EMAIL)
    r = Client().get(path[:-2] + ("A" if path[-2] != "A" else "B") + "/")
    assert r.status_code == 400
    assert "Tautan verifikasi tidak valid atau kedaluwarsa." in r.content.decode()
    assert account(client)["email_verified"] is False


def test_link_for_a_changed_address_does_not_verify_the_new_one():
    client, user = register()
    token = email_token(EMAIL)
    User.objects.filter(pk=user.pk).update(email="baru@contoh.id")
    assert only(client.post("/auth/verify-email", {"token": token})) == (400, "EMAIL_TOKEN_INVALID", "token")
    assert User.objects.get().email_verified_at is None


@pytest.mark.parametrize(("hours_later", "accepted"), [(71, True), (73, False)])
def test_email_token_expires_after_72_hours(hours_later, accepted):
    client, _ = register()
    token = email_token(EMAIL)
    later = time.time() + hours_later * 3600
    # django.core.signing reads time.time(), not the platform clock.
    with mock.patch.object(signing, "time", SimpleNamespace(time=lambda: later)):
        r = client.post("/auth/verify-email", {"token": token})
    if accepted:
        assert r.status_code == 200, r.content
    else:
        assert only(r) == (400, "EMAIL_TOKEN_INVALID", "token")
    assert account(client)["email_verified"] is accepted


# --- SMS code ------------------------------------------------------------------------------------
def otp() -> PhoneOtp:
    return PhoneOtp.objects.get(used_at=None)


def test_wrong_sms_code_is_refused_and_counted():
    client, user = register()
    r = client.post("/auth/verify-phone", {"code": wrong(last_sms_code(user.phone))})
    assert only(r) == (422, "OTP_INVALID", "code")
    assert otp().attempts == 1
    assert account(client)["phone_verified"] is False


@pytest.mark.parametrize(("wrong_codes", "status"), [(4, 200), (5, 429)])
def test_right_code_is_refused_after_five_wrong_ones(frozen_clock, wrong_codes, status):
    frozen_clock(T0)
    client, user = register()
    code = last_sms_code(user.phone)
    for _ in range(wrong_codes):
        assert codes(client.post("/auth/verify-phone", {"code": wrong(code)})) == ["OTP_INVALID"]
    r = client.post("/auth/verify-phone", {"code": code})
    assert r.status_code == status, r.content
    if status == 429:
        assert only(r) == (429, "OTP_TOO_MANY_ATTEMPTS", "code")
        assert account(client)["phone_verified"] is False
        # The way out: a new code, a minute later.
        frozen_clock(T0 + dt.timedelta(seconds=61))
        assert client.post("/auth/resend-phone-code").status_code == 202
        assert client.post("/auth/verify-phone", {"code": last_sms_code(user.phone)}).status_code == 200
    assert account(client)["phone_verified"] is True


@pytest.mark.parametrize(("minutes_later", "expired"), [(9, False), (10, False), (11, True)])
def test_sms_code_expires_after_ten_minutes(frozen_clock, minutes_later, expired):
    frozen_clock(T0)
    client, user = register()
    code = last_sms_code(user.phone)
    frozen_clock(T0 + dt.timedelta(minutes=minutes_later))
    r = client.post("/auth/verify-phone", {"code": code})
    if expired:
        assert only(r) == (422, "OTP_EXPIRED", "code")
        assert account(client)["phone_verified"] is False
        assert client.post("/auth/resend-phone-code").status_code == 202
        r = client.post("/auth/verify-phone", {"code": last_sms_code(user.phone)})
    assert r.status_code == 200, r.content
    assert account(client)["phone_verified"] is True


def test_resend_gives_a_new_code_and_the_old_one_stops_working(frozen_clock):
    frozen_clock(T0)
    client, user = register()
    old = last_sms_code(user.phone)
    frozen_clock(T0 + dt.timedelta(seconds=61))
    assert client.post("/auth/resend-phone-code").status_code == 202
    assert len(outbox.messages_for(user.phone, "sms")) == 2
    new = last_sms_code(user.phone)
    assert only(client.post("/auth/verify-phone", {"code": old})) == (422, "OTP_INVALID", "code")
    assert client.post("/auth/verify-phone", {"code": new}).status_code == 200
    assert account(client)["phone_verified"] is True


def test_resend_is_limited_to_one_a_minute_and_six_a_day(frozen_clock):
    """An open resend button must not flood a phone (or the SMS budget)."""
    frozen_clock(T0)
    client, user = register()
    r = client.post("/auth/resend-phone-code")
    assert only(r) == (429, "RATE_LIMITED", None)
    assert "61 detik" in r.json()["errors"][0]["message"]
    for minute in range(1, 6):
        frozen_clock(T0 + dt.timedelta(minutes=minute))
        assert client.post("/auth/resend-phone-code").status_code == 202
    frozen_clock(T0 + dt.timedelta(minutes=30))
    assert only(client.post("/auth/resend-phone-code")) == (429, "RATE_LIMITED", None)
    assert len(outbox.messages_for(user.phone, "sms")) == 6
    frozen_clock(T0 + dt.timedelta(days=1, seconds=1))
    assert client.post("/auth/resend-phone-code").status_code == 202


# --- phone numbers ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "same_number", ["081234567890", "+6281234567890", "6281234567890", "0812-3456-7890", "+62 812 3456 7890"]
)
def test_one_phone_number_in_any_spelling_is_one_account(api, same_number):
    r = api.post("/auth/register", {"email": EMAIL, "password": PASSWORD, "phone": "081234567890"})
    assert r.json()["phone"] == "+6281234567890"
    r = api.post("/auth/register", {"email": "lain@contoh.id", "password": PASSWORD, "phone": same_number})
    assert only(r) == (422, "PHONE_TAKEN", "phone")
    assert User.objects.count() == 1


# --- log-in throttling ------------------------------------------------------------------------------
@pytest.mark.parametrize(("failures", "status"), [(4, 200), (5, 429)])
def test_account_is_locked_after_five_failures_even_for_the_right_password(api, failures, status):
    register()
    for _ in range(failures):
        assert only(log_in(api, password="salah-sandi")) == (401, "LOGIN_FAILED", None)
    r = log_in(api)
    assert r.status_code == status, r.content
    if status == 429:
        assert only(r)[1] == "RATE_LIMITED"
        wait = int(
            re.fullmatch(
                r"Terlalu banyak percobaan\. Coba lagi dalam (\d+) detik\.", r.json()["errors"][0]["message"]
            ).group(1)
        )  # type: ignore[union-attr]
        assert 1 <= wait <= 15 * 60
        assert "token" not in r.json()


def test_lock_announces_the_exact_wait_and_leaks_nothing(api, settings, frozen_clock):
    settings.LOGIN_THROTTLE = {"per_ip": (100, 900), "per_account": (2, 900)}
    frozen_clock(T0)
    register()
    register("budi@contoh.id", "081298760000")
    log_in(api, password="salah-1")
    log_in(api, password="salah-2")
    frozen_clock(T0 + dt.timedelta(seconds=100))
    right, wrong_password = log_in(api), log_in(api, password="salah-3")
    assert right.json() == wrong_password.json()
    assert right.status_code == wrong_password.status_code == 429
    assert right.json()["errors"][0]["message"] == "Terlalu banyak percobaan. Coba lagi dalam 800 detik."
    english = Api("en").post("/auth/token", {"email": EMAIL, "password": PASSWORD})
    assert english.json()["errors"][0]["message"] == "Too many attempts. Try again in 800 seconds."
    # Another account from the same address is not locked.
    assert log_in(api, "budi@contoh.id").status_code == 200


@pytest.mark.parametrize(("failures", "status"), [(2, 200), (3, 429)])
def test_address_is_locked_after_failures_across_accounts(api, settings, failures, status):
    settings.LOGIN_THROTTLE = {"per_ip": (3, 900), "per_account": (2, 900)}
    register()
    for n in range(failures):
        assert log_in(api, f"orang{n}@contoh.id", "salah-sandi").status_code == 401
    r = log_in(api)
    assert r.status_code == status, r.content
    if status == 429:
        assert only(r)[:2] == (429, "RATE_LIMITED")
        assert re.search(r"dalam \d+ detik", r.json()["errors"][0]["message"])
        # The same person from another address gets in.
        assert log_in(from_address("10.0.0.7")).status_code == 200


def test_success_resets_the_account_counter(api, settings):
    settings.LOGIN_THROTTLE = {"per_ip": (100, 900), "per_account": (2, 900)}
    register()
    assert log_in(api, password="salah-1").status_code == 401
    assert log_in(api).status_code == 200
    assert log_in(api, password="salah-2").status_code == 401
    assert log_in(api).status_code == 200


@pytest.fixture
def cache_on_platform_clock(settings):
    """Let the local-memory cache expire entries by the platform clock, as real time would."""
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    fake = SimpleNamespace(time=lambda: clock.now().timestamp())
    with mock.patch.object(locmem, "time", fake), mock.patch.object(cache_base, "time", fake):
        yield


def test_account_is_open_again_when_the_announced_wait_is_over(api, settings, frozen_clock, cache_on_platform_clock):
    settings.LOGIN_THROTTLE = {"per_ip": (100, 900), "per_account": (2, 900)}
    frozen_clock(T0)
    register()
    log_in(api, password="salah-1")
    frozen_clock(T0 + dt.timedelta(seconds=800))
    log_in(api, password="salah-2")
    frozen_clock(T0 + dt.timedelta(seconds=850))
    r = log_in(api)
    assert r.json()["errors"][0]["message"] == "Terlalu banyak percobaan. Coba lagi dalam 50 detik."
    frozen_clock(T0 + dt.timedelta(seconds=851 + 50))
    assert log_in(api).status_code == 200


# --- password reset through the web pages ---------------------------------------------------------
def reset_link_path(email: str) -> str:
    message = outbox.messages_for(email, "email")[-1]
    return re.search(r"https?://[^/\s]+(/akun/atur-sandi/[^/\s]+/[^/\s]+/)", message).group(1)  # type: ignore[union-attr]


def ask_for_reset(web: Client, email: str = EMAIL) -> None:
    r = web.post("/akun/lupa-sandi/", {"email": email})
    assert r.status_code == 302 and r["Location"] == "/akun/lupa-sandi/terkirim/"


def test_password_reset_through_the_pages(api):
    register()
    web = Client()
    ask_for_reset(web)
    link = reset_link_path(EMAIL)
    r = web.get(link)
    assert r.status_code == 302
    form_url = r["Location"]
    assert form_url.startswith(link.rsplit("/", 2)[0] + "/") and form_url.endswith("/set-password/")
    assert web.get(form_url).status_code == 200
    r = web.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/akun/atur-sandi/selesai/"

    assert log_in(api, password=NEW_PASSWORD).status_code == 200
    assert only(log_in(api)) == (401, "LOGIN_FAILED", None)
    # The link works once.
    again = Client().get(link, follow=True)
    assert "Tautan tidak valid atau sudah dipakai." in again.content.decode()


@pytest.mark.parametrize(("first", "second"), [(NEW_PASSWORD, "Lain&Kuat#2025"), ("12345678", "12345678"), ("", "")])
def test_refused_new_password_keeps_the_old_one(api, first, second):
    register()
    web = Client()
    ask_for_reset(web)
    form_url = web.get(reset_link_path(EMAIL))["Location"]
    r = web.post(form_url, {"new_password1": first, "new_password2": second})
    assert r.status_code == 200  # the form again, with its errors
    assert log_in(api).status_code == 200


def test_reset_for_an_unknown_address_sends_nothing_and_says_the_same():
    register()
    ask_for_reset(Client(), "tidak.ada@contoh.id")
    assert outbox.messages_for("tidak.ada@contoh.id") == []
    assert len(outbox.messages_for(EMAIL, "email")) == 1  # only the verification email


# --- password hashing ------------------------------------------------------------------------------
def test_owasp_argon2_hasher_parameters():
    hasher = OwaspArgon2PasswordHasher()
    encoded = hasher.encode(PASSWORD, "owaspSaltOwaspSaltOwaspS")
    algorithm, variety, version, params, _salt, _digest = encoded.split("$")
    assert (algorithm, variety, version, params) == ("argon2", "argon2id", "v=19", "m=19456,t=2,p=1")
    assert hasher.decode(encoded)["salt"] == "owaspSaltOwaspSaltOwaspS"
    assert hasher.verify(PASSWORD, encoded)
    assert not hasher.verify(PASSWORD + "x", encoded)
    assert not hasher.must_update(encoded)


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = [h for h in settings.PASSWORD_HASHERS if not h.endswith("MD5PasswordHasher")]
    assert settings.PASSWORD_HASHERS[0] == "prakerja.accounts.hashers.OwaspArgon2PasswordHasher"


def test_passwords_are_stored_with_owasp_argon2id(api, production_hashers):
    register()
    assert User.objects.get().password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert log_in(api).status_code == 200
    assert log_in(api, password="salah-sandi").status_code == 401


def test_older_argon2_hash_is_upgraded_at_log_in(api, production_hashers):
    register()
    old = Argon2PasswordHasher().encode(PASSWORD, "owaspSaltOwaspSaltOwaspS")
    assert "m=102400" in old
    User.objects.update(password=old)
    assert log_in(api).status_code == 200
    assert User.objects.get().password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
