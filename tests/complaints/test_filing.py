"""Filing a complaint: a participant from their account (API and web), a member of the public without one, who
gets a ticket number and a secret access code once and follows the ticket with them."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from complaint_helpers import (
    PARTICIPANT_REPORT,
    PUBLIC_REPORT,
    audit_rows,
    audit_text,
    file_via_api,
    web,
)
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from conftest import Api, codes
from prakerja.complaints import access
from prakerja.complaints.models import Complaint
from prakerja.core import outbox

# The fixtures of complaint_helpers (participant, private_files).
pytest_plugins = ["complaint_helpers"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]

NUMBER = re.compile(r"^PGD-\d{4}-\d{6}$")
CODE = re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")


def test_participant_files_through_the_api_and_the_region_comes_from_their_record(
    participant, django_capture_on_commit_callbacks
):
    reporter = participant(district="327301")  # Kota Bandung
    with django_capture_on_commit_callbacks(execute=True):
        response = file_via_api(reporter, PARTICIPANT_REPORT | {"regency_code": "3171"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert NUMBER.match(body["number"]) and body["status"] == "open" and body["access_code"] is None
    complaint = Complaint.objects.get(public_id=body["id"])
    assert complaint.reporter_user == reporter.user
    assert complaint.region_code == "3273"  # the record wins over a code typed in the request
    assert complaint.priority == "high"  # payment problems come first
    assert complaint.sla_hours == 72 and complaint.sla_due_at - complaint.created_at == dt.timedelta(hours=72)
    assert complaint.access_code_hash == ""

    listed = reporter.get("/me/complaints").json()
    assert [c["number"] for c in listed] == [body["number"]]
    detail = reporter.get(f"/me/complaints/{body['id']}").json()
    assert detail["description"] == PARTICIPANT_REPORT["description"] and detail["can_reply"] is True

    [filed] = audit_rows(complaint, "complaint.filed")
    assert filed.actor == reporter.user and filed.after["reporter"] == "participant"
    assert filed.after["region_code"] == "3273" and filed.after["status"] == "open"
    assert PARTICIPANT_REPORT["description"] not in audit_text()

    [mail] = outbox.messages_for(reporter.user.email, "email")
    assert body["number"] in mail and "Kode akses" not in mail
    assert f"/pengaduan/tiket/{body['id']}/" in mail


def test_participant_without_a_district_on_record_chooses_the_regency(participant):
    reporter = participant(identity=False)
    refused = file_via_api(reporter, PARTICIPANT_REPORT)
    assert refused.status_code == 422 and codes(refused) == ["FIELD_REQUIRED"]
    assert refused.json()["errors"][0]["field"] == "regency_code"
    accepted = file_via_api(reporter, PARTICIPANT_REPORT | {"regency_code": "3578"})
    assert accepted.status_code == 201
    assert Complaint.objects.get(public_id=accepted.json()["id"]).region_code == "3578"


def test_public_report_gets_a_code_once_and_only_its_keyed_hash_is_kept(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = file_via_api(api, PUBLIC_REPORT)
    assert response.status_code == 201, response.content
    body = response.json()
    code = body["access_code"]
    assert CODE.match(code) and NUMBER.match(body["number"])
    complaint = Complaint.objects.get(public_id=body["id"])
    assert complaint.reporter_user is None and complaint.reporter_phone == "+6281377778888"
    assert complaint.access_code_hash and code.replace("-", "") not in complaint.access_code_hash
    assert complaint.access_code_hash == access.hash_code(code)
    assert code not in audit_text() and complaint.access_code_hash not in audit_text()
    assert "Budi Santoso" not in audit_text() and "budi.pelapor" not in audit_text()

    # The reporter receives number and code by email and by SMS.
    [mail] = outbox.messages_for("budi.pelapor@contoh.id", "email")
    [sms] = outbox.messages_for("+6281377778888", "sms")
    for message in (mail, sms):
        assert body["number"] in message and code in message and "/pengaduan/lacak/" in message

    # The API's own pages are for account holders; a public reporter continues on the website.
    assert api.get("/me/complaints").status_code == 401


def test_public_report_names_every_problem_at_once(api):
    response = file_via_api(
        api,
        {
            "category": "bogus",
            "subject": "",
            "description": "x",
            "name": " ",
            "email": "",
            "phone": "",
            "regency_code": "9999",
        },
    )
    assert response.status_code == 422
    found = {(e["code"], e["field"]) for e in response.json()["errors"]}
    assert found == {
        ("COMPLAINT_CATEGORY_INVALID", "category"),
        ("FIELD_REQUIRED", "subject"),
        ("FIELD_REQUIRED", "name"),
        ("REPORTER_CONTACT_REQUIRED", "email"),
        ("COMPLAINT_REGENCY_UNKNOWN", "regency_code"),
    }
    bad_contacts = file_via_api(api, PUBLIC_REPORT | {"email": "bukan-email", "phone": "12345"})
    assert sorted(codes(bad_contacts)) == ["EMAIL_INVALID", "PHONE_INVALID"]
    english = file_via_api(api, PUBLIC_REPORT | {"category": "x"}, **{"Accept-Language": "en"})
    assert english.json()["errors"][0]["message"] == "Choose one of the complaint categories offered."
    assert not Complaint.objects.exists()


def test_a_wrong_bearer_token_is_refused_not_taken_for_a_public_report(api):
    api.token = "not-a-token"
    response = file_via_api(api, PUBLIC_REPORT)
    assert response.status_code == 401 and codes(response) == ["NOT_AUTHENTICATED"]
    assert not Complaint.objects.exists()


def test_public_filings_from_one_address_are_limited(api, monkeypatch):
    monkeypatch.setattr(access, "PUBLIC_FILINGS_PER_HOUR", 2)
    assert [file_via_api(api, PUBLIC_REPORT).status_code for _ in range(2)] == [201, 201]
    refused = file_via_api(api, PUBLIC_REPORT)
    assert refused.status_code == 429 and codes(refused) == ["RATE_LIMITED"]
    assert Complaint.objects.count() == 2


def test_public_reporter_files_on_the_website_and_comes_back_with_number_and_code(
    django_capture_on_commit_callbacks,
):
    visitor = Client()
    form = visitor.get("/pengaduan/baru/")
    assert form.status_code == 200
    assert b'name="regency_code"' in form.content and b'name="name"' in form.content
    assert b'enctype="multipart/form-data"' in form.content
    with django_capture_on_commit_callbacks(execute=True):
        sent = visitor.post("/pengaduan/baru/", PUBLIC_REPORT)
    complaint = Complaint.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/pengaduan/tiket/{complaint.public_id}/"
    page = visitor.get(sent["Location"])
    assert page.status_code == 200
    code = re.search(rb"data-access-code>([A-Z0-9-]+)<", page.content).group(1).decode()  # type: ignore[union-attr]
    assert access.hash_code(code) == complaint.access_code_hash
    assert complaint.number.encode() in page.content and PUBLIC_REPORT["description"].encode() in page.content
    again = visitor.get(sent["Location"])
    assert again.status_code == 200 and code.encode() not in again.content  # shown once

    stranger = Client()
    assert stranger.get(sent["Location"]).status_code == 404
    wrong = stranger.post("/pengaduan/lacak/", {"number": complaint.number, "code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 200 and b"TICKET_LOOKUP_FAILED" in wrong.content
    unknown = stranger.post("/pengaduan/lacak/", {"number": "PGD-2026-999999", "code": code})
    assert b"TICKET_LOOKUP_FAILED" in unknown.content

    # The reporter types the code in lower case with spaces: still theirs.
    returning = Client()
    typed = code.lower().replace("-", " ")
    opened = returning.post("/pengaduan/lacak/", {"number": complaint.number.lower(), "code": typed})
    assert opened.status_code == 302 and opened["Location"] == sent["Location"]
    assert returning.get(sent["Location"]).status_code == 200


def test_lookups_are_throttled_even_with_the_right_code_after_many_failures():
    visitor = Client()
    visitor.post("/pengaduan/baru/", PUBLIC_REPORT)
    complaint = Complaint.objects.get()
    page = visitor.get(f"/pengaduan/tiket/{complaint.public_id}/")
    code = re.search(rb"data-access-code>([A-Z0-9-]+)<", page.content).group(1).decode()  # type: ignore[union-attr]
    guesser = Client()
    for _ in range(access.LOOKUP_LIMIT):
        guesser.post("/pengaduan/lacak/", {"number": complaint.number, "code": "AAAA-AAAA-AAAA"})
    blocked = guesser.post("/pengaduan/lacak/", {"number": complaint.number, "code": code})
    assert blocked.status_code == 429 and b"RATE_LIMITED" in blocked.content


def test_participant_files_on_the_website_as_themselves(participant):
    reporter = participant()
    page = web(reporter.user)
    form = page.get("/pengaduan/baru/")
    assert b'name="name"' not in form.content and b'name="regency_code"' not in form.content
    assert reporter.user.email.encode() in form.content
    missing = page.post("/pengaduan/baru/", {"category": "training", "subject": "", "description": "x"})
    assert missing.status_code == 200 and not Complaint.objects.exists()
    sent = page.post("/pengaduan/baru/", PARTICIPANT_REPORT | {"category": "training"})
    complaint = Complaint.objects.get()
    assert sent.status_code == 302 and complaint.reporter_user == reporter.user and complaint.region_code == "3273"
    mine = page.get("/pengaduan/saya/")
    assert f'data-complaint="{complaint.number}"'.encode() in mine.content
    ticket = page.get(sent["Location"])
    assert ticket.status_code == 200 and b"data-access-code" not in ticket.content


def test_ticket_numbers_count_up_within_the_year(api, frozen_clock):
    frozen_clock(dt.datetime(2026, 12, 31, 16, 59, tzinfo=dt.UTC))  # 23:59 on 31 December in Jakarta
    first = file_via_api(api, PUBLIC_REPORT).json()["number"]
    second = file_via_api(Api(), PUBLIC_REPORT).json()["number"]
    frozen_clock(dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC))  # already 1 January 2027 in Jakarta
    third = file_via_api(Api(), PUBLIC_REPORT).json()["number"]
    assert (first, second, third) == ("PGD-2026-000001", "PGD-2026-000002", "PGD-2027-000001")


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_the_confirmation_is_sent_by_a_worker_and_the_queue_never_holds_the_code(api, settings):
    # A slow mail or SMS gateway no longer holds the filing's request: it only queues the complaint's id.
    settings.TASKS = DB_TASKS
    response = file_via_api(api, PUBLIC_REPORT)
    assert response.status_code == 201, response.content
    body = response.json()
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path.endswith("notify_filed") and queued.args_kwargs["args"] == [Complaint.objects.get().pk]
    assert body["access_code"].replace("-", "") not in json.dumps(queued.args_kwargs)
    assert not outbox.messages_for("+6281377778888", "sms")

    run_worker()
    [sms] = outbox.messages_for("+6281377778888", "sms")
    [mail] = outbox.messages_for("budi.pelapor@contoh.id", "email")
    code = re.search(r"Kode akses: ([A-Z0-9-]+)\.", sms).group(1)  # type: ignore[union-attr]
    assert code == body["access_code"] and code in mail
    # The code the worker derived opens the ticket.
    holder = Client()
    found = holder.post("/pengaduan/lacak/", {"number": body["number"], "code": code})
    assert found.status_code == 302 and found["Location"] == f"/pengaduan/tiket/{body['id']}/"


@pytest.mark.django_db(transaction=True)
def test_a_worker_with_another_secret_key_fails_the_confirmation_instead_of_sending_a_dead_code(api, settings):
    settings.TASKS = DB_TASKS
    assert file_via_api(api, PUBLIC_REPORT).status_code == 201
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    run_worker()
    assert DBTaskResult.objects.get().status == "FAILED"
    assert not outbox.messages_for("+6281377778888", "sms") and not outbox.messages_for("budi.pelapor@contoh.id")


def test_two_complaints_filed_in_the_same_second_get_different_codes(api, frozen_clock):
    frozen_clock(dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC))
    first = file_via_api(api, PUBLIC_REPORT).json()
    second = file_via_api(api, PUBLIC_REPORT).json()
    assert first["access_code"] != second["access_code"]
    assert access.hash_code(first["access_code"]) == Complaint.objects.get(public_id=first["id"]).access_code_hash
