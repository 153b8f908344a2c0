"""Bearer-token API requests skip the session machinery (ops.api_path) and keep everything else."""

from __future__ import annotations

import pytest
from django.test import Client

from prakerja.accounts import actions
from prakerja.accounts.models import User
from prakerja.ops.api_path import is_bearer_api

pytestmark = pytest.mark.django_db


@pytest.fixture
def token() -> str:
    user = User.objects.create_user(email="jalur.api@contoh.id", password="x" * 12)  # type: ignore[arg-type]
    return actions.issue_token(user)


def test_a_bearer_api_request_keeps_its_headers_and_leaves_no_session_trace(token):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    r = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_REQUEST_ID="req-12345678")
    assert r.status_code == 200
    assert r["X-Request-ID"] == "req-12345678"
    assert "default-src 'self'" in r["Content-Security-Policy"]
    assert r["X-Frame-Options"] == "DENY" and r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Language"] == "en"
    assert "Cookie" not in r.get("Vary", "") and not r.cookies
    assert r.wsgi_request.user.is_anonymous and not hasattr(r.wsgi_request, "session")


def test_a_bad_token_is_still_a_json_401_in_the_readers_language(token):
    messages = set()
    for language in ("en", "id"):
        r = Client(HTTP_ACCEPT_LANGUAGE=language).get("/api/v1/me", HTTP_AUTHORIZATION="Bearer salah")
        assert r.status_code == 401 and r.json()["errors"][0]["code"] == "NOT_AUTHENTICATED"
        assert r["X-Request-ID"] and "Cookie" not in r.get("Vary", "")
        messages.add(r.json()["errors"][0]["message"])
    assert len(messages) == 2  # Indonesian and English


def test_other_requests_go_through_the_session_machinery(rf):
    assert is_bearer_api(rf.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer abc"))
    assert is_bearer_api(rf.get("/api/v1/me", HTTP_AUTHORIZATION="bearer abc"))
    assert not is_bearer_api(rf.get("/api/v1/me"))
    assert not is_bearer_api(rf.get("/api/v1/me", HTTP_AUTHORIZATION="Basic abc"))
    assert not is_bearer_api(rf.get("/dasbor/", HTTP_AUTHORIZATION="Bearer abc"))
    r = Client().get("/api/v1/me")  # no bearer header: the whole stack, then ninja's 401
    assert r.status_code == 401
    assert hasattr(r.wsgi_request, "session")


def test_a_page_still_gets_its_csrf_cookie_and_session(client):
    r = client.get("/akun/masuk/")
    assert r.status_code == 200 and "csrftoken" in r.cookies
