"""ID photos never outlive their use: verification deletes them at once; the purge deletes the rest."""

from __future__ import annotations

import datetime as dt
import io
import os
import time

import pytest
from django.core.management import call_command
from django.test import Client
from helpdesk_support import (  # noqa: F401 - fixtures
    contact,
    desk_fixture,
    email_verify_path,
    jpeg,
    photo_dir_fixture,
    sms_code,
)

from prakerja.core import clock
from prakerja.core.models import AuditEvent
from prakerja.helpdesk.models import AssistedRegistration
from prakerja.helpdesk.tasks import purge_id_photos_task

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2030, 5, 6, 1, 0, tzinfo=dt.UTC)


def with_photo(desk) -> AssistedRegistration:
    email, phone, phone_e164 = contact()
    registration = desk.start()
    desk.account(registration, email, phone)
    desk.post(desk.url(registration, "kontak/"), {"action": "code", "code": sms_code(phone_e164)})
    Client().get(email_verify_path(email))
    desk.get(desk.url(registration, "kontak/"))
    assert desk.upload(registration, jpeg()).status_code == 302
    registration.refresh_from_db()
    return registration


def run_purge(*args: str) -> str:
    out = io.StringIO()
    call_command("purge_id_photos", *args, stdout=out)
    return out.getvalue()


def test_unverified_photos_are_deleted_after_the_limit(desk, photo_dir, frozen_clock, settings):
    settings.HELPDESK_PHOTO_MAX_HOURS = 12
    frozen_clock(T0)
    old = with_photo(desk)
    frozen_clock(T0 + dt.timedelta(hours=6))
    recent = with_photo(desk)
    digest = old.photo_sha256

    frozen_clock(T0 + dt.timedelta(hours=11, minutes=59))
    assert "0 ID photos" in run_purge()
    assert sorted(p.name for p in photo_dir.iterdir()) == sorted([old.photo_file, recent.photo_file])

    frozen_clock(T0 + dt.timedelta(hours=12, minutes=1))
    assert "1 ID photos older than 12 hours deleted." in run_purge()
    old.refresh_from_db()
    assert old.photo_file == "" and old.photo_deleted_reason == "purged" and old.photo_sha256 == digest
    assert old.photo_deleted_at == T0 + dt.timedelta(hours=12, minutes=1) and old.photo_verified_at is None
    assert [p.name for p in photo_dir.iterdir()] == [recent.photo_file]
    event = AuditEvent.objects.filter(object_id=str(old.public_id), action="helpdesk.photo_deleted").get()
    assert event.actor is None and event.after == {"reason": "purged"} and event.before == {"sha256": digest}
    # The officer's page now asks for a new photo; the summary says what happened.
    assert 'name="photo"' in desk.get(desk.url(old, "identitas/")).content.decode()
    assert "data-photo-deleted" in desk.get(desk.url(old)).content.decode()

    # Running again changes nothing; the periodic task does the same work.
    assert "0 ID photos" in run_purge()
    frozen_clock(T0 + dt.timedelta(hours=18, minutes=1))
    assert purge_id_photos_task.enqueue().return_value == 1
    assert list(photo_dir.iterdir()) == []
    recent.refresh_from_db()
    assert recent.photo_deleted_reason == "purged"


def test_hours_option_and_stray_files(desk, photo_dir):
    registration = with_photo(desk)
    # A file no registration holds (its transaction rolled back), old enough: swept too.
    stray = photo_dir / "0123456789abcdef0123456789abcdef.jpg"
    stray.write_bytes(jpeg())
    hour_ago = time.time() - 3700
    os.utime(stray, (hour_ago, hour_ago))
    fresh_stray = photo_dir / "fedcba9876543210fedcba9876543210.png"
    fresh_stray.write_bytes(b"x")
    assert "0 ID photos older than 1 hours" in run_purge("--hours", "1")
    assert not stray.exists() and fresh_stray.exists()
    assert (photo_dir / registration.photo_file).exists()
    assert "1 ID photos older than 0 hours" in run_purge("--hours", "0")
    assert not (photo_dir / registration.photo_file).exists()
    assert AssistedRegistration.objects.get(pk=registration.pk).photo_deleted_reason == "purged"


def test_verified_photos_are_already_gone(desk, photo_dir):
    from helpdesk_support import person_in

    registration = with_photo(desk)
    assert desk.identity(registration, person_in("327302")).status_code == 302
    assert list(photo_dir.iterdir()) == []
    assert "0 ID photos" in run_purge("--hours", "0")
    registration.refresh_from_db()
    assert registration.photo_deleted_reason == "verified"
    assert clock.now() - registration.photo_deleted_at < dt.timedelta(minutes=1)
