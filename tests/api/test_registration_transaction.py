"""Registration writes one transaction: the account, its audit row and its first SMS code together.

Whether the email or phone is taken is decided by the unique indexes at the insert (no look-up before it),
and a refused registration is still told every problem, in the order the fields are checked.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD, Api, codes, last_sms_code
from prakerja.accounts import actions, sending
from prakerja.accounts.models import PhoneOtp, User
from prakerja.core import outbox
from prakerja.core.errors import DomainError
from prakerja.core.models import AuditEvent
from prakerja.core.program import setting

pytestmark = pytest.mark.django_db(transaction=True)

BODY = {"email": "siti@contoh.id", "password": PASSWORD, "phone": "081234567890"}
FIELDS = {
    "EMAIL_TAKEN": "email",
    "EMAIL_INVALID": "email",
    "PHONE_TAKEN": "phone",
    "PHONE_INVALID": "phone",
    "PASSWORD_WEAK": "password",
    "FIELD_REQUIRED": "password",
}
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")


def statements(captured: CaptureQueriesContext) -> list[str]:
    """The captured SQL, transaction control named by its keyword, other statements by verb and table."""
    out = []
    for query in captured.captured_queries:
        sql = query["sql"].strip()
        keyword = next((k for k in TRANSACTION_CONTROL if sql.upper().startswith(k)), None)
        if keyword:
            out.append(keyword)
        else:
            words = sql.replace('"', "").split()
            table = words[2] if words[0].upper() == "INSERT" else ""
            out.append(f"{words[0].upper()} {table}".strip())
    return out


def test_a_registration_is_three_inserts_in_one_transaction(api):
    setting("otp_ttl_minutes")  # the program settings are read once every few seconds per process (core.program)
    with CaptureQueriesContext(connection) as captured:
        r = api.post("/auth/register", BODY)
    assert r.status_code == 201, r.content
    done = statements(captured)
    writes = [s for s in done if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == ["INSERT accounts_user", "INSERT core_auditevent", "INSERT accounts_phoneotp"]
    # All three between the one BEGIN and its COMMIT: nothing is written in a transaction of its own.
    begin, commit = done.index("BEGIN"), done.index("COMMIT")
    assert done.count("COMMIT") == 1
    assert done[begin + 1 : commit] == writes
    # After the commit only the messages' task reads (tests run tasks at once; a worker does elsewhere).
    assert all(s.startswith("SELECT") for s in done[commit + 1 :])


def test_the_sms_code_committed_with_the_account_is_the_one_sent(api):
    r = api.post("/auth/register", BODY)
    assert r.status_code == 201, r.content
    user = User.objects.get()
    otp = PhoneOtp.objects.get()
    assert otp.user == user and otp.phone == user.phone == "+6281234567890" and otp.used_at is None
    assert otp.code_hash == sending.code_hash(user, last_sms_code(user.phone))
    assert len(outbox.messages_for(user.phone, "sms")) == 1
    assert len(outbox.messages_for(user.email, "email")) == 1
    assert AuditEvent.objects.filter(action="account.registered", object_id=str(user.public_id)).count() == 1


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"phone": "081298765432"}, ["EMAIL_TAKEN"], id="email-taken"),
        pytest.param({"email": "lain@contoh.id"}, ["PHONE_TAKEN"], id="phone-taken"),
        pytest.param({}, ["EMAIL_TAKEN", "PHONE_TAKEN"], id="both-taken"),
        pytest.param({"phone": "081298765432", "password": "12345678"}, ["EMAIL_TAKEN", "PASSWORD_WEAK"], id="weak"),
        pytest.param({"email": "bukan-email"}, ["EMAIL_INVALID", "PHONE_TAKEN"], id="invalid-email"),
        pytest.param({"email": "SITI@contoh.id", "phone": "12"}, ["EMAIL_TAKEN", "PHONE_INVALID"], id="bad-phone"),
        pytest.param(
            {"phone": "+62 812 3456 7890", "password": ""}, ["EMAIL_TAKEN", "PHONE_TAKEN", "FIELD_REQUIRED"], id="all"
        ),
    ],
)
def test_a_refusal_names_the_taken_fields_with_the_other_problems(api, changes, expected):
    assert api.post("/auth/register", BODY).status_code == 201
    sent = len(outbox.messages_for(BODY["email"])) + len(outbox.messages_for("+6281234567890"))
    r = api.post("/auth/register", BODY | changes)
    assert r.status_code == 422, r.content
    assert codes(r) == expected
    assert [e["field"] for e in r.json()["errors"]] == [FIELDS[c] for c in expected]
    # Nothing of the refused registration was kept or sent.
    assert User.objects.count() == PhoneOtp.objects.count() == 1
    assert AuditEvent.objects.filter(action="account.registered").count() == 1
    assert len(outbox.messages_for(BODY["email"])) + len(outbox.messages_for("+6281234567890")) == sent
    assert not outbox.messages_for("lain@contoh.id") and not outbox.messages_for("+6281298765432")


def test_messages_of_a_taken_refusal_are_in_both_languages(api):
    assert api.post("/auth/register", BODY).status_code == 201
    indonesian = api.post("/auth/register", BODY | {"phone": "081298765432"})
    english = Api("en").post("/auth/register", BODY | {"phone": "081298765432"})
    assert indonesian.json()["errors"][0]["message"] == "Email ini sudah terdaftar."
    assert english.json()["errors"][0]["message"] == "This email is already registered."


def test_a_failure_inside_the_transaction_keeps_and_sends_nothing():
    with mock.patch.object(actions.audit, "record", side_effect=RuntimeError("audit down")):
        with pytest.raises(RuntimeError):
            actions.register(BODY["email"], PASSWORD, BODY["phone"])
    assert not User.objects.exists() and not PhoneOtp.objects.exists()
    assert not outbox.messages_for(BODY["email"]) and not outbox.messages_for("+6281234567890")


def test_a_lost_race_is_refused_like_a_taken_address():
    """Another registration committed the same email between this one's checks and its insert."""
    assert actions.register(BODY["email"], PASSWORD, BODY["phone"])
    with pytest.raises(DomainError) as refused:
        actions.register("SITI@CONTOH.ID", PASSWORD, "081298765432")
    assert refused.value.codes == ["EMAIL_TAKEN"] and refused.value.status == 422
    assert User.objects.count() == 1


def test_the_helpdesk_check_still_looks_the_taken_fields_up():
    assert actions.register(BODY["email"], PASSWORD, BODY["phone"])
    email, phone, problems = actions.check_registration("Siti@Contoh.id ", PASSWORD, "0812-3456-7890")
    assert (email, phone) == ("siti@contoh.id", "+6281234567890")
    assert [p.code for p in problems] == ["EMAIL_TAKEN", "PHONE_TAKEN"]
    assert actions.check_registration("baru@contoh.id", PASSWORD, "081298765432")[2] == []
