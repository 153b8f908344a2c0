"""/healthz and /readyz: what load balancers and orchestrators ask, answered cheaply and without personal data."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

from prakerja.ops import probes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_probes():
    probes.forget_cached()
    yield
    probes.forget_cached()


def test_liveness_answers_without_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies


def test_readiness_checks_the_database_and_migrations():
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}
    assert not response.cookies


def test_readiness_remembers_a_current_schema_briefly(django_assert_max_num_queries):
    assert Client().get("/readyz").status_code == 200
    with django_assert_max_num_queries(1):  # SELECT 1 only: the migration plan is not built again
        assert Client().get("/readyz").status_code == 200


def test_readiness_fails_with_503_naming_the_database(monkeypatch):
    def broken() -> None:
        raise OperationalError("could not connect to server at db.internal (10.0.0.5) as user prakerja")

    monkeypatch.setattr(probes, "check_database", broken)
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["database"]
    assert body["checks"] == {"database": "fail", "migrations": "skipped"}
    assert body["errors"] == {"database": "OperationalError"}
    assert "10.0.0.5" not in response.content.decode()  # the class name only, never the message


def test_readiness_fails_on_a_real_broken_connection(monkeypatch):
    """Not a stand-in exception: a real connection whose server cannot be reached."""
    from django.db import connection
    from django.db.utils import load_backend

    if connection.vendor == "postgresql":
        broken_settings = connection.settings_dict | {"HOST": "127.0.0.1", "PORT": "1"}
    else:
        broken_settings = connection.settings_dict | {"NAME": "/nonexistent-dir/prakerja.sqlite3"}
    broken = load_backend(broken_settings["ENGINE"]).DatabaseWrapper(broken_settings, "default")
    real_check = probes.check_database
    monkeypatch.setattr(probes, "check_database", lambda: real_check(broken))
    try:
        response = Client().get("/readyz")
    finally:
        broken.close()
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]
    assert response.json()["errors"]["database"] == "OperationalError"


def test_readiness_fails_while_migrations_are_pending(monkeypatch):
    monkeypatch.setattr(probes, "pending_migrations", lambda: ["payments.0099_future"])
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["migrations"]
    assert response.json()["errors"] == {"migrations": "MigrationsPending"}


def test_probes_answer_any_host_and_plain_http(settings):
    """A probe names the server by its address, over HTTP, whatever ALLOWED_HOSTS and the HTTPS redirect say."""
    settings.ALLOWED_HOSTS = ["prakerja.example"]
    settings.SECURE_SSL_REDIRECT = True
    client = Client(HTTP_HOST="10.1.2.3:8000")
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/").status_code == 400  # the rest of the site still refuses the unknown host


def test_probes_are_not_rate_limited(settings):
    settings.RATE_LIMITS = {"everything": ("GET", r"^/", 1, 600)}
    client = Client()
    assert [client.get("/healthz").status_code for _ in range(5)] == [200] * 5
    assert [client.get("/readyz").status_code for _ in range(5)] == [200] * 5
    assert client.get("/bantuan-tidak-ada/").status_code in (404, 429)
    assert client.get("/bantuan-tidak-ada/").status_code == 429  # the table itself works


def test_a_staff_session_without_second_factor_reaches_the_probes(django_user_model):
    staff = django_user_model.objects.create_user("ops.pusat@prakerja.test", "Petugas#2024x", role="pmo")
    client = Client()
    client.force_login(staff)  # password only: staff pages redirect to the two-factor prompt
    assert client.get("/petugas/").status_code == 302
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_probes_take_get_and_head_only():
    client = Client(enforce_csrf_checks=True)
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
