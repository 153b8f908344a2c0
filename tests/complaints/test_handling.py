"""Support handles a complaint on its pages: assigns, replies (the reporter is told), asks the reporter, escalates,
resolves and closes; the reporter confirms or reopens. Every change leaves an audit row with before and after,
and every look at the reporter's data is recorded with its purpose."""

from __future__ import annotations

import datetime as dt

import pytest
from complaint_helpers import (
    PARTICIPANT_REPORT,
    PUBLIC_REPORT,
    audit_rows,
    audit_text,
    file_via_api,
    reply_via_api,
    staff_web,
)
from django.test import Client

from conftest import Api, codes
from prakerja.complaints import actions, rules
from prakerja.complaints.models import Complaint
from prakerja.core import outbox
from prakerja.core.errors import DomainError
from prakerja.core.models import AuditEvent
from prakerja.core.program import setting
from staff import make_staff

# The fixtures of complaint_helpers (participant, private_files).
pytest_plugins = ["complaint_helpers"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]

START = dt.datetime(2026, 8, 3, 2, 0, tzinfo=dt.UTC)  # Monday 09:00 in Jakarta


def public_ticket(client: Client) -> Complaint:
    """A public report filed on the website by ``client``, whose session then holds the ticket."""
    client.post("/pengaduan/baru/", PUBLIC_REPORT)
    return Complaint.objects.latest("id")


def test_support_handles_a_public_report_from_filing_to_confirmation(frozen_clock, django_capture_on_commit_callbacks):
    frozen_clock(START)
    reporter = Client()
    with django_capture_on_commit_callbacks(execute=True):
        complaint = public_ticket(reporter)
    ticket = f"/pengaduan/tiket/{complaint.public_id}/"
    staff_page = f"/pmo/pengaduan/{complaint.public_id}/"
    officer, desk = staff_web("pmo_support", "cs@prakerja.test")

    # The dashboard lists it; the ticket page shows the reporter's data, and that look is recorded.
    assert f'data-complaint="{complaint.number}"'.encode() in desk.get("/pmo/pengaduan/").content
    shown = desk.get(staff_page)
    assert shown.status_code == 200 and b"Budi Santoso" in shown.content and b"+6281377778888" in shown.content
    [view] = AuditEvent.objects.filter(action="personal_data.view", actor=officer)
    assert view.after["purpose"] == f"complaint:{complaint.number}"
    assert set(view.after["fields"]) >= {"reporter_name", "reporter_email", "reporter_phone", "description"}

    frozen_clock(START + dt.timedelta(hours=1))
    assert desk.post(f"{staff_page}tugaskan/", {"assignee": "me"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.assignee == officer and complaint.status == "in_progress"
    [assigned] = audit_rows(complaint, "complaint.assigned")
    assert assigned.actor == officer
    assert assigned.before["assignee"] is None and assigned.after["assignee"] == str(officer.public_id)
    assert (assigned.before["status"], assigned.after["status"]) == ("open", "in_progress")

    # A reply that asks the reporter for something: they are told by email and SMS, the clock pauses.
    frozen_clock(START + dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(f"{staff_page}balas/", {"body": "Mohon kirim foto KTP Anda.", "ask_reporter": "1"})
    complaint.refresh_from_db()
    assert complaint.status == "waiting_for_reporter" and complaint.first_response_at == START + dt.timedelta(hours=2)
    assert complaint.sla_paused_at == START + dt.timedelta(hours=2)
    mail = outbox.messages_for("budi.pelapor@contoh.id", "email")[-1]
    sms = outbox.messages_for("+6281377778888", "sms")[-1]
    for message in (mail, sms):
        assert f"balasan petugas untuk pengaduan {complaint.number}" in message
        assert "foto KTP" not in message  # the link, never the words
    assert b"Mohon kirim foto KTP Anda." in reporter.get(ticket).content

    # The reporter answers 10 hours later: worked on again, and the due time moved by the pause.
    frozen_clock(START + dt.timedelta(hours=12))
    with django_capture_on_commit_callbacks(execute=True):
        assert reporter.post(ticket, {"body": "Sudah saya kirim lewat email."}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "in_progress" and complaint.sla_paused_at is None
    assert complaint.sla_due_at == START + dt.timedelta(hours=120 + 10)
    assert "Pelapor menulis pada pengaduan" in outbox.messages_for("cs@prakerja.test", "email")[-1]

    # Escalated by hand, then resolved: the reporter is told.
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(f"{staff_page}eskalasi/", {"reason": "Perlu pemeriksaan Dukcapil."})
    complaint.refresh_from_db()
    assert complaint.escalation_level == 1 and complaint.priority == "high"
    [escalated] = audit_rows(complaint, "complaint.escalated")
    assert escalated.after["automatic"] is False and escalated.before["escalation_level"] == 0
    assert "Eskalasi tingkat 1" in outbox.messages_for("cs@prakerja.test", "email")[-1]

    frozen_clock(START + dt.timedelta(hours=30))
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(f"{staff_page}selesai/", {"resolution": "NIK Anda sudah dipulihkan; silakan mendaftar lagi."})
    complaint.refresh_from_db()
    assert complaint.status == "resolved" and complaint.resolved_at == START + dt.timedelta(hours=30)
    assert "telah selesai ditangani" in outbox.messages_for("budi.pelapor@contoh.id", "email")[-1]
    [resolved] = audit_rows(complaint, "complaint.resolved")
    assert resolved.after["resolved_late"] is False

    page = reporter.get(ticket)
    assert b"NIK Anda sudah dipulihkan" in page.content and b"/konfirmasi/" in page.content
    assert reporter.post(f"{ticket}konfirmasi/").status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.closed_by == "reporter"

    steps = [e.action for e in audit_rows(complaint) if e.action != "personal_data.view"]
    assert steps == [
        "complaint.filed",
        "complaint.assigned",
        "complaint.staff_replied",
        "complaint.reporter_replied",
        "complaint.escalated",
        "complaint.resolved",
        "complaint.closed",
    ]
    changes = [e for e in audit_rows(complaint) if e.action not in ("complaint.filed", "personal_data.view")]
    assert all(e.before and e.after and e.before != e.after for e in changes)
    history = desk.get(staff_page).content
    assert b'data-action="complaint.closed"' in history
    # No secret and no words of the reporter in the audit trail.
    assert "Sudah saya kirim" not in audit_text() and "Mohon kirim" not in audit_text()


def test_only_support_officers_can_be_assigned(participant):
    reporter = participant()
    complaint = Complaint.objects.get(public_id=file_via_api(reporter, PARTICIPANT_REPORT).json()["id"])
    officer, desk = staff_web("pmo_support", "cs@prakerja.test")
    selection = make_staff("pmo_selection", "seleksi@prakerja.test")
    head = make_staff("pmo", "kepala@prakerja.test")
    refused = desk.post(f"/pmo/pengaduan/{complaint.public_id}/tugaskan/", {"assignee": str(selection.public_id)})
    assert b"COMPLAINT_ASSIGNEE_INVALID" in desk.get(refused["Location"]).content
    with pytest.raises(DomainError) as refusal:
        actions.assign(complaint, reporter.user, actor=officer)
    assert refusal.value.codes == ["COMPLAINT_ASSIGNEE_INVALID"]
    desk.post(f"/pmo/pengaduan/{complaint.public_id}/tugaskan/", {"assignee": str(head.public_id)})
    assert Complaint.objects.get(pk=complaint.pk).assignee == head


def test_reopen_within_the_window_restarts_the_clock_and_after_it_is_refused(participant, frozen_clock):
    frozen_clock(START)
    reporter = participant()
    complaint_id = file_via_api(reporter, PARTICIPANT_REPORT).json()["id"]
    complaint = Complaint.objects.get(public_id=complaint_id)
    officer = make_staff("pmo_support", "cs@prakerja.test")
    actions.resolve(complaint, actor=officer, resolution="Insentif sudah ditransfer ulang.")

    frozen_clock(START + dt.timedelta(days=2))
    reopened = reporter.post(f"/me/complaints/{complaint_id}/reopen", {"reason": "Belum masuk juga."})
    assert reopened.status_code == 200 and reopened.json()["status"] == "reopened"
    complaint.refresh_from_db()
    assert complaint.sla_due_at == START + dt.timedelta(days=2, hours=72) and complaint.reopened_count == 1
    assert audit_rows(complaint, "complaint.reopened")[0].actor == reporter.user

    actions.resolve(complaint, actor=officer, resolution="Sudah dicek: masuk tanggal 5.")
    frozen_clock(START + dt.timedelta(days=2 + setting("complaint_reopen_days"), minutes=1))
    late = reporter.post(f"/me/complaints/{complaint_id}/reopen", {"reason": "Masih belum."})
    assert late.status_code == 409 and codes(late) == ["COMPLAINT_REOPEN_WINDOW_PASSED"]
    assert reporter.get(f"/me/complaints/{complaint_id}").json()["can_reopen"] is False
    # Replying to a resolved complaint is not the way to reopen it.
    answered = reply_via_api(reporter, complaint_id, "Halo?")
    assert answered.status_code == 409 and codes(answered) == ["COMPLAINT_TRANSITION_NOT_ALLOWED"]
    confirmed = reporter.post(f"/me/complaints/{complaint_id}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "closed"
    closed = reply_via_api(reporter, complaint_id, "Halo?")
    assert closed.status_code == 409 and codes(closed) == ["COMPLAINT_CLOSED"]


def test_staff_close_tells_the_reporter_why_and_ends_the_thread(django_capture_on_commit_callbacks):
    reporter = Client()
    complaint = public_ticket(reporter)
    officer, desk = staff_web("pmo_support", "cs@prakerja.test")
    refused = desk.post(f"/pmo/pengaduan/{complaint.public_id}/tutup/", {"reason": ""})
    assert b"FIELD_REQUIRED" in desk.get(refused["Location"]).content
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(f"/pmo/pengaduan/{complaint.public_id}/tutup/", {"reason": "Sama dengan tiket PGD-2026-000001."})
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.closed_by == "staff"
    assert "ditutup oleh petugas" in outbox.messages_for("budi.pelapor@contoh.id", "email")[-1]
    page = reporter.get(f"/pengaduan/tiket/{complaint.public_id}/")
    assert b"Sama dengan tiket" in page.content and b'name="body"' not in page.content
    again = desk.post(f"/pmo/pengaduan/{complaint.public_id}/balas/", {"body": "x"})
    assert b"COMPLAINT_CLOSED" in desk.get(again["Location"]).content
    [closed] = audit_rows(complaint, "complaint.closed")
    assert closed.actor == officer and closed.after["by"] == "staff" and closed.before["status"] == "open"


def test_escalation_stops_at_the_highest_level(participant):
    reporter = participant()
    complaint = Complaint.objects.get(public_id=file_via_api(reporter, PARTICIPANT_REPORT).json()["id"])
    officer = make_staff("pmo_support", "cs@prakerja.test")
    for _ in range(rules.MAX_ESCALATION_LEVEL):
        actions.escalate(complaint, actor=officer, reason="Belum ada kemajuan.")
    complaint.refresh_from_db()
    assert complaint.escalation_level == rules.MAX_ESCALATION_LEVEL and complaint.priority == "urgent"
    with pytest.raises(DomainError) as refusal:
        actions.escalate(complaint, actor=officer, reason="Sekali lagi.")
    assert refusal.value.codes == ["COMPLAINT_ESCALATION_MAX"]
    assert len(audit_rows(complaint, "complaint.escalated")) == rules.MAX_ESCALATION_LEVEL


def test_the_dashboard_filters_by_status_category_region_and_assignee(participant):
    bandung = participant(district="327301")
    surabaya = participant(district="357801")
    first = Complaint.objects.get(public_id=file_via_api(bandung, PARTICIPANT_REPORT).json()["id"])
    second = Complaint.objects.get(
        public_id=file_via_api(surabaya, PARTICIPANT_REPORT | {"category": "training"}).json()["id"]
    )
    third = Complaint.objects.get(public_id=file_via_api(Api(), PUBLIC_REPORT).json()["id"])
    officer, desk = staff_web("pmo_support", "cs@prakerja.test")
    actions.assign(second, officer, actor=officer)
    actions.resolve(third, actor=officer, resolution="Selesai.")

    def listed(query: str) -> set[str]:
        content = desk.get(f"/pmo/pengaduan/?{query}").content.decode()
        return {c.number for c in (first, second, third) if f'data-complaint="{c.number}"' in content}

    assert listed("") == {first.number, second.number}  # unresolved by default
    assert b'data-unassigned="1"' in desk.get("/pmo/pengaduan/").content
    assert listed("status=") == {first.number, second.number, third.number}
    assert listed("status=resolved") == {third.number}
    assert listed("status=&category=training") == {second.number}
    assert listed("status=&region=35") == {second.number}
    assert listed("status=&region=3273") == {first.number, third.number}
    assert listed("assignee=me") == {second.number}
    assert listed("assignee=none") == {first.number}
    assert listed(f"assignee={officer.public_id}") == {second.number}
    assert listed("status=nonsense&category=%00&region=abc&assignee=zzz") == set()  # an unknown assignee matches none
    assert desk.get("/pmo/pengaduan/?halaman=999").status_code == 200
