"""Odd input to the complaint API and pages is refused with a code, never a 500 (and text that PostgreSQL
cannot store, like NUL, is cleaned before it gets there)."""

from __future__ import annotations

import json

import pytest
from complaint_helpers import (
    PARTICIPANT_REPORT,
    PUBLIC_REPORT,
    file_via_api,
    reply_via_api,
    staff_web,
)
from django.test import Client

from conftest import codes
from prakerja.complaints.models import Complaint

# The fixtures of complaint_helpers (participant, private_files).
pytest_plugins = ["complaint_helpers"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]


def test_control_characters_are_dropped_before_storing(api):
    report = PUBLIC_REPORT | {"subject": "Akun\x00 saya\x07 terblokir", "description": "Tolong\x00\r\nbantu\x1b"}
    response = file_via_api(api, report)
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get()
    assert complaint.subject == "Akun saya terblokir" and complaint.description == "Tolong\nbantu"


def test_shapes_the_operation_does_not_take_are_4xx_with_codes(api):
    too_long = file_via_api(api, PUBLIC_REPORT | {"subject": "x" * 151})
    assert too_long.status_code == 422 and codes(too_long) == ["TOO_LONG"]
    as_json = api.client.post("/api/v1/complaints", data=json.dumps(PUBLIC_REPORT), content_type="application/json")
    assert as_json.status_code == 422 and set(codes(as_json)) == {"FIELD_REQUIRED"}
    blank = file_via_api(api, PUBLIC_REPORT | {"description": " \n\t "})
    assert blank.status_code == 422 and codes(blank) == ["FIELD_REQUIRED"]
    not_a_file = file_via_api(api, PUBLIC_REPORT | {"attachments": "bukan berkas"})
    assert not_a_file.status_code == 201  # a text field of that name is no attachment
    assert not Complaint.objects.filter(attachments__isnull=False).exists()


def test_unknown_ids_are_404_in_the_error_format(participant):
    reporter = participant()
    complaint_id = file_via_api(reporter, PARTICIPANT_REPORT).json()["id"]
    for path in (
        "/me/complaints/%00",
        "/me/complaints/' OR 1=1 --",
        f"/me/complaints/{complaint_id}/attachments/%E2%80%AE",
    ):
        response = reporter.get(path)
        assert response.status_code == 404 and codes(response) == ["COMPLAINT_NOT_FOUND"], path
    empty = reply_via_api(reporter, complaint_id, "   ")
    assert empty.status_code == 422 and codes(empty) == ["FIELD_REQUIRED"]
    reopen = reporter.post(f"/me/complaints/{complaint_id}/reopen", {"reason": "x"})
    assert reopen.status_code == 409 and codes(reopen) == ["COMPLAINT_TRANSITION_NOT_ALLOWED"]


def test_pages_answer_odd_input_without_error():
    visitor = Client()
    assert visitor.get("/pengaduan/tiket/bukan-uuid/").status_code == 404
    assert visitor.get("/pengaduan/lampiran/00000000-0000-0000-0000-000000000000/").status_code == 404
    lookup = visitor.post("/pengaduan/lacak/", {"number": "PGD\x00", "code": "\x00"})
    assert lookup.status_code == 200
    assert visitor.get("/pengaduan/lacak/?nomor=%00%FF").status_code == 200
    form = visitor.post("/pengaduan/baru/", PUBLIC_REPORT | {"subject": "a\x00b", "regency_code": "zz"})
    assert form.status_code == 200 and not Complaint.objects.exists()
    assert visitor.post("/pengaduan/tiket/00000000-0000-0000-0000-000000000000/konfirmasi/").status_code == 404
    assert visitor.get("/pengaduan/tiket/00000000-0000-0000-0000-000000000000/konfirmasi/").status_code == 405


def test_staff_actions_on_unknown_complaints_or_officers(api):
    complaint = Complaint.objects.get(public_id=file_via_api(api, PUBLIC_REPORT).json()["id"])
    _, desk = staff_web("pmo_support", "cs@prakerja.test")
    assert desk.post("/pmo/pengaduan/00000000-0000-0000-0000-000000000000/balas/", {"body": "x"}).status_code == 404
    odd = desk.post(f"/pmo/pengaduan/{complaint.public_id}/tugaskan/", {"assignee": "\x00' or 1=1"})
    assert b"COMPLAINT_ASSIGNEE_INVALID" in desk.get(odd["Location"]).content
    assert desk.get(f"/pmo/pengaduan/{complaint.public_id}/balas/").status_code == 405
