"""/metrics: request counts and latency by URL pattern name, the program's gauges, and who may read them."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from prakerja.ops import metrics

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_program_gauges():
    metrics._program.forget_cached()
    yield
    metrics._program.forget_cached()


def scrape(client: Client | None = None, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = (client or Client()).get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def sample(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_request_is_counted_and_timed_by_its_pattern_name():
    before = scrape()
    client = Client()
    assert client.get("/").status_code == 200
    missing_program = "/pelatihan/2b1d8f0e-9a8e-4c7d-a7c2-1a2b3c4d5e6f/"
    assert client.get(missing_program).status_code == 404
    assert client.get("/tidak-ada/123456/").status_code == 404
    after = scrape()

    home = {"view": "home", "method": "GET", "status": "2xx"}
    total, count = "prakerja_http_requests_total", "prakerja_http_request_duration_seconds_count"
    assert sample(after, total, **home) == sample(before, total, **home) + 1
    assert sample(after, count, **home) == sample(before, count, **home) + 1
    assert sample(after, "prakerja_http_request_duration_seconds_bucket", **home, le="+Inf") >= 1
    detail = {"view": "catalog:detail", "method": "GET", "status": "4xx"}
    assert sample(after, "prakerja_http_requests_total", **detail) >= 1
    unmatched = {"view": "<unmatched>", "method": "GET", "status": "4xx"}
    assert sample(after, "prakerja_http_requests_total", **unmatched) >= 1


def test_labels_never_carry_a_path_or_an_id():
    client = Client()
    client.get("/pelatihan/2b1d8f0e-9a8e-4c7d-a7c2-1a2b3c4d5e6f/")
    client.get("/sertifikat/rahasia-token-xyz/")
    client.generic("BREW", "/")
    body = client.get("/metrics").content.decode()
    assert "2b1d8f0e" not in body and "rahasia-token" not in body and "/pelatihan/" not in body
    views = set(re.findall(r'view="([^"]*)"', body))
    assert "certificate-verify" in views
    assert all(not v.startswith("/") for v in views)
    assert 'method="BREW"' not in body and 'method="other"' in body


def test_probes_and_scrapes_are_not_counted():
    client = Client()
    for _ in range(3):
        client.get("/healthz")
    body = client.get("/metrics").content.decode()
    assert 'view="healthz"' not in body and 'view="metrics"' not in body


def test_the_program_gauges_are_reported(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from prakerja.reports.tasks import refresh_aggregates_task

    refresh_aggregates_task.enqueue()
    refresh_aggregates_task.enqueue()
    samples = scrape()
    assert sample(samples, "prakerja_program_metrics_up") == 1
    assert sample(samples, "prakerja_task_queue_depth", backend="default", queue="default") == 2
    assert ("prakerja_payouts_waiting", (("stage", "to_send"),)) in samples
    assert ("prakerja_payouts_waiting", (("stage", "at_bank"),)) in samples
    assert ("prakerja_batches_open", ()) in samples


def test_a_caller_from_another_machine_is_refused_without_the_token():
    response = Client(REMOTE_ADDR="203.0.113.7").get("/metrics")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "METRICS_FORBIDDEN"
    assert b"prakerja_http" not in response.content


def test_a_request_relayed_by_a_local_proxy_is_not_a_loopback_caller():
    response = Client(REMOTE_ADDR="127.0.0.1").get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert response.status_code == 403


def test_the_bearer_token_opens_the_metrics_to_another_machine(settings):
    settings.METRICS_TOKEN = "s3cret-metrics-token-0123456789"
    remote = Client(REMOTE_ADDR="10.20.30.40")
    assert remote.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token-0123456789").status_code == 200
    assert remote.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert remote.get("/metrics", HTTP_AUTHORIZATION="Basic s3cret-metrics-token-0123456789").status_code == 403


def test_production_opens_nothing_until_configured(settings):
    """Production's defaults: no loopback access and no token, so /metrics answers nobody."""
    settings.METRICS_ALLOW_LOOPBACK = False
    settings.METRICS_TOKEN = ""
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_loopback_over_ipv6_is_loopback():
    assert Client(REMOTE_ADDR="::1").get("/metrics").status_code == 200
