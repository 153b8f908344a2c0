"""Attachments: only PDF, JPEG and PNG (as their bytes prove, whatever the name or declared type), 2 MB each,
three per message; kept outside every served folder under random names and served only to those who may see
the complaint (staff downloads are recorded as views of personal data)."""

from __future__ import annotations

from pathlib import Path

import pytest
from complaint_helpers import (
    EXE,
    HTML,
    JPEG,
    PARTICIPANT_REPORT,
    PDF,
    PNG,
    PUBLIC_REPORT,
    bytes_of,
    file_via_api,
    reply_via_api,
    staff_web,
    upload,
    web,
)
from django.conf import settings
from django.test import Client

from conftest import codes
from prakerja.complaints import rules
from prakerja.complaints.models import Complaint, ComplaintAttachment
from prakerja.core.models import AuditEvent

# The fixtures of complaint_helpers (participant, private_files).
pytest_plugins = ["complaint_helpers"]
pytestmark = pytest.mark.django_db

LIMIT = rules.MAX_ATTACHMENT_BYTES


def stored_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_pdf_jpeg_and_png_are_kept_privately_under_random_names(participant, private_files):
    reporter = participant()
    files = [
        upload("../../etc/surat keterangan.PDF", PDF, "text/html"),
        upload("foto ktp.exe", JPEG),
        upload("bukti\x00transfer.png", PNG, "image/png"),
    ]
    response = file_via_api(reporter, PARTICIPANT_REPORT, files)
    assert response.status_code == 201, response.content
    attachments = list(ComplaintAttachment.objects.order_by("id"))
    # The type is what the bytes are; the name keeps no path and takes the extension of the real type.
    assert [(a.original_name, a.content_type, a.size) for a in attachments] == [
        ("surat keterangan.pdf", "application/pdf", len(PDF)),
        ("foto ktp.jpg", "image/jpeg", len(JPEG)),
        ("buktitransfer.png", "image/png", len(PNG)),  # a control character is dropped
    ]
    on_disk = stored_files(private_files)
    assert sorted(p.read_bytes() for p in on_disk) == sorted([PDF, JPEG, PNG])
    for attachment, path in zip(attachments, sorted(on_disk), strict=False):
        assert "ktp" not in attachment.stored_name and "." not in attachment.stored_name
        assert len(attachment.stored_name.rsplit("/", 1)[-1]) == 40
        assert not str(path.resolve()).startswith(str(Path(settings.STATIC_ROOT).resolve()))
        assert path.stat().st_mode & 0o077 == 0  # readable by the platform's own user only

    detail = reporter.get(f"/me/complaints/{response.json()['id']}").json()
    [report] = detail["messages"]
    assert report["kind"] == "report" and [a["name"] for a in report["attachments"]] == [
        "surat keterangan.pdf",
        "foto ktp.jpg",
        "buktitransfer.png",
    ]


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ([upload("surat.pdf", EXE, "application/pdf")], "ATTACHMENT_TYPE_NOT_ALLOWED"),
        ([upload("halaman.png", HTML, "image/png")], "ATTACHMENT_TYPE_NOT_ALLOWED"),
        ([upload("besar.pdf", PDF + b"0" * (LIMIT - len(PDF) + 1))], "ATTACHMENT_TOO_LARGE"),
        ([upload("kosong.pdf", b"")], "ATTACHMENT_EMPTY"),
        ([upload(f"{n}.pdf", PDF) for n in range(rules.MAX_ATTACHMENTS_PER_MESSAGE + 1)], "ATTACHMENTS_TOO_MANY"),
    ],
)
def test_refused_attachments_refuse_the_complaint_and_leave_no_file(api, private_files, files, code):
    response = file_via_api(api, PUBLIC_REPORT, files)
    assert response.status_code == 422 and codes(response) == [code]
    assert response.json()["errors"][0]["field"] == "attachments"
    assert not Complaint.objects.exists() and not stored_files(private_files)


def test_exactly_two_megabytes_is_accepted_and_the_message_says_the_limit(api, private_files):
    accepted = file_via_api(api, PUBLIC_REPORT, [upload("pas.pdf", PDF + b"0" * (LIMIT - len(PDF)))])
    assert accepted.status_code == 201
    refused = file_via_api(api, PUBLIC_REPORT, [upload("lebih.pdf", PDF + b"0" * LIMIT)], **{"Accept-Language": "en"})
    assert refused.json()["errors"][0]["message"] == "The attachment is too large (at most 2 MB per file)."


def test_a_request_larger_than_three_full_attachments_is_413(api, private_files):
    big = PDF + b"0" * (LIMIT - len(PDF))
    response = file_via_api(api, PUBLIC_REPORT, [upload(f"{n}.pdf", big) for n in range(4)])
    assert response.status_code == 413 and codes(response) == ["BODY_TOO_LARGE"]
    assert not stored_files(private_files)


def test_the_web_form_refuses_a_disguised_file_with_its_code(private_files):
    visitor = Client()
    page = visitor.post("/pengaduan/baru/", PUBLIC_REPORT | {"attachments": [upload("ktp.jpg", EXE)]})
    assert page.status_code == 200 and b"ATTACHMENT_TYPE_NOT_ALLOWED" in page.content
    assert not Complaint.objects.exists() and not stored_files(private_files)


def test_replies_carry_attachments_too_with_the_same_checks(participant, private_files):
    reporter = participant()
    complaint_id = file_via_api(reporter, PARTICIPANT_REPORT).json()["id"]
    refused = reply_via_api(reporter, complaint_id, "Ini buktinya", [upload("a.pdf", EXE)])
    assert refused.status_code == 422 and codes(refused) == ["ATTACHMENT_TYPE_NOT_ALLOWED"]
    sent = reply_via_api(reporter, complaint_id, "Ini buktinya", [upload("mutasi.png", PNG)])
    assert sent.status_code == 201 and sent.json()["attachments"][0]["name"] == "mutasi.png"
    assert len(stored_files(private_files)) == 1


def test_attachments_are_served_only_to_who_may_see_the_complaint(participant, private_files):
    owner = participant()
    other = participant()
    complaint_id = file_via_api(owner, PARTICIPANT_REPORT, [upload("bukti.pdf", PDF)]).json()["id"]
    attachment = ComplaintAttachment.objects.get()
    api_path = f"/me/complaints/{complaint_id}/attachments/{attachment.public_id}"

    mine = owner.get(api_path)
    assert mine.status_code == 200 and bytes_of(mine) == PDF
    assert mine["Content-Type"] == "application/pdf" and mine["Content-Disposition"].startswith("attachment;")
    assert other.get(api_path).status_code == 404
    assert other.get(f"/me/complaints/{complaint_id}/attachments/nonsense").status_code == 404

    page_path = f"/pengaduan/lampiran/{attachment.public_id}/"
    downloaded = web(owner.user).get(page_path)
    assert downloaded.status_code == 200 and bytes_of(downloaded) == PDF
    assert downloaded["Cache-Control"] == "private, no-store"
    assert web(other.user).get(page_path).status_code == 404
    assert Client().get(page_path).status_code == 404

    # Support sees it, and the download is recorded as a view of personal data with its purpose.
    officer, desk = staff_web("pmo_support", "cs@prakerja.test")
    assert bytes_of(desk.get(page_path)) == PDF
    view = AuditEvent.objects.get(action="personal_data.view", actor=officer)
    complaint = Complaint.objects.get()
    assert view.after == {"fields": ["attachment"], "purpose": f"complaint:{complaint.number}"}
    # A regional officer elsewhere does not.
    _, faraway = staff_web("regional", "papua@prakerja.test", region_code="94")
    assert faraway.get(page_path).status_code == 404
