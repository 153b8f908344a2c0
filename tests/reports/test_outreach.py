"""The public program page: open and upcoming batches, how to register, help desks, and the program
office's announcements (published and withdrawn by PMO support, audited)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from prakerja.batches import actions as batches
from prakerja.core import clock
from prakerja.core.models import AuditEvent
from prakerja.reports.models import Announcement

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 8, 3, 2, 0, tzinfo=dt.UTC)


def test_the_page_lists_open_and_upcoming_batches_and_stays_light(frozen_clock):
    frozen_clock(NOW)
    day = dt.timedelta(days=1)
    batches.create_batch(number=72, quota=100, opens_at=NOW + 20 * day, closes_at=NOW + 27 * day)
    batches.open_batch(72)  # scheduled: joining starts at its opening time
    batches.create_batch(number=73, quota=100, opens_at=NOW + 40 * day, closes_at=NOW + 47 * day)
    body = Client().get("/program/").content.decode()
    assert 'data-batch="72" data-state="upcoming"' in body
    assert 'data-batch="73"' not in body  # a draft is not announced
    assert 'action="/layanan/"' in body  # the help desks of each region

    frozen_clock(NOW + 21 * day)
    page = Client().get("/program/")
    assert page.status_code == 200 and 'data-batch="72" data-state="open"' in page.content.decode()
    assert len(page.content) < 40_000  # a 3G phone loads it in a few seconds


def test_support_publishes_and_withdraws_announcements(staff_client, frozen_clock):
    frozen_clock(NOW)
    support = staff_client("pmo_support")
    assert support.post("/pmo/pengumuman/", {"title": "", "body": ""}).status_code == 302
    assert not Announcement.objects.exists()  # refused with FIELD_REQUIRED, nothing half-made
    support.post("/pmo/pengumuman/", {"title": "Gelombang 72 dibuka 23 Agustus", "body": "Siapkan KTP dan KK."})
    notice = Announcement.objects.get()
    assert "Gelombang 72 dibuka 23 Agustus" in Client().get("/program/").content.decode()
    assert AuditEvent.objects.filter(action="announcement.published", object_id=str(notice.public_id)).exists()

    assert support.post("/pmo/pengumuman/", {"withdraw": "bukan-id"}).status_code == 302  # no 500
    support.post("/pmo/pengumuman/", {"withdraw": str(notice.public_id)})
    assert "Gelombang 72 dibuka 23 Agustus" not in Client().get("/program/").content.decode()
    assert AuditEvent.objects.filter(action="announcement.withdrawn").count() == 1
    notice.refresh_from_db()
    assert notice.withdrawn_at == clock.now()


def test_only_support_keeps_the_announcements(staff_client):
    for role in ("ministry", "pmo_curation", "auditor"):
        assert staff_client(role).get("/pmo/pengumuman/").status_code == 403, role
    assert (
        staff_client("regional", region_code="32").post("/pmo/pengumuman/", {"title": "x", "body": "y"}).status_code
        == 403
    )
    assert not Announcement.objects.exists()
