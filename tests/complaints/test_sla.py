"""The SLA clock: hours per category from filing; a complaint past its due time is escalated by
``prakerja complaints-sla`` (and again every ``complaint_escalation_hours`` while unresolved); asking the
reporter pauses the clock; a resolved complaint closes by itself after ``complaint_auto_close_days``. The
dashboard counts breaches and complaints due soon."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from complaint_helpers import (
    PARTICIPANT_REPORT,
    PUBLIC_REPORT,
    audit_rows,
    file_via_api,
    staff_web,
)
from django.core.management import call_command

from conftest import Api
from prakerja.complaints import actions
from prakerja.complaints.models import Complaint
from prakerja.complaints.tasks import run_sla_task
from prakerja.core import outbox, program
from prakerja.core.models import ProgramSettingVersion
from staff import make_staff

# The fixtures of complaint_helpers (participant, private_files).
pytest_plugins = ["complaint_helpers"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]

START = dt.datetime(2026, 8, 3, 2, 0, tzinfo=dt.UTC)  # Monday 09:00 in Jakarta
HOUR = dt.timedelta(hours=1)


def run_command() -> str:
    out = io.StringIO()
    call_command("complaints_sla", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def counts(desk) -> tuple[int, int]:
    page = desk.get("/pmo/pengaduan/").content.decode()
    breached = int(page.split('data-breached="', 1)[1].split('"', 1)[0])
    due_soon = int(page.split('data-due-soon="', 1)[1].split('"', 1)[0])
    return breached, due_soon


def test_a_breach_is_escalated_by_the_command_once_then_again_a_day_later(
    participant, frozen_clock, django_capture_on_commit_callbacks
):
    frozen_clock(START)
    head = make_staff("pmo", "kepala@prakerja.test")
    officer, desk = staff_web("pmo_support", "cs@prakerja.test")
    reporter = participant()
    complaint = Complaint.objects.get(public_id=file_via_api(reporter, PARTICIPANT_REPORT).json()["id"])
    actions.assign(complaint, officer, actor=officer)
    assert complaint.sla_hours == 72

    frozen_clock(START + 71 * HOUR)
    assert "0 complaints escalated" in run_command()
    assert counts(desk) == (0, 1)  # due within the next 24 hours

    frozen_clock(START + 73 * HOUR)
    assert counts(desk) == (1, 0)
    breached_only = desk.get("/pmo/pengaduan/?breached=1").content
    assert f'data-complaint="{complaint.number}"'.encode() in breached_only and b'data-breached="1"' in breached_only
    with django_capture_on_commit_callbacks(execute=True):
        out = run_command()
    assert "1 complaints escalated" in out
    complaint.refresh_from_db()
    assert complaint.escalation_level == 1 and complaint.priority == "high"
    assert complaint.escalate_after == START + 73 * HOUR + 24 * HOUR
    [escalated] = audit_rows(complaint, "complaint.escalated")
    assert escalated.actor is None and escalated.after["automatic"] is True
    assert (escalated.before["escalation_level"], escalated.after["escalation_level"]) == (0, 1)
    assert "Eskalasi tingkat 1" in outbox.messages_for(officer.email, "email")[-1]
    assert not outbox.messages_for(head.email)  # the heads hear of it from level 2

    assert "0 complaints escalated" in run_command()  # the same instant again: nothing more
    frozen_clock(START + 96 * HOUR)
    assert "0 complaints escalated" in run_command()
    frozen_clock(START + 97 * HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        assert "1 complaints escalated" in run_command()
    complaint.refresh_from_db()
    assert complaint.escalation_level == 2 and complaint.priority == "urgent"
    assert "Eskalasi tingkat 2" in outbox.messages_for(head.email, "email")[-1]


def test_asking_the_reporter_pauses_the_clock(participant, frozen_clock):
    frozen_clock(START)
    officer = make_staff("pmo_support", "cs@prakerja.test")
    reporter = participant()
    complaint_id = file_via_api(reporter, PARTICIPANT_REPORT).json()["id"]
    complaint = Complaint.objects.get(public_id=complaint_id)
    frozen_clock(START + 10 * HOUR)
    actions.staff_reply(complaint, officer, "Mohon kirim bukti rekening.", ask_reporter=True)

    frozen_clock(START + 100 * HOUR)  # long past 72 hours, but the program is waiting for the reporter
    assert "0 complaints escalated" in run_command()
    reply = reporter.client.post(
        f"/api/v1/me/complaints/{complaint_id}/messages",
        data={"body": "Ini buktinya."},
        headers={"Authorization": f"Bearer {reporter.token}"},
    )
    assert reply.status_code == 201
    complaint.refresh_from_db()
    assert complaint.status == "in_progress"
    assert complaint.sla_due_at == START + (72 + 90) * HOUR  # paused for 90 hours
    assert "0 complaints escalated" in run_command()
    frozen_clock(START + (72 + 90) * HOUR + dt.timedelta(minutes=1))
    assert "1 complaints escalated" in run_command()


def test_resolved_complaints_close_by_themselves_after_the_set_days(frozen_clock):
    frozen_clock(START)
    officer = make_staff("pmo_support", "cs@prakerja.test")
    complaint = Complaint.objects.get(public_id=file_via_api(Api(), PUBLIC_REPORT).json()["id"])
    actions.resolve(complaint, actor=officer, resolution="Akun sudah dipulihkan.")

    frozen_clock(START + dt.timedelta(days=7) - dt.timedelta(minutes=1))
    assert "0 resolved complaints closed after 7 days" in run_command()
    frozen_clock(START + dt.timedelta(days=7))
    assert "1 resolved complaints closed after 7 days" in run_command()
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.closed_by == "auto"
    assert complaint.closed_at == START + dt.timedelta(days=7)
    [closed] = audit_rows(complaint, "complaint.closed")
    assert closed.actor is None and closed.after["by"] == "auto" and closed.before["status"] == "resolved"
    assert "0 resolved complaints closed" in run_command()


def test_the_periodic_task_does_the_same_and_category_hours_follow_the_program_setting(frozen_clock):
    frozen_clock(START)
    # The program office's table (a setting version) overrides the app's fallback of 48 hours.
    ProgramSettingVersion.objects.create(key="complaint_sla_hours", value={"account_blocked": 4, "other": 100})
    program.forget_cached()
    expected = 4
    complaint = Complaint.objects.get(
        public_id=file_via_api(Api(), PUBLIC_REPORT | {"category": "account_blocked"}).json()["id"]
    )
    assert complaint.sla_hours == expected and complaint.priority == "high"
    frozen_clock(START + (expected + 1) * HOUR)
    result = run_sla_task.enqueue()
    assert result.return_value == {"escalated": 1, "closed": 0, "at_max_level": 0}
    assert Complaint.objects.get(pk=complaint.pk).escalation_level == 1
    training = file_via_api(Api(), PUBLIC_REPORT | {"category": "training"}).json()["id"]
    assert Complaint.objects.get(public_id=training).sla_hours == 100  # a category missing from it: "other"
