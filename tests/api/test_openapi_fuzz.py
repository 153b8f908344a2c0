"""Fuzz every operation of the public API from its own OpenAPI schema (schemathesis).

The schema is read from ``GET /api/v1/openapi.json`` when the tests are collected, so every
operation it lists is fuzzed, including those added after this file was written. Each operation
is fuzzed three ways, through the WSGI application in-process on the test database:

- anonymously (no credentials, or the fuzzer's own made-up ones);
- as participants with a bearer token: each generated request is sent by an applicant part-way
  through the aptitude test and by a trainee who is a recipient with a training bought;
- the partner integration operations also with a valid HMAC signature of an institution, so
  the fuzzer gets past the signature check to the body handling. (Unsigned or badly signed, as in
  the first two runs, they must give their documented 401.)

For every response: never a 5xx; its status code documented for the operation; its content type
and body as documented; invalid input refused with a 4xx; and an operation that needs a token
refuses the request without one. A refusal the schema did not document is fixed in the schema.

Bounded and reproducible: ``MAX_EXAMPLES`` generated requests per operation (plus the
deterministic coverage and example phases), derandomized with a fixed seed, on a frozen clock,
and nothing written to a Hypothesis example database.
"""

from __future__ import annotations

import json
import os
import zlib
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from fuzz_world import Market, World, build_market, build_world
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from schemathesis.transport.prepare import get_exclude_headers

from conftest import Api
from prakerja.core import clock
from prakerja.integrations import signing

# A deeper or different run, e.g. before a release: FUZZ_EXAMPLES=500 FUZZ_SEED=7 pytest tests/api/test_openapi_fuzz.py
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
SEED = int(os.environ.get("FUZZ_SEED", "20260701"))
SCHEMA_PATH = "/api/v1/openapi.json"
PARTNER_PATHS = "^/api/v1/integration/"


class InProcessDjango:
    """Django's WSGI handler for requests inside a test's transaction.

    The plain handler closes "old" database connections at the start and end of each request,
    which inside the test's transaction would break it; Django's own test client leaves the
    connection alone in the same way.
    """

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()  # fires request_finished, still disconnected
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


# Values that broke or nearly broke real endpoints, mixed into generated strings and integers:
# NUL (which PostgreSQL refuses in any text parameter), control and direction characters, digits
# of other scripts, SQL-looking text, and integers past 32 and 64 bits.
HOSTILE_TEXT = ["\x00", "3273\x00", "%00", "' OR 1=1 --", "\u202e3273", "\u200b", "\x07", "３２７３", "٣٢٧٣", "😀"]
EXTREME_INTEGERS = [0, -1, 2**31, 2**63, -(2**63) - 1, 10**30]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "dictionaries": {"hostile-text": {"values": HOSTILE_TEXT}, "extreme-integers": {"values": EXTREME_INTEGERS}},
        # deterministic: Hypothesis derandomized (the same requests on every run); no example database.
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": "FUZZ_SEED" not in os.environ,
            "database": "none",
            "dictionaries": {
                "string": {"dictionary": "hostile-text", "probability": 0.2},
                "integer": {"dictionary": "extreme-integers", "probability": 0.2},
            },
        },
    }
)
schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, InProcessDjango(), config=CONFIG)

# Not positive_data_acceptance: a request the schema allows may still be refused by a rule
# (an unknown class code, a wrong OTP), with a documented 4xx, which is correct.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    unsupported_method,
    ignored_auth,
]

# The participant fixtures build rows for each operation's test; Hypothesis's examples share
# them within the test (as the requests of a real client would), and the test's rollback
# removes them.
shared_fixtures = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def no_rate_limits(settings):
    """Lifted for the participant and partner runs, so that every generated request reaches the
    operation rather than the 429 of the rate-limit middleware (which the anonymous run meets)."""
    settings.RATE_LIMIT_SCALE = 0


@pytest.fixture
def market(frozen_clock) -> Market:
    return build_market(frozen_clock)


@pytest.fixture
def world(frozen_clock, resident, django_capture_on_commit_callbacks) -> World:
    return build_world(frozen_clock, resident, django_capture_on_commit_callbacks)


def call_as(who: str, case, **kwargs: Any):
    try:
        return case.call_and_validate(checks=CHECKS, **kwargs)
    except BaseException as failure:
        failure.add_note(f"Sent as: {who}")
        raise


def pick(case, options: list[Any], purpose: str = "") -> Any:
    """One of ``options``, chosen by the generated request's own content (and the purpose, so
    that two choices about one request are not tied): the same request gets the same choice when
    Hypothesis replays it. (``@schema.given`` cannot be combined with the examples some operations
    document.)"""
    content = repr((purpose, case.path_parameters, case.query, case.headers, case.body))
    return options[zlib.crc32(content.encode("utf-8", "surrogatepass")) % len(options)]


# Text that broke endpoints on PostgreSQL (which refuses NUL in any text parameter): put into
# some valid requests in place of a path parameter, a query parameter or a top-level body field,
# as Schemathesis generates control characters rarely, and never in a path parameter (many
# servers refuse them before routing; Django decodes "%00" into the parameter).
ODD_TEXT = ["\x00", "3273\x00", "\n"]
ODD_PATH_TEXT = ["%00", "3273%00", "%0A"]


def with_odd_text(case) -> None:
    """Half the valid requests get odd text in one of their text or number fields."""
    if not (case.meta and case.meta.generation.mode.is_positive):
        return  # a request generated to break the schema stays as it is
    places = {
        where: values
        for where, values in (
            ("path", case.path_parameters),
            ("query", case.query),
            ("body", case.body if isinstance(case.body, dict) else None),
        )
        if values and any(isinstance(value, str | int) for value in values.values())
    }
    where = pick(case, [None] * len(places) + sorted(places), "where") if places else None
    if where is None:
        return
    values = places[where]
    name = pick(case, sorted(name for name, value in values.items() if isinstance(value, str | int)), "name")
    values[name] = pick(case, ODD_PATH_TEXT if where == "path" else ODD_TEXT, "text")


@pytest.mark.django_db
@schema.parametrize()
@shared_fixtures
def test_anonymous(case, market):
    with_odd_text(case)
    call_as("anonymous", case)


@pytest.mark.django_db
@schema.parametrize()
@shared_fixtures
def test_participant(case, world, no_rate_limits):
    with_odd_text(case)
    call_as("applicant", case, headers={"Authorization": f"Bearer {world.applicant}"})
    call_as("trainee", case, headers={"Authorization": f"Bearer {world.trainee}"})


def signable_body(case) -> str | None:
    """The body as the text a partner signs; None when there is none to sign (no body, another
    media type, or bytes that are not UTF-8 text)."""
    if isinstance(case.body, NotSet) or "json" not in (case.media_type or ""):
        return None
    if isinstance(case.body, bytes):
        try:
            return case.body.decode()
        except UnicodeDecodeError:
            return None
    return json.dumps(case.body)


@pytest.mark.django_db
@schema.include(path_regex=PARTNER_PATHS).parametrize()
@shared_fixtures
def test_partner_signed(case, world, no_rate_limits):
    """Signed by the market's institution. Redeem codes and vouchers are random strings the
    fuzzer cannot guess, so some requests get one of the trainee's real codes instead."""
    known = pick(case, [None, *range(len(world.partner_codes))])
    # Only into a valid body: a request generated to break the schema must stay broken.
    if known is not None and isinstance(case.body, dict) and case.meta and case.meta.generation.mode.is_positive:
        field = "voucher_code" if case.path.endswith("/completion") else "redeem_code"
        case.body[field] = world.partner_codes[known]
    body = signable_body(case)
    if body is None:
        # Sent as the fuzzer encodes it, unsigned (the platform verifies a signature over text).
        call_as("partner (unsigned)", case)
        return
    institution = world.market.institution
    timestamp = str(int(clock.now().timestamp()))
    path = schema.get_full_path(case.formatted_path)
    headers = {
        "client_code": institution.client_code,
        "timestamp": timestamp,
        "signature": signing.sign(institution.sign_key, institution.client_code, timestamp, path, body),
    }
    response = call_as("partner (signed)", case, headers=headers, data=body.encode())
    if {name.lower() for name in get_exclude_headers(case)} & set(headers):
        # The fuzzer's "missing required header" case leaves one of them out: refused as unsigned.
        assert response.status_code == 401, response.text
    else:
        # Past the signature check: whatever the body, never refused as unsigned.
        assert response.status_code != 401, response.text


def test_every_operation_is_fuzzed():
    """The tests above were generated from every operation the API has now, each one loaded
    without error (a schema that failed to load, or lost paths, would make tests vanish silently)."""
    from prakerja.api import api

    live = {
        f"{method.upper()} {path}"
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method in operations
    }
    results = list(schema.get_all_operations())
    assert all(isinstance(result, Ok) for result in results), [r for r in results if not isinstance(r, Ok)]
    assert sorted(result.ok().label for result in results if isinstance(result, Ok)) == sorted(live)
    assert {"POST /api/v1/auth/register", "GET /api/v1/me", "POST /api/v1/integration/completion"} <= live


def test_schema_document_names_each_status_once():
    """JSON parsers keep one of two equal keys silently: an operation describing its "200" in
    ``openapi_extra`` must complete ninja's 200, not shadow it."""

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    served = Api().get("/openapi.json")
    assert served.status_code == 200
    document = json.loads(served.content, object_pairs_hook=unique)
    assert document["paths"]


# --- what the fuzzer found, pinned (each was a 500 on PostgreSQL) -----------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/regions/provinces/%00/regencies",
        "/regions/provinces/32%00/regencies",
        "/regions/regencies/3273%00/districts",
        "/regions/regencies/%E2%80%AE3273/districts",
        "/regions/provinces/3/regencies",
    ],
)
def test_region_codes_are_digits(path):
    response = Api().get(path)
    assert response.status_code == 422, response.content
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [("INVALID_VALUE", "code")]


@pytest.mark.django_db
def test_region_lists_take_a_longer_code_and_an_unknown_one_has_none():
    bandung = [row["code"] for row in Api().get("/regions/regencies/327301/districts").json()]
    assert "327301" in bandung and all(code.startswith("3273") for code in bandung)
    assert Api().get("/regions/provinces/99/regencies").json() == []


@pytest.mark.django_db
def test_nul_in_payout_provider(world, no_rate_limits):
    client = Api()
    client.token = world.trainee
    body = {"channel": "bank", "provider": "bca\x00", "account_number": "1234567890", "holder_name": "Budi Santoso"}
    response = client.put("/me/payout-account", body)
    assert response.status_code == 422, response.content
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [("PROVIDER_UNKNOWN", "provider")]


@pytest.mark.django_db
def test_nul_in_partner_client_code(market):
    response = Api("en").post(
        "/integration/signature-check",
        {},
        client_code="LP\x00",
        timestamp=str(int(clock.now().timestamp())),
        signature="0" * 40,
    )
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "UNKNOWN_CLIENT"
