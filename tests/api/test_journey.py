"""The participant's registration journey through the API, and its refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import PASSWORD, PROFILE, Api, codes, email_token, last_sms_code
from prakerja.accounts.models import User
from prakerja.aptitude.models import Attempt, Question
from prakerja.core.models import AuditEvent
from prakerja.registry.models import Declaration, Person

pytestmark = pytest.mark.django_db(transaction=True)


def test_whole_journey_ends_eligible(api, resident):
    # 1. account
    r = api.post("/auth/register", {"email": "Siti@Contoh.id", "password": PASSWORD, "phone": "0812-3456-7890"})
    assert r.status_code == 201, r.content
    assert r.json()["email"] == "siti@contoh.id"
    assert r.json()["phone"] == "+6281234567890"
    api.token = api.post("/auth/token", {"email": "siti@contoh.id", "password": PASSWORD}).json()["token"]
    me = api.get("/me").json()
    assert me["state"] == "registering" and me["next_step"] == "verify_email"

    # 2. email link and SMS code, read from the outbox
    assert api.post("/auth/verify-email", {"token": email_token("siti@contoh.id")}).json()["email_verified"]
    assert api.get("/me").json()["next_step"] == "verify_phone"
    assert api.post("/auth/verify-phone", {"code": last_sms_code("+6281234567890")}).json()["phone_verified"]
    assert api.get("/me").json()["next_step"] == "identity"

    # 3. identity, checked against the civil registry
    identity = resident()
    r = api.put("/me/identity", identity)
    assert r.status_code == 200, r.content
    assert r.json()["verified"] is True
    assert r.json()["nik_masked"] == identity["nik"][:4] + "********" + identity["nik"][12:]
    assert api.get("/me").json()["next_step"] == "profile"

    # 4. profile, 5. declaration
    assert api.put("/me/profile", PROFILE).status_code == 200
    declaration = api.get("/me/declaration").json()
    assert "Saya menyatakan" in declaration["text"] and declaration["accepted"] is False
    assert api.post("/me/declaration", {"version": declaration["version"]}).json()["accepted"] is True
    assert api.get("/me").json()["next_step"] == "test"

    # 6. aptitude test: 20 questions, 40 minutes, answered all correctly
    attempt = api.post("/me/test").json()
    assert len(attempt["questions"]) == 20
    assert 39 * 60 <= attempt["seconds_left"] <= 40 * 60
    assert all("answer" not in q for q in attempt["questions"])
    key = dict(Question.objects.values_list("code", "answer"))
    answers = {q["code"]: key[q["code"]] for q in attempt["questions"]}
    result = api.post("/me/test/submit", {"answers": answers}).json()
    assert result["finished"] and result["score"] == 20 and result["max_score"] == 20

    me = api.get("/me").json()
    assert me["state"] == "eligible"
    assert me["next_step"] == "apply"
    assert me["eligible"] is True and me["reasons"] == []
    assert me["test"] == {"taken": True, "score": 20, "max_score": 20}
    assert me["balance"] == 0
    # Every state change left an audit row.
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "account.registered",
        "account.email_verified",
        "account.phone_verified",
        "identity.verified",
        "profile.saved",
        "declaration.accepted",
        "tkd.started",
        "tkd.finished",
    } <= actions


def test_me_explains_every_failing_rule(verified_api, resident):
    client = verified_api()
    # 70 years old on the day of the test run: identity verifies, eligibility refuses.
    assert (
        client.put("/me/identity", resident(birth_date=dt.date(1950, 1, 2), gender="M", name="Slamet")).status_code
        == 200
    )
    assert (
        client.put("/me/profile", PROFILE | {"occupation": "civil_servant", "in_formal_education": True}).status_code
        == 200
    )
    me = client.get("/me").json()
    assert me["state"] == "registering" and me["next_step"] == "declaration"
    assert [r["code"] for r in me["reasons"]] == [
        "DECLARATION_NOT_ACCEPTED",
        "TEST_NOT_TAKEN",
        "AGE_OUT_OF_RANGE",
        "IN_FORMAL_EDUCATION",
        "EXCLUDED_OCCUPATION",
    ]
    assert me["reasons"][2]["message"] == "Usia harus 18–64 tahun."


def test_messages_follow_accept_language(api):
    r = api.post("/auth/register", {"email": "x", "password": "", "phone": "123"}, HTTP_ACCEPT_LANGUAGE="en")
    english = Api("en")
    r_en = english.post("/auth/register", {"email": "x", "password": "", "phone": "123"})
    assert r.status_code == r_en.status_code == 422
    assert codes(r_en) == ["EMAIL_INVALID", "PHONE_INVALID", "FIELD_REQUIRED"]
    assert r_en.json()["errors"][0]["message"] == "Invalid email address."
    indonesian = api.post("/auth/register", {"email": "x", "password": "", "phone": "123"})
    assert indonesian.json()["errors"][0]["message"] == "Alamat email tidak valid."


def test_duplicate_email_and_phone_are_refused(api):
    body = {"email": "a@contoh.id", "password": PASSWORD, "phone": "081298765432"}
    assert api.post("/auth/register", body).status_code == 201
    again = api.post("/auth/register", body | {"email": "A@CONTOH.ID", "phone": "+62 812-9876-5432"})
    assert again.status_code == 422
    assert codes(again) == ["EMAIL_TAKEN", "PHONE_TAKEN"]
    assert User.objects.count() == 1


def test_weak_password_is_refused(api):
    r = api.post("/auth/register", {"email": "b@contoh.id", "password": "12345678", "phone": "081298765431"})
    assert codes(r) == ["PASSWORD_WEAK"]
    assert not User.objects.exists()


def test_nik_used_by_another_account_is_refused(verified_api, resident):
    identity = resident()
    first, second = verified_api(), verified_api()
    assert first.put("/me/identity", identity).status_code == 200
    r = second.put("/me/identity", identity)
    assert r.status_code == 409
    assert codes(r) == ["NIK_ALREADY_REGISTERED"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"full_name": "Siti Rahayu Wati"}, ["REGISTRY_NAME_MISMATCH"]),
        ({"kk_number": "3273010510189999"}, ["REGISTRY_KK_MISMATCH"]),
        ({"full_name": "Budi", "kk_number": "3273010510189999"}, ["REGISTRY_KK_MISMATCH", "REGISTRY_NAME_MISMATCH"]),
    ],
)
def test_registry_mismatch_names_its_reason_and_stores_nothing(verified_api, resident, change, expected):
    client = verified_api()
    r = client.put("/me/identity", resident() | change)
    assert r.status_code == 422
    assert codes(r) == expected
    person = Person.objects.get(user__email=client.get("/me").json()["account"]["email"])
    assert person.nik is None and person.full_name == "" and person.identity_verified_at is None


def test_nik_not_in_registry(verified_api, resident):
    identity = resident()
    identity["nik"] = identity["nik"][:12] + "9998"
    r = verified_api().put("/me/identity", identity)
    assert codes(r) == ["REGISTRY_NIK_NOT_FOUND"]


def test_name_comparison_ignores_case_spacing_and_punctuation(verified_api, resident):
    identity = resident(name="Muh. Rizky Pratama", gender="M")
    r = verified_api().put("/me/identity", identity | {"full_name": "  MUH  RIZKY   pratama "})
    assert r.status_code == 200, r.content


def test_identity_format_problems_come_all_at_once(verified_api, resident):
    identity = resident() | {
        "nik": "3199014107990002",
        "kk_number": "12",
        "district_code": "999999",
        "full_name": "<script>alert(1)</script>",
    }
    r = verified_api().put("/me/identity", identity)
    assert r.status_code == 422
    assert sorted(codes(r)) == [
        "DISTRICT_UNKNOWN",
        "INVALID_CHARACTERS",
        "KK_NOT_16_DIGITS",
        "NIK_BIRTH_DATE_MISMATCH",
        "NIK_UNKNOWN_REGENCY",
    ]
    assert {e["field"] for e in r.json()["errors"]} == {"nik", "kk_number", "district_code", "full_name", "birth_date"}


def test_nik_must_agree_with_birth_date_and_gender(verified_api, resident):
    identity = resident()
    r = verified_api().put("/me/identity", identity | {"gender": "M", "birth_date": "1996-05-15"})
    assert codes(r) == ["NIK_BIRTH_DATE_MISMATCH", "NIK_GENDER_MISMATCH"]


def test_old_nik_from_a_split_region_registers(verified_api):
    from prakerja.registry.residents import add_resident

    # Merauke's code before Papua Selatan existed (9101, today 9301); the person now lives in Merauke.
    add_resident(
        nik="9101026406900001",
        kk="9101022001100002",
        name="Maria Gebze",
        birth_date=dt.date(1990, 6, 24),
        gender="F",
        mother_name="Yosefina",
    )
    r = verified_api().put(
        "/me/identity",
        {
            "nik": "9101026406900001",
            "kk_number": "9101022001100002",
            "full_name": "Maria Gebze",
            "birth_date": "1990-06-24",
            "gender": "F",
            "mother_name": "Yosefina",
            "district_code": "930102",
            "address": "Jl. Raya Mandala",
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["domicile_district_code"] == "930102"


def test_domicile_is_separate_from_ktp_region(verified_api, resident):
    r = verified_api().put("/me/identity", resident() | {"domicile_district_code": "317407"})
    assert r.json()["district_code"] == "327301"
    assert r.json()["domicile_district_code"] == "317407"


def test_identity_needs_verified_contacts_first(api, resident):
    api.post("/auth/register", {"email": "c@contoh.id", "password": PASSWORD, "phone": "081211112222"})
    api.token = api.post("/auth/token", {"email": "c@contoh.id", "password": PASSWORD}).json()["token"]
    r = api.put("/me/identity", resident())
    assert r.status_code == 409
    assert codes(r) == ["EMAIL_NOT_VERIFIED", "PHONE_NOT_VERIFIED"]


def test_verified_identity_cannot_be_replaced(verified_api, resident):
    client = verified_api()
    assert client.put("/me/identity", resident()).status_code == 200
    r = client.put("/me/identity", resident(name="Orang Lain"))
    assert (r.status_code, codes(r)) == (409, ["IDENTITY_LOCKED"])


def test_steps_cannot_be_skipped(verified_api):
    client = verified_api()
    assert codes(client.put("/me/profile", PROFILE)) == ["IDENTITY_REQUIRED"]
    assert codes(client.post("/me/declaration", {"version": "2024.1"})) == ["PROFILE_REQUIRED"]
    assert codes(client.post("/me/test")) == ["DECLARATION_REQUIRED"]
    assert Declaration.objects.count() == 0 and Attempt.objects.count() == 0


def test_outdated_declaration_version_is_refused(verified_api, resident):
    client = verified_api()
    client.put("/me/identity", resident())
    client.put("/me/profile", PROFILE)
    r = client.post("/me/declaration", {"version": "2019.1"})
    assert codes(r) == ["DECLARATION_OUTDATED"]


def test_profile_problems(verified_api, resident):
    client = verified_api()
    client.put("/me/identity", resident())
    r = client.put("/me/profile", PROFILE | {"education": "phd", "occupation": "astronaut"})
    assert sorted(codes(r)) == ["INVALID_VALUE", "INVALID_VALUE"]
    r = client.put("/me/profile", {k: v for k, v in PROFILE.items() if k != "disability"})
    assert codes(r) == ["FIELD_REQUIRED"] and r.json()["errors"][0]["field"] == "disability"
    r = client.put("/me/profile", PROFILE | {"dependents": "banyak"})
    assert codes(r) == ["INVALID_TYPE"]


def test_identity_page_shows_every_problem_at_once(client, verified_api, resident):
    """A person on a slow connection sees all that is wrong after one submission, each with its code."""
    from prakerja.accounts.models import User

    verified_api("halaman@contoh.id")
    client.force_login(User.objects.get(email="halaman@contoh.id"))
    page = client.post("/peserta/identitas/", {"nik": "3199014107990002", "kk_number": "12", "full_name": "Siti"})
    assert page.status_code == 200
    html = page.content.decode()
    for code in ("NIK_UNKNOWN_REGENCY", "KK_NOT_16_DIGITS"):
        assert code in html
    assert 'aria-invalid="true"' in html
    assert Person.objects.get(user__email="halaman@contoh.id").nik is None
