"""Public endpoints answer 429 with Retry-After once one address floods them; others are unaffected."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_registration_flood_gets_429_with_retry_after_and_no_accounts(settings):
    from prakerja.accounts.models import User

    settings.RATE_LIMITS = {"register": ("POST", r"^/(api/v1/auth/register|akun/daftar/)$", 3, 600)}
    client = Client(REMOTE_ADDR="10.1.2.3", HTTP_ACCEPT_LANGUAGE="en")
    statuses = [
        client.post(
            "/api/v1/auth/register",
            {"email": f"banjir{i}@contoh.id", "password": "Rahasia#2024x", "phone": f"08123400{i:04d}"},
            content_type="application/json",
        )
        for i in range(5)
    ]
    assert [r.status_code for r in statuses] == [201, 201, 201, 429, 429]
    refused = statuses[-1]
    assert 1 <= int(refused["Retry-After"]) <= 600
    assert refused.json()["errors"][0]["code"] == "RATE_LIMITED"
    assert "Try again in" in refused.json()["errors"][0]["message"]
    assert User.objects.filter(email__startswith="banjir").count() == 3  # nothing half-made for the refused
    # Another address (another phone) is not held back by the flood.
    other = Client(REMOTE_ADDR="10.9.9.9").post(
        "/api/v1/auth/register",
        {"email": "lain@contoh.id", "password": "Rahasia#2024x", "phone": "081234009999"},
        content_type="application/json",
    )
    assert other.status_code == 201


def test_the_site_answers_a_page_in_indonesian(settings):
    settings.RATE_LIMITS = {"login": ("POST", r"^/(api/v1/auth/token|akun/masuk/)$", 1, 600)}
    client = Client(REMOTE_ADDR="10.1.2.4")
    client.post("/akun/masuk/", {"email": "a@contoh.id", "password": "salah"})
    page = client.post("/akun/masuk/", {"email": "a@contoh.id", "password": "salah"})
    assert page.status_code == 429 and "Coba lagi dalam" in page.content.decode()


def test_scale_zero_turns_limits_off_for_load_benchmarks(settings):
    settings.RATE_LIMITS = {"login": ("POST", r"^/akun/masuk/$", 1, 600)}
    settings.RATE_LIMIT_SCALE = 0
    client = Client(REMOTE_ADDR="10.1.2.5")
    codes = {client.post("/akun/masuk/", {"email": "a@contoh.id", "password": "salah"}).status_code for _ in range(3)}
    assert 429 not in codes


def test_an_oversized_body_is_refused_before_it_is_read(settings):
    settings.MAX_REQUEST_BYTES = 1000
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/auth/register", "x" * 2000, content_type="application/json"
    )
    assert response.status_code == 413 and response.json()["errors"][0]["code"] == "BODY_TOO_LARGE"
