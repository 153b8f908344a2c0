"""Filing at the same instant on PostgreSQL: every ticket gets its own number (the year's counter row is locked
FOR UPDATE), and two SLA runs at once escalate a breached complaint once."""

from __future__ import annotations

import datetime as dt

import pytest
from complaint_helpers import PUBLIC_REPORT
from django.db import connection

from concurrently import at_once
from prakerja.complaints import actions
from prakerja.complaints.models import Complaint, TicketCounter
from prakerja.core.models import AuditEvent

# The fixtures of complaint_helpers (participant, private_files).
pytest_plugins = ["complaint_helpers"]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("private_files"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks (SELECT … FOR UPDATE); SQLite serializes every write transaction",
    ),
]

START = dt.datetime(2026, 8, 3, 2, 0, tzinfo=dt.UTC)


def filing(n: int):
    def job() -> Complaint:
        report = PUBLIC_REPORT | {"name": f"Pelapor {n}", "email": f"pelapor{n}@contoh.id", "phone": ""}
        return actions.file_complaint(**report, ip=f"10.0.0.{n}").complaint

    return job


def test_ticket_numbers_are_unique_when_many_file_at_once(frozen_clock):
    frozen_clock(START)
    results = at_once([filing(n) for n in range(1, 9)])
    assert all(isinstance(r, Complaint) for r in results), results
    numbers = sorted(r.number for r in results)
    assert numbers == [f"PGD-2026-{n:06d}" for n in range(1, 9)]
    assert TicketCounter.objects.get(year=2026).last == 8
    # A second wave continues the count, with the counter row already there.
    more = at_once([filing(n) for n in range(9, 13)])
    assert sorted(r.number for r in more) == [f"PGD-2026-{n:06d}" for n in range(9, 13)]
    assert Complaint.objects.values("number").distinct().count() == 12


def test_two_sla_runs_at_once_escalate_a_breach_once(frozen_clock):
    frozen_clock(START)
    complaint = filing(1)()
    frozen_clock(START + dt.timedelta(hours=complaint.sla_hours + 1))
    results = at_once([actions.run_sla, actions.run_sla, actions.run_sla])
    assert sum(r.escalated for r in results) == 1, results
    assert Complaint.objects.get(pk=complaint.pk).escalation_level == 1
    assert AuditEvent.objects.filter(action="complaint.escalated").count() == 1
