"""Hostile input on every participant endpoint: always a 4xx in the error format, never a 500.

Each refusal is ``{"errors": [{"code", "field", "message"}]}`` with the exact
code a client programs against, and a refused request leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import PASSWORD, PROFILE, Api, codes
from prakerja.accounts.models import User
from prakerja.aptitude.models import Attempt
from prakerja.core import clock
from prakerja.core.models import AuditEvent
from prakerja.registry.models import Declaration, Person

pytestmark = pytest.mark.django_db(transaction=True)
# Tests that send no email or SMS need no committed transaction: a rolled-back one is faster.
no_messages = pytest.mark.django_db

# A well-formed identity (not in the registry double): only the field under test is wrong.
IDENTITY = {
    "nik": "3273015405960001",
    "kk_number": "3273010510180001",
    "full_name": "Siti Rahayu",
    "birth_date": "1996-05-14",
    "gender": "F",
    "mother_name": "Nurhayati",
    "district_code": "327301",
    "address": "Jl. Merdeka No. 1",
}

# Endpoint -> a body that passes the request-shape check.
VALID: dict[str, dict] = {
    "/auth/register": {"email": "baru@contoh.id", "password": PASSWORD, "phone": "081255550000"},
    "/auth/token": {"email": "baru@contoh.id", "password": PASSWORD},
    "/auth/verify-email": {"token": "abc"},
    "/auth/verify-phone": {"code": "123456"},
    "/me/identity": IDENTITY,
    "/me/profile": PROFILE,
    "/me/declaration": {"version": "2024.1"},
    "/me/test/answers": {"answers": {}},
    "/me/test/submit": {"answers": {}},
}
METHOD = {"/me/identity": "put", "/me/profile": "put", "/me/test/answers": "put"}
ENDPOINTS = list(VALID)
AUTHENTICATED = [p for p in ENDPOINTS if p not in ("/auth/register", "/auth/token", "/auth/verify-email")]

TEN_MB = "x" * (10 * 1024 * 1024)


def send(client: Api, path: str, body=None, raw: str | bytes | None = None, **extra):
    return client.call(METHOD.get(path, "post"), path, body, raw=raw, **extra)


def refused(response, status: int) -> list[dict]:
    """The response is a refusal in the platform's error format; returns its errors."""
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["errors"] and body["errors"]
    for error in body["errors"]:
        assert set(error) == {"code", "field", "message"}
        assert isinstance(error["message"], str) and error["message"]
    return body["errors"]


def written() -> tuple:
    """What a refused request must not change."""
    return (
        User.objects.count(),
        AuditEvent.objects.count(),
        Person.objects.exclude(nik_index=None).count(),
        Person.objects.exclude(profile_completed_at=None).count(),
        Declaration.objects.count(),
        Attempt.objects.count(),
    )


def assert_identity_empty(client: Api) -> None:
    # No person at all (a refusal before the action) or the empty one an earlier step created.
    person = Person.objects.filter(user__email=client.get("/me").json()["account"]["email"]).first()
    assert person is None or (person.nik is None and person.full_name == "" and person.identity_verified_at is None)
    assert not AuditEvent.objects.filter(action="identity.verified").exists()


@pytest.fixture
def client(verified_api) -> Api:
    """A logged-in participant with verified email and phone, before the identity step."""
    return verified_api()


# --- the body is not JSON, or not an object -----------------------------------------------------
@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "raw",
    [
        pytest.param('{"email": ', id="truncated"),
        pytest.param('{"email": "a@contoh.id",}', id="trailing-comma"),
        pytest.param("{'email': 'a@contoh.id'}", id="single-quotes"),
        pytest.param(b"\xff\xfe\xfa\x00", id="not-utf8"),
        pytest.param("email=a%40contoh.id&password=x", id="form-encoded"),
        pytest.param("[" * 50_000 + "]" * 50_000, id="deeply-nested"),
    ],
)
def test_body_that_is_not_json_is_400(client, path, raw):
    before = written()
    errors = refused(send(client, path, raw=raw), 400)
    assert errors == [{"code": "INVALID_JSON", "field": None, "message": "Isi permintaan bukan JSON yang sah."}]
    assert written() == before


@no_messages
def test_invalid_json_message_follows_language():
    r = Api("en").call("post", "/auth/register", raw="{")
    assert refused(r, 400)[0]["message"] == "The request body is not valid JSON."


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("raw", ["[]", '"text"', "null", "42", '[{"email": "a@contoh.id"}]'])
def test_body_that_is_not_an_object_names_every_required_field(client, path, raw):
    before = written()
    errors = refused(send(client, path, raw=raw), 422)
    assert {e["code"] for e in errors} == {"FIELD_REQUIRED"}
    required = [k for k in VALID[path] if k != "domicile_district_code"]
    assert [e["field"] for e in errors] == required
    assert written() == before


@pytest.mark.parametrize("path", ENDPOINTS)
def test_empty_body_is_refused(client, path):
    before = written()
    errors = refused(send(client, path, raw=""), 422)
    assert [(e["code"], e["field"]) for e in errors] == [("FIELD_REQUIRED", None)]
    assert written() == before


# --- missing fields ---------------------------------------------------------------------------
@pytest.mark.parametrize(("path", "field"), [(path, field) for path in ENDPOINTS for field in VALID[path]])
def test_missing_field_is_named(client, path, field):
    before = written()
    body = {k: v for k, v in VALID[path].items() if k != field}
    errors = refused(send(client, path, body), 422)
    assert [(e["code"], e["field"]) for e in errors] == [("FIELD_REQUIRED", field)]
    assert errors[0]["message"] == "Wajib diisi."
    assert written() == before


@pytest.mark.parametrize("path", ENDPOINTS)
def test_every_missing_field_is_named_at_once(client, path):
    before = written()
    errors = refused(send(client, path, {}), 422)
    assert [(e["code"], e["field"]) for e in errors] == [("FIELD_REQUIRED", f) for f in VALID[path]]
    assert written() == before


# --- wrong types ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "field", "value", "code", "error_field"),
    [
        ("/auth/register", "email", 12345, "INVALID_TYPE", "email"),
        ("/auth/register", "password", ["Rahasia#2024x"], "INVALID_TYPE", "password"),
        ("/auth/register", "phone", {"number": "081255550000"}, "INVALID_TYPE", "phone"),
        ("/auth/register", "email", None, "INVALID_TYPE", "email"),
        ("/auth/token", "email", True, "INVALID_TYPE", "email"),
        ("/auth/token", "password", 12345678, "INVALID_TYPE", "password"),
        ("/auth/verify-email", "token", {"token": "abc"}, "INVALID_TYPE", "token"),
        ("/auth/verify-phone", "code", 123456, "INVALID_TYPE", "code"),
        ("/me/identity", "nik", 3273015405960001, "INVALID_TYPE", "nik"),
        ("/me/identity", "full_name", {"first": "Siti", "last": "Rahayu"}, "INVALID_TYPE", "full_name"),
        ("/me/identity", "gender", ["F"], "INVALID_TYPE", "gender"),
        ("/me/identity", "district_code", 327301, "INVALID_TYPE", "district_code"),
        ("/me/identity", "birth_date", {"year": 1996}, "INVALID_DATE", "birth_date"),
        ("/me/profile", "disability", "banyak", "INVALID_TYPE", "disability"),
        ("/me/profile", "in_formal_education", {"value": False}, "INVALID_TYPE", "in_formal_education"),
        ("/me/profile", "prior_training", "ya", "INVALID_TYPE", "prior_training"),
        ("/me/profile", "dependents", "dua", "INVALID_TYPE", "dependents"),
        ("/me/profile", "dependents", 1.5, "INVALID_TYPE", "dependents"),
        ("/me/profile", "dependents", -1, "INVALID_VALUE", "dependents"),
        ("/me/profile", "dependents", 10**30, "INVALID_VALUE", "dependents"),
        ("/me/profile", "education", 12, "INVALID_TYPE", "education"),
        ("/me/declaration", "version", 2024.1, "INVALID_TYPE", "version"),
        ("/me/test/answers", "answers", "all of them", "INVALID_TYPE", "answers"),
        ("/me/test/answers", "answers", [0, 1, 2], "INVALID_TYPE", "answers"),
        ("/me/test/answers", "answers", {"V001": "b"}, "INVALID_TYPE", "answers.V001"),
        ("/me/test/submit", "answers", {"V001": 1.5}, "INVALID_TYPE", "answers.V001"),
        ("/me/test/submit", "answers", {"V001": {"choice": 1}}, "INVALID_TYPE", "answers.V001"),
    ],
)
def test_wrong_type_is_refused(client, path, field, value, code, error_field):
    before = written()
    errors = refused(send(client, path, VALID[path] | {field: value}), 422)
    assert [(e["code"], e["field"]) for e in errors] == [(code, error_field)]
    assert written() == before


# --- oversized strings and bodies ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "field", "limit"),
    [
        ("/auth/register", "email", 254),
        ("/auth/register", "password", 128),
        ("/auth/register", "phone", 24),
        ("/auth/token", "email", 254),
        ("/auth/token", "password", 128),
        ("/auth/verify-email", "token", 500),
        ("/auth/verify-phone", "code", 12),
        ("/me/identity", "nik", 32),
        ("/me/identity", "kk_number", 32),
        ("/me/identity", "full_name", 120),
        ("/me/identity", "gender", 10),
        ("/me/identity", "mother_name", 120),
        ("/me/identity", "district_code", 6),
        ("/me/identity", "address", 300),
        ("/me/identity", "domicile_district_code", 6),
        ("/me/profile", "education", 20),
        ("/me/profile", "employment_status", 20),
        ("/me/profile", "occupation", 30),
        ("/me/profile", "marital_status", 20),
        ("/me/profile", "desired_topic", 100),
        ("/me/declaration", "version", 20),
    ],
)
def test_too_long_string_is_refused_with_the_limit(client, path, field, limit):
    before = written()
    errors = refused(send(client, path, VALID[path] | {field: "A" * (limit + 1)}), 422)
    assert [(e["code"], e["field"]) for e in errors] == [("TOO_LONG", field)]
    assert errors[0]["message"] == f"Terlalu panjang (maksimal {limit} karakter)."
    assert written() == before


def test_name_at_the_limit_is_not_too_long(client):
    r = client.put("/me/identity", IDENTITY | {"full_name": "A" * 120})
    assert r.status_code == 422 and "TOO_LONG" not in codes(r)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_ten_megabyte_body_is_413(client, path):
    before = written()
    errors = refused(send(client, path, VALID[path] | {"padding": TEN_MB}), 413)
    assert [(e["code"], e["field"]) for e in errors] == [("BODY_TOO_LARGE", None)]
    assert written() == before


@no_messages
def test_ten_megabyte_registration_creates_no_account(api):
    body = VALID["/auth/register"] | {"password": PASSWORD + TEN_MB}
    refused(api.post("/auth/register", body), 413)
    assert not User.objects.exists()


# --- injection and markup in names --------------------------------------------------------------
HOSTILE_NAMES = [
    "Robert'); DROP TABLE registry_person;--",
    "' OR '1'='1",
    'Siti" OR 1=1 --',
    "Siti; DELETE FROM accounts_user",
    "<script>alert(1)</script>",
    "<b>Siti</b> Rahayu",
    "Siti <img src=x onerror=alert(1)>",
    "Siti &#60;b&#62;",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("field", ["full_name", "mother_name"])
@pytest.mark.parametrize("value", HOSTILE_NAMES)
def test_injection_and_markup_in_names_is_refused(client, resident, field, value):
    r = client.put("/me/identity", resident() | {field: value})
    assert [(e["code"], e["field"]) for e in refused(r, 422)] == [("INVALID_CHARACTERS", field)]
    assert_identity_empty(client)
    assert User.objects.count() == 1 and Person.objects.count() == 1


@pytest.mark.parametrize("value", ["<script>alert(1)</script>", "Jl. Merdeka <b>1</b>"])
def test_markup_in_address_is_refused(client, resident, value):
    r = client.put("/me/identity", resident() | {"address": value})
    assert [(e["code"], e["field"]) for e in refused(r, 422)] == [("INVALID_CHARACTERS", "address")]
    assert_identity_empty(client)


def test_sql_looking_free_text_is_stored_as_typed(client, resident):
    address = "Jl. Merdeka'; DROP TABLE registry_person; --"
    topic = "Menjahit' OR '1'='1"
    assert client.put("/me/identity", resident() | {"address": address}).status_code == 200
    r = client.put("/me/profile", PROFILE | {"desired_topic": topic})
    assert r.status_code == 200, r.content
    assert client.get("/me").json()["profile"]["desired_topic"] == topic
    person = Person.objects.get()
    assert person.address == address and person.desired_topic == topic


# --- unicode ---------------------------------------------------------------------------------------
def full_width(digits: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in digits)


def arabic_indic(digits: str) -> str:
    return "".join(chr(0x0660 + int(c)) for c in digits)


NUL = "\u0000"


@pytest.mark.parametrize(
    ("field", "change", "expected"),
    [
        pytest.param("full_name", lambda v: "Siti 😀 Rahayu", "INVALID_CHARACTERS", id="emoji-name"),
        pytest.param("full_name", lambda v: "\u202eSiti Rahayu", "INVALID_CHARACTERS", id="rtl-override"),
        pytest.param("full_name", lambda v: "Siti\u200bRahayu", "INVALID_CHARACTERS", id="zero-width-space"),
        pytest.param("full_name", lambda v: "Siti\u200d Rahayu", "INVALID_CHARACTERS", id="zero-width-joiner"),
        pytest.param("full_name", lambda v: f"Siti{NUL}Rahayu", "INVALID_CHARACTERS", id="nul-name"),
        pytest.param("mother_name", lambda v: f"Nur{NUL}hayati", "INVALID_CHARACTERS", id="nul-mother"),
        pytest.param("address", lambda v: f"Jl. Merdeka{NUL}", "INVALID_CHARACTERS", id="nul-address"),
        pytest.param("address", lambda v: "Jl. Merdeka\u0007No. 1", "INVALID_CHARACTERS", id="bell-address"),
        pytest.param("nik", full_width, "NIK_NOT_16_DIGITS", id="full-width-nik"),
        pytest.param("nik", arabic_indic, "NIK_NOT_16_DIGITS", id="arabic-indic-nik"),
        pytest.param("nik", lambda v: v[:8] + "\u200b" + v[8:], "NIK_NOT_16_DIGITS", id="zero-width-nik"),
        pytest.param("nik", lambda v: v[:15] + NUL, "NIK_NOT_16_DIGITS", id="nul-nik"),
        pytest.param("nik", lambda v: v[:15] + "😀", "NIK_NOT_16_DIGITS", id="emoji-nik"),
        pytest.param("kk_number", full_width, "KK_NOT_16_DIGITS", id="full-width-kk"),
        pytest.param("district_code", full_width, "DISTRICT_UNKNOWN", id="full-width-district"),
        pytest.param("gender", lambda v: f"F{NUL}", "INVALID_VALUE", id="nul-gender"),
    ],
)
def test_unicode_edge_cases_in_identity(client, resident, field, change, expected):
    identity = resident()
    r = client.put("/me/identity", identity | {field: change(identity[field])})
    assert [(e["code"], e["field"]) for e in refused(r, 422)] == [(expected, field)]
    assert_identity_empty(client)


@pytest.mark.parametrize("field", ["district_code", "domicile_district_code"])
def test_nul_byte_in_district_code(client, resident, field):
    # PostgreSQL refuses NUL in a text parameter: the code must be refused before any query.
    r = client.put("/me/identity", resident() | {field: f"32730{NUL}"})
    assert [(e["code"], e["field"]) for e in refused(r, 422)] == [("DISTRICT_UNKNOWN", field)]
    assert_identity_empty(client)


def test_letters_of_any_script_are_a_name_not_an_attack(client, resident):
    # Arabic script, written right to left: a well-formed name that the registry does not hold.
    r = client.put("/me/identity", resident() | {"full_name": "سيتي رحايو"})
    assert [(e["code"], e["field"]) for e in refused(r, 422)] == [("REGISTRY_NAME_MISMATCH", "full_name")]
    assert_identity_empty(client)


def test_emoji_in_free_text_is_kept(client, resident):
    assert client.put("/me/identity", resident()).status_code == 200
    r = client.put("/me/profile", PROFILE | {"desired_topic": "Kue 🎂 & roti"})
    assert r.status_code == 200, r.content
    assert client.get("/me").json()["profile"]["desired_topic"] == "Kue 🎂 & roti"


def test_nul_byte_in_profile_text_is_refused(client, resident):
    assert client.put("/me/identity", resident()).status_code == 200
    r = client.put("/me/profile", PROFILE | {"desired_topic": f"Menjahit{NUL}"})
    assert [(e["code"], e["field"]) for e in refused(r, 422)] == [("INVALID_CHARACTERS", "desired_topic")]
    assert Person.objects.get().profile_completed_at is None


@no_messages
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"email": f"siti{NUL}@contoh.id"}, [("EMAIL_INVALID", "email")]),
        ({"phone": f"0812{NUL}55550000"}, [("PHONE_INVALID", "phone")]),
        ({"email": "siti😀@contoh.id"}, [("EMAIL_INVALID", "email")]),
        ({"email": "si\u200bti@contoh.id"}, [("EMAIL_INVALID", "email")]),
        ({"email": f"siti@contoh{NUL}.id"}, [("EMAIL_INVALID", "email")]),
    ],
)
def test_unicode_edge_cases_in_registration(api, body, expected):
    r = api.post("/auth/register", VALID["/auth/register"] | body)
    assert [(e["code"], e["field"]) for e in refused(r, 422)] == expected
    assert not User.objects.exists()


def test_full_width_digits_in_a_phone_are_the_same_number(api):
    r = api.post("/auth/register", VALID["/auth/register"] | {"phone": full_width("081255550000")})
    assert r.status_code == 201, r.content
    assert r.json()["phone"] == "+6281255550000"
    again = api.post("/auth/register", VALID["/auth/register"] | {"email": "lain@contoh.id"})
    assert [(e["code"], e["field"]) for e in refused(again, 422)] == [("PHONE_TAKEN", "phone")]


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad", "\u2060"])
def test_invisible_character_in_email_does_not_make_a_second_account(api, invisible):
    # Django's validate_email IDNA-encodes the domain, which silently drops these characters.
    assert api.post("/auth/register", VALID["/auth/register"]).status_code == 201
    twin = {"email": f"baru@contoh.id{invisible}", "password": PASSWORD, "phone": "081255550001"}
    r = api.post("/auth/register", twin)
    assert [(e["code"], e["field"]) for e in refused(r, 422)] == [("EMAIL_INVALID", "email")]
    assert User.objects.count() == 1


def test_nul_byte_in_login_email(api):
    # A NUL byte must never reach the User query (PostgreSQL would answer with an error).
    r = api.post("/auth/token", {"email": f"siti{NUL}@contoh.id", "password": PASSWORD})
    assert [(e["code"], e["field"]) for e in refused(r, 401)] == [("LOGIN_FAILED", None)]


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/auth/verify-email", {"token": f"abc{NUL}def"}, 400, "EMAIL_TOKEN_INVALID"),
        ("/auth/verify-email", {"token": "😀:😀:😀"}, 400, "EMAIL_TOKEN_INVALID"),
        ("/auth/verify-phone", {"code": f"12{NUL}456"}, 422, "OTP_INVALID"),
        ("/auth/verify-phone", {"code": full_width("123456")}, 422, "OTP_INVALID"),
    ],
)
def test_unicode_edge_cases_in_codes(client, path, body, status, code):
    before = written()
    assert [e["code"] for e in refused(send(client, path, body), status)] == [code]
    assert written() == before


# --- dates ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["2001-02-30", "31/12/1999", "", "1996-13-01", "kemarin", "1996-5-14"])
def test_invalid_birth_date(client, resident, value):
    r = client.put("/me/identity", resident() | {"birth_date": value})
    assert [(e["code"], e["field"]) for e in refused(r, 422)] == [("INVALID_DATE", "birth_date")]
    assert refused(r, 422)[0]["message"] == "Tanggal tidak valid (format TTTT-BB-HH)."
    assert_identity_empty(client)


@pytest.mark.parametrize("days_ahead", [1, 365 * 900])
def test_birth_date_in_the_future(client, resident, days_ahead):
    future = clock.today() + dt.timedelta(days=days_ahead)
    r = client.put("/me/identity", resident() | {"birth_date": future.isoformat()})
    assert [(e["code"], e["field"]) for e in refused(r, 422)] == [("BIRTH_DATE_IN_FUTURE", "birth_date")]
    assert_identity_empty(client)


# --- credentials ----------------------------------------------------------------------------------
PROTECTED = [(METHOD.get(p, "post"), p) for p in AUTHENTICATED] + [
    ("get", "/me"),
    ("get", "/me/declaration"),
    ("post", "/me/test"),
    ("get", "/me/test"),
    ("post", "/auth/resend-phone-code"),
]


@no_messages
@pytest.mark.parametrize(("method", "path"), PROTECTED)
@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="none"),
        pytest.param("Bearer not-a-token", id="unknown"),
        pytest.param("Bearer ", id="empty"),
        pytest.param("Bearer " + "x" * 5000, id="huge"),
        pytest.param("Basic c2l0aUBjb250b2guaWQ6UmFoYXNpYQ==", id="basic"),
        pytest.param("Token abc", id="other-scheme"),
        pytest.param("Bearer ' OR '1'='1", id="injection"),
    ],
)
def test_missing_or_invalid_bearer_token_is_401(api, method, path, authorization):
    extra = {"Authorization": authorization} if authorization else {}
    before = written()
    r = api.call(method, path, VALID.get(path) if method != "get" else None, **extra)
    errors = refused(r, 401)
    assert errors == [{"code": "NOT_AUTHENTICATED", "field": None, "message": "Silakan masuk terlebih dahulu."}]
    assert r["WWW-Authenticate"] == "Bearer"
    assert written() == before


def test_tampered_token_is_401(client):
    assert client.get("/me").status_code == 200
    client.token = client.token[:-1] + ("A" if client.token[-1] != "A" else "B")
    assert [e["code"] for e in refused(client.get("/me"), 401)] == ["NOT_AUTHENTICATED"]


def test_expired_token_is_401(client, frozen_clock):
    assert client.get("/me").status_code == 200
    frozen_clock(clock.now() + dt.timedelta(days=31))
    assert [e["code"] for e in refused(client.get("/me"), 401)] == ["NOT_AUTHENTICATED"]


def test_token_of_a_deactivated_account_is_401(client):
    User.objects.update(is_active=False)
    assert [e["code"] for e in refused(client.get("/me"), 401)] == ["NOT_AUTHENTICATED"]


@no_messages
def test_unauthenticated_message_follows_language():
    r = Api("en").get("/me")
    assert refused(r, 401)[0]["message"] == "Please log in first."


def test_refusals_are_json(client):
    r = send(client, "/me/identity", raw="{")
    assert r["Content-Type"].startswith("application/json")
    assert json.loads(r.content)["errors"][0]["code"] == "INVALID_JSON"


def test_an_unreadable_form_upload_is_a_400_in_the_error_format():
    from django.test import Client

    response = Client(HTTP_ACCEPT_LANGUAGE="en").generic(
        "POST", "/api/v1/complaints", b"garbage", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "INVALID_VALUE"
