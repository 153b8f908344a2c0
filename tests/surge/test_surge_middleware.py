"""The surge gate (core.surge) on its own and in the middleware stack: over capacity a gated request is
answered 429 with Retry-After before its view runs (JSON on the API, the waiting page on the site);
under capacity it passes; a slot is always given back, also when the view raises."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from prakerja.accounts.models import User
from prakerja.core import surge
from prakerja.core.models import AuditEvent

SURGE = "prakerja.core.surge.SurgeMiddleware"
REGISTER = "/api/v1/auth/register"
PASSWORD = "Rahasia#2024x"


@pytest.fixture(autouse=True)
def fresh_gates():
    """One gate per process and setting values: each test starts with its own, all slots free."""
    surge._gates.clear()
    yield
    surge._gates.clear()


@pytest.fixture
def small_gate(settings):
    settings.SURGE_MAX_CONCURRENT = 2
    settings.SURGE_MAX_WAITING = 0
    settings.SURGE_WAIT_SECONDS = 0.2
    settings.SURGE_RETRY_AFTER = 3
    return surge.gate()


@pytest.fixture
def stack(settings, small_gate):
    """The project's middleware with the gate where it belongs: after the rate limits and the body size check."""
    middleware = [m for m in settings.MIDDLEWARE if m != SURGE]
    middleware.insert(middleware.index("prakerja.core.rate_limits.BodySizeLimitMiddleware") + 1, SURGE)
    settings.MIDDLEWARE = middleware
    settings.RATE_LIMIT_SCALE = 0
    return small_gate


def fill(gate: surge.Gate) -> list[None]:
    taken: list[None] = []
    while gate.enter():
        taken.append(None)
    return taken


def empty(gate: surge.Gate, taken: list[None]) -> None:
    for _ in taken:
        gate.leave()


def free_slots(gate: surge.Gate) -> int:
    taken = fill(gate)
    empty(gate, taken)
    return len(taken)


def middleware(view=None) -> surge.SurgeMiddleware:
    return surge.SurgeMiddleware(view or (lambda request: HttpResponse("made", status=201)))


def post(path: str, **headers: str):
    return RequestFactory().post(path, data="{}", content_type="application/json", headers=headers)


def test_under_capacity_the_request_passes_and_gives_its_slot_back(small_gate):
    seen = []

    def view(request):
        seen.append(small_gate.waiting)
        return HttpResponse("made", status=201)

    response = middleware(view)(post(REGISTER))
    assert (response.status_code, response.content) == (201, b"made")
    assert seen == [0]
    assert free_slots(small_gate) == 2


@pytest.mark.django_db
def test_over_capacity_the_api_answers_429_with_retry_after_and_the_error_format(small_gate):
    taken = fill(small_gate)
    assert len(taken) == 2
    called: list[int] = []

    def view(request):
        called.append(1)
        return HttpResponse(status=201)

    try:
        started = time.monotonic()
        response = middleware(view)(post(REGISTER))
        assert time.monotonic() - started < 0.15  # no line allowed: refused at once
    finally:
        empty(small_gate, taken)
    assert called == []  # the view never ran
    assert response.status_code == 429
    assert 3 <= int(response["Retry-After"]) <= 6
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("application/json")
    [error] = json.loads(response.content)["errors"]
    assert error["code"] == "SERVER_BUSY" and error["field"] is None
    assert f"{response['Retry-After']} detik" in error["message"]


@pytest.mark.django_db
def test_the_message_follows_accept_language(small_gate):
    taken = fill(small_gate)
    try:
        response = middleware()(post("/api/v1/auth/token", **{"Accept-Language": "en"}))
    finally:
        empty(small_gate, taken)
    assert response.status_code == 429
    assert f"Try again in {response['Retry-After']} seconds" in json.loads(response.content)["errors"][0]["message"]


@pytest.mark.django_db
def test_over_capacity_the_site_shows_the_waiting_page_that_reloads_itself(small_gate):
    taken = fill(small_gate)
    try:
        response = middleware()(RequestFactory().post("/akun/masuk/?next=/dasbor/", {"email": "a@b.id"}))
    finally:
        empty(small_gate, taken)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    seconds = response["Retry-After"]
    assert re.search(rf'<meta http-equiv="refresh" content="{seconds};url=/akun/masuk/\?next=/dasbor/">', page), page
    assert "Antrean sedang penuh" in page
    assert f"dalam {seconds} detik" in page
    assert "<script" not in page and "style=" not in page  # the content security policy allows neither inline
    assert "a@b.id" not in page  # nothing posted is echoed back


def test_reading_a_form_and_other_endpoints_are_not_gated(small_gate):
    taken = fill(small_gate)
    try:
        assert middleware()(RequestFactory().get("/akun/daftar/")).status_code == 201
        assert middleware()(post("/api/v1/me/identity")).status_code == 201
        assert middleware()(post("/api/v1/auth/verify-email")).status_code == 201
    finally:
        empty(small_gate, taken)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/auth/register", "/api/v1/auth/token", "/akun/daftar/", "/akun/masuk/", "/akun/atur-sandi/MQ/set/"],
)
def test_every_password_endpoint_is_gated(small_gate, path):
    request = RequestFactory().post(path)
    assert surge.gated(request)
    assert not surge.gated(RequestFactory().get(path))


def test_the_slot_is_given_back_when_the_view_raises(small_gate):
    def broken(request):
        raise RuntimeError("the view failed")

    for _ in range(5):  # more times than there are slots: a leak would show as a refusal
        with pytest.raises(RuntimeError):
            middleware(broken)(post(REGISTER))
    assert small_gate.refused == 0
    assert free_slots(small_gate) == 2


def test_a_request_waits_in_line_for_a_slot_then_runs(settings):
    settings.SURGE_MAX_CONCURRENT = 1
    settings.SURGE_MAX_WAITING = 1
    settings.SURGE_WAIT_SECONDS = 5
    gate = surge.gate()
    assert gate.enter()
    result = {}

    def send():
        result["response"] = middleware()(post(REGISTER))

    thread = threading.Thread(target=send)
    thread.start()
    deadline = time.monotonic() + 5
    while gate.waiting == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert gate.waiting == 1
    gate.leave()  # the slot frees up well within the wait
    thread.join(timeout=5)
    assert result["response"].status_code == 201
    assert free_slots(gate) == 1


@pytest.mark.django_db
def test_a_request_that_waits_too_long_or_finds_the_line_full_is_refused(settings):
    settings.SURGE_MAX_CONCURRENT = 1
    settings.SURGE_MAX_WAITING = 1
    settings.SURGE_WAIT_SECONDS = 0.3
    gate = surge.gate()
    assert gate.enter()
    results: dict[str, tuple[int, float]] = {}

    def send(name):
        started = time.monotonic()
        results[name] = (middleware()(post(REGISTER)).status_code, time.monotonic() - started)

    try:
        waiting = threading.Thread(target=send, args=("waited",))
        waiting.start()
        deadline = time.monotonic() + 5
        while gate.waiting == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        send("line_full")  # the one place in line is taken: no wait at all
        waiting.join(timeout=5)
    finally:
        gate.leave()
    assert results["line_full"][0] == 429 and results["line_full"][1] < 0.2
    assert results["waited"][0] == 429 and results["waited"][1] >= 0.29
    assert gate.refused == 2
    assert free_slots(gate) == 1


@pytest.mark.django_db
def test_in_the_stack_a_refused_registration_writes_nothing_and_a_retry_succeeds(stack):
    client = Client()
    body = {"email": "ramai@contoh.id", "password": PASSWORD, "phone": "081299990001"}
    taken = fill(stack)
    try:
        refused = client.post(REGISTER, body, content_type="application/json")
    finally:
        empty(stack, taken)
    assert refused.status_code == 429 and refused.json()["errors"][0]["code"] == "SERVER_BUSY"
    assert int(refused["Retry-After"]) >= 3
    assert not User.objects.filter(email="ramai@contoh.id").exists()
    assert not AuditEvent.objects.filter(action="account.registered").exists()

    accepted = client.post(REGISTER, body, content_type="application/json")
    assert accepted.status_code == 201, accepted.content
    assert User.objects.filter(email="ramai@contoh.id").count() == 1
    assert free_slots(stack) == 2


@pytest.mark.django_db
def test_in_the_stack_the_site_form_gets_the_waiting_page(stack):
    client = Client()
    taken = fill(stack)
    try:
        response = client.post(
            "/akun/daftar/", {"email": "antre@contoh.id", "password": PASSWORD, "phone": "081299990002"}
        )
    finally:
        empty(stack, taken)
    assert response.status_code == 429
    assert response.templates[0].name == "surge.html"
    assert "Retry-After" in response
    # The site's content security policy still applies to the page.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert not User.objects.filter(email="antre@contoh.id").exists()


@pytest.mark.django_db
def test_the_waiting_page_speaks_the_readers_language_whatever_the_thread_last_used(small_gate):
    from django.utils import translation

    taken = fill(small_gate)
    try:
        with translation.override("en"):  # what a previous request left active in this worker thread
            indonesian = middleware()(RequestFactory().post("/akun/masuk/", {"email": "a@b.id"}))
        english = middleware()(RequestFactory().post("/akun/masuk/", HTTP_ACCEPT_LANGUAGE="en"))
    finally:
        empty(small_gate, taken)
    assert "Antrean sedang penuh" in indonesian.content.decode()
    assert "The queue is full" in english.content.decode()
