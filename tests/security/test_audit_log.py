"""The audit trail: append-only in the database, searchable and exportable by auditors only."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from prakerja.core import audit
from prakerja.core.audit_guard import set_erasable
from prakerja.core.models import AuditEvent
from staff import log_in_staff, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def guarded():
    """The database as production has it: audit rows can be neither changed nor removed."""
    set_erasable(connection, False)
    yield
    set_erasable(connection, True)


def some_event(actor=None) -> AuditEvent:
    user = actor or make_staff("pmo_support", "layanan.audit@prakerja.test")
    return audit.record("test.changed", user, actor=user, before={"x": 1}, after={"x": 2})


def test_the_database_refuses_to_change_or_remove_audit_rows(guarded):
    event = some_event()
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(action="tampered"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET after = NULL")
    event.refresh_from_db()
    assert event.action == "test.changed" and event.after == {"x": 2}
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE core_auditevent CASCADE")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_only_auditors_reach_the_trail(staff_client):
    some_event()
    assert staff_client("auditor").get("/audit/").status_code == 200
    for role in ("pmo", "pmo_support", "ministry", "institution"):
        assert staff_client(role).get("/audit/").status_code == 403, role
    assert staff_client("regional", region_code="32").get("/audit/ekspor.csv").status_code == 403
    assert Client().get("/audit/").status_code == 302


def test_auditor_searches_and_exports_and_the_export_is_audited():
    officer = make_staff("pmo_support", "layanan.cari@prakerja.test")
    other = make_staff("pmo_selection", "seleksi.cari@prakerja.test")
    audit.record("complaints.assigned", officer, actor=officer, after={"to": "x"})
    audit.record("batches.selected", other, actor=other, after={"n": 3})
    auditor = make_staff("auditor", "auditor.cari@prakerja.test")
    client = log_in_staff(Client(), auditor)

    page = client.get("/audit/", {"actor": "layanan.cari@prakerja.test"}).content.decode()
    assert 'data-action="complaints.assigned"' in page and 'data-action="batches.selected"' not in page
    page = client.get("/audit/", {"action": "batches."}).content.decode()
    assert 'data-action="batches.selected"' in page and 'data-action="complaints.assigned"' not in page

    response = client.get("/audit/ekspor.csv", {"action": "complaints.", "purpose": "pemeriksaan BPK"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["action"] for r in rows] == ["complaints.assigned"]
    assert rows[0]["actor"] == "layanan.cari@prakerja.test"
    exported = AuditEvent.objects.get(action="personal_data.export")
    assert exported.actor == auditor and exported.after == {"rows": 1, "purpose": "pemeriksaan BPK"}
