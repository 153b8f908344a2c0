"""Structured logs: one JSON object a line, a request id to follow a request, and no personal data."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys

import pytest
from django.test import Client
from ops_env import ROOT, production_env

from prakerja.core.log_privacy import PersonalDataFilter
from prakerja.ops.json_logs import JsonFormatter

NIK = "3273014405960001"
EMAIL = "siti.rahayu@contoh.id"
PHONE = "081234567890"


@pytest.fixture
def json_lines():
    """Capture what a handler set up as in settings.LOGGING (JSON formatter, personal-data filter) writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(PersonalDataFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)


def test_a_line_has_the_fields_and_masks_personal_data():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(PersonalDataFilter())
    logger = logging.getLogger("prakerja.test.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("NIK %s of %s (%s)\nsecond line", NIK, EMAIL, PHONE, extra={"nik": NIK, "status_code": 409})
        try:
            raise ValueError(f"bad NIK {NIK}")
        except ValueError:
            logger.exception("failed for %s", EMAIL)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2  # one object a line, even with a newline in the message and a traceback
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"time", "level", "logger", "message", "status_code"}
    assert first["level"] == "WARNING" and first["logger"] == "prakerja.test.json"
    assert first["time"].endswith("Z") and "T" in first["time"]
    assert first["message"] == "NIK 3273********0001 of [email] ([phone])\nsecond line"
    assert first["status_code"] == 409
    assert "nik" not in first  # callers' extra attributes are not copied
    assert second["level"] == "ERROR" and "ValueError" in second["exception"]
    text = stream.getvalue()
    assert NIK not in text and EMAIL not in text and PHONE not in text


def test_the_formatter_masks_even_without_the_filter():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "email %s", (EMAIL,), None)
    assert EMAIL not in JsonFormatter().format(record)


@pytest.mark.django_db
def test_lines_written_during_a_request_carry_its_id(json_lines):
    response = Client().get(f"/tidak-ada/{EMAIL}/")
    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    lines = json_lines()
    assert lines, "Django logs a 404 on django.request"
    assert lines[-1]["request_id"] == request_id
    assert lines[-1]["status_code"] == 404
    assert EMAIL not in json.dumps(lines) and "[email]" in lines[-1]["message"]


@pytest.mark.django_db
def test_a_proxy_request_id_is_kept_and_free_text_is_not():
    client = Client()
    assert client.get("/healthz").status_code == 200
    kept = client.get("/", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")
    assert kept["X-Request-ID"] == "lb-7f3a9c2e-0001"
    replaced = client.get("/", HTTP_X_REQUEST_ID=f"hello {EMAIL}")
    assert replaced["X-Request-ID"] != f"hello {EMAIL}" and len(replaced["X-Request-ID"]) == 32


def run_in(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


LOG_SOMETHING = (
    "import django, logging; django.setup(); "
    f"logging.getLogger('prakerja.payments').warning('payout for %s failed', '{NIK}')"
)


def test_production_writes_json_lines_by_default():
    result = run_in(production_env(), LOG_SOMETHING)
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["logger"] == "prakerja.payments" and line["level"] == "WARNING"
    assert line["message"] == "payout for 3273********0001 failed"
    assert "request_id" not in line  # not written during a request


def test_log_format_text_is_plain_and_still_masked():
    result = run_in(production_env(LOG_FORMAT="text"), LOG_SOMETHING)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "payout for 3273********0001 failed"


def test_an_unknown_log_format_refuses_to_start():
    result = run_in(production_env(LOG_FORMAT="xml"), LOG_SOMETHING)
    assert result.returncode != 0 and "LOG_FORMAT must be json or text" in result.stderr
