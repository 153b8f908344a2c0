"""Staff log in with two factors; participants with one; staff sessions expire when idle."""

from __future__ import annotations

import io
import re
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from prakerja.core.models import AuditEvent
from staff import STAFF_PASSWORD, make_staff

pytestmark = pytest.mark.django_db


def code_for(secret_b32: str) -> str:
    import base64

    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    return f"{TOTP(key).token():06d}"


def password_login(email: str, password: str = STAFF_PASSWORD, next_url: str = "") -> tuple[Client, object]:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(f"/akun/masuk/{next_url}", {"email": email, "password": password})
    return client, response


def test_staff_enrol_an_authenticator_then_reach_their_pages():
    make_staff("pmo_selection", "seleksi.2fa@prakerja.test")
    client, response = password_login("seleksi.2fa@prakerja.test", next_url="?next=/pmo/gelombang/")
    assert response.status_code == 302 and response["Location"].startswith("/akun/dua-faktor/")
    # A password alone opens nothing: every staff page sends back to the code prompt.
    blocked = client.get("/pmo/gelombang/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/akun/dua-faktor/")

    enrol = client.get(response["Location"]).content.decode()
    assert "data:image/svg+xml" in enrol  # the QR code, served inline (no third-party QR service)
    secret = re.search(r"<code data-secret>([A-Z2-7]+)</code>", enrol).group(1)

    wrong = client.post(response["Location"], {"code": "000000" if code_for(secret) != "000000" else "111111"})
    assert wrong.status_code == 400 and "Wrong or already used authenticator code" in wrong.content.decode()
    assert client.get("/pmo/gelombang/").status_code == 302
    # After a wrong code, even the right one waits a moment (growing delays stop guessing).
    assert client.post(response["Location"], {"code": code_for(secret)}).status_code == 400
    time.sleep(1.1)

    right = client.post(response["Location"], {"code": code_for(secret)})
    assert right.status_code == 302 and right["Location"] == "/pmo/gelombang/"
    assert client.get("/pmo/gelombang/").status_code == 200
    assert TOTPDevice.objects.get(user__email="seleksi.2fa@prakerja.test").confirmed
    actions = list(AuditEvent.objects.filter(action__startswith="accounts.two_factor").values_list("action", flat=True))
    assert sorted(actions) == sorted(
        ["accounts.two_factor.failed"] * 2 + ["accounts.two_factor.passed", "accounts.two_factor.enrolled"]
    )
    # Staff sessions end after 30 idle minutes, not the participants' 8 hours.
    assert client.session.get_expiry_age() == 30 * 60


def test_a_code_cannot_be_used_twice_and_enrolled_staff_are_not_shown_the_secret_again():
    user = make_staff("auditor", "auditor.2fa@prakerja.test")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    code = f"{TOTP(device.bin_key).token():06d}"
    first, _ = password_login("auditor.2fa@prakerja.test")
    prompt = first.get("/akun/dua-faktor/").content.decode()
    assert "data-secret" not in prompt
    assert first.post("/akun/dua-faktor/", {"code": code}).status_code == 302
    second, _ = password_login("auditor.2fa@prakerja.test")
    assert second.post("/akun/dua-faktor/", {"code": code}).status_code == 400  # replayed code


def test_participants_are_not_asked_for_a_second_factor():
    from prakerja.accounts.models import User

    User.objects.create_user("biasa@contoh.id", "Rahasia#2024x")
    _client, response = password_login("biasa@contoh.id", "Rahasia#2024x")
    assert response.status_code == 302 and response["Location"] == "/dasbor/"


def test_staff_cannot_get_api_tokens():
    make_staff("pmo", "pmo.api@prakerja.test")
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/auth/token",
        {"email": "pmo.api@prakerja.test", "password": STAFF_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "STAFF_USE_WEB"


def test_demo_staff_code_command_prints_a_working_code():
    from prakerja.accounts.demo import demo_device

    user = make_staff("ministry", "kementerian.2fa@prakerja.test")
    demo_device(user)
    out = io.StringIO()
    call_command("totp_code", "kementerian.2fa@prakerja.test", stdout=out)
    client, _ = password_login("kementerian.2fa@prakerja.test")
    assert client.post("/akun/dua-faktor/", {"code": out.getvalue().strip()}).status_code == 302
