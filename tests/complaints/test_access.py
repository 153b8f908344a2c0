"""Who sees which complaint: a participant only their own, a public reporter only the ticket they unlocked,
support all, a regional officer only their area (read and internal notes), everyone else nothing."""

from __future__ import annotations

import pytest
from complaint_helpers import (
    PARTICIPANT_REPORT,
    PUBLIC_REPORT,
    file_via_api,
    reply_via_api,
    staff_web,
    web,
)
from django.test import Client

from conftest import Api, codes
from prakerja.complaints import actions
from prakerja.complaints.models import Complaint, ComplaintMessage
from prakerja.core.models import AuditEvent

# The fixtures of complaint_helpers (participant, private_files).
pytest_plugins = ["complaint_helpers"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]


def test_participant_a_cannot_see_participant_b_complaint(participant):
    alice = participant()
    bob = participant()
    bobs = file_via_api(bob, PARTICIPANT_REPORT).json()["id"]
    complaint = Complaint.objects.get(public_id=bobs)

    # API: not listed, not readable, not writable — and it looks exactly like a missing one.
    assert alice.get("/me/complaints").json() == []
    for response in (
        alice.get(f"/me/complaints/{bobs}"),
        reply_via_api(alice, bobs, "Ini bukan milik saya"),
        alice.post(f"/me/complaints/{bobs}/confirm"),
        alice.post(f"/me/complaints/{bobs}/reopen", {"reason": "x"}),
        alice.get("/me/complaints/00000000-0000-0000-0000-000000000000"),
        alice.get("/me/complaints/not-a-uuid"),
    ):
        assert response.status_code == 404 and codes(response) == ["COMPLAINT_NOT_FOUND"]
    assert not ComplaintMessage.objects.filter(complaint=complaint).exists()

    # Pages: 404 for the ticket and its actions.
    page = web(alice.user)
    assert page.get(f"/pengaduan/tiket/{bobs}/").status_code == 404
    assert page.post(f"/pengaduan/tiket/{bobs}/", {"body": "x"}).status_code == 404
    assert page.post(f"/pengaduan/tiket/{bobs}/konfirmasi/").status_code == 404
    assert complaint.number.encode() not in page.get("/pengaduan/saya/").content
    assert web(bob.user).get(f"/pengaduan/tiket/{bobs}/").status_code == 200


def test_a_public_ticket_opens_only_with_its_code(participant):
    filed = file_via_api(Api(), PUBLIC_REPORT).json()
    path = f"/pengaduan/tiket/{filed['id']}/"
    assert Client().get(path).status_code == 404
    someone = participant()
    assert web(someone.user).get(path).status_code == 404
    assert someone.get(f"/me/complaints/{filed['id']}").status_code == 404
    holder = Client()
    holder.post("/pengaduan/lacak/", {"number": filed["number"], "code": filed["access_code"]})
    assert holder.get(path).status_code == 200


def test_regional_officers_see_their_area_only_read_and_note(participant):
    bandung = participant(district="327301")
    surabaya = participant(district="357801")
    in_bandung = Complaint.objects.get(public_id=file_via_api(bandung, PARTICIPANT_REPORT).json()["id"])
    in_surabaya = Complaint.objects.get(public_id=file_via_api(surabaya, PARTICIPANT_REPORT).json()["id"])

    officer, desk = staff_web("regional", "jabar@prakerja.test", region_code="32")  # West Java province
    listing = desk.get("/pmo/pengaduan/")
    assert listing.status_code == 200
    assert f'data-complaint="{in_bandung.number}"'.encode() in listing.content
    assert in_surabaya.number.encode() not in listing.content
    assert desk.get(f"/pmo/pengaduan/{in_surabaya.public_id}/").status_code == 404
    assert desk.post(f"/pmo/pengaduan/{in_surabaya.public_id}/catatan/", {"body": "x"}).status_code == 404

    shown = desk.get(f"/pmo/pengaduan/{in_bandung.public_id}/")
    assert shown.status_code == 200 and bandung.user.email.encode() in shown.content
    assert AuditEvent.objects.filter(action="personal_data.view", actor=officer).count() == 1
    noted = desk.post(f"/pmo/pengaduan/{in_bandung.public_id}/catatan/", {"body": "Sudah dicek di kecamatan."})
    assert noted.status_code == 302
    assert ComplaintMessage.objects.get(complaint=in_bandung, internal=True).body == "Sudah dicek di kecamatan."
    # Replies and decisions stay with support.
    for action in ("balas", "tugaskan", "eskalasi", "selesai", "tutup"):
        assert desk.post(f"/pmo/pengaduan/{in_bandung.public_id}/{action}/", {"body": "x"}).status_code == 403
    assert Complaint.objects.get(pk=in_bandung.pk).status == "open"

    # A regency-scoped officer of another regency of the same province sees nothing of Bandung city.
    _, bogor = staff_web("regional", "bogor@prakerja.test", region_code="3201")
    assert bogor.get(f"/pmo/pengaduan/{in_bandung.public_id}/").status_code == 404
    assert in_bandung.number.encode() not in bogor.get("/pmo/pengaduan/").content
    # An officer without an area sees nothing at all.
    _, nowhere = staff_web("regional", "tanpa-wilayah@prakerja.test")
    assert b"data-complaint=" not in nowhere.get("/pmo/pengaduan/").content


def test_other_roles_are_turned_away(participant):
    reporter = participant()
    complaint_id = file_via_api(reporter, PARTICIPANT_REPORT).json()["id"]
    _, selection = staff_web("pmo_selection", "seleksi@prakerja.test")
    _, auditor = staff_web("auditor", "auditor@prakerja.test")
    for client in (selection, auditor, web(reporter.user)):
        assert client.get("/pmo/pengaduan/").status_code == 403
        assert client.get(f"/pmo/pengaduan/{complaint_id}/").status_code == 403
    visitor = Client().get("/pmo/pengaduan/")
    assert visitor.status_code == 302 and "/akun/masuk/" in visitor["Location"]


def test_internal_notes_never_reach_the_reporter(participant):
    reporter = participant()
    complaint_id = file_via_api(reporter, PARTICIPANT_REPORT).json()["id"]
    complaint = Complaint.objects.get(public_id=complaint_id)
    officer, desk = staff_web("pmo_support", "cs@prakerja.test")
    actions.add_note(complaint, officer, "Catatan rahasia: cek rekening di bank mitra.")
    actions.staff_reply(complaint, officer, "Kami sedang memeriksa pembayaran Anda.")
    page = web(reporter.user).get(f"/pengaduan/tiket/{complaint_id}/")
    assert b"Kami sedang memeriksa" in page.content and b"Catatan rahasia" not in page.content
    detail = reporter.get(f"/me/complaints/{complaint_id}").json()
    assert [m["body"] for m in detail["messages"]] == ["Kami sedang memeriksa pembayaran Anda."]
    staff_page = desk.get(f"/pmo/pengaduan/{complaint_id}/")
    assert b"Catatan rahasia" in staff_page.content and b'data-internal="1"' in staff_page.content
