"""Retention: ``prakerja purge-personal-data`` removes what is past its time and keeps the rest
(never the ledger, the audit log, or anything of a person with a verified identity)."""

from __future__ import annotations

import datetime as dt
import io
from importlib import import_module

import pytest
from django.conf import settings
from django.core.management import call_command
from pii_world import participant

from prakerja.accounts.models import ApiToken, PhoneOtp, User
from prakerja.core import audit, clock
from prakerja.core.models import AuditEvent
from prakerja.payments.models import JournalEntry
from prakerja.registry import retention
from prakerja.registry.models import Person
from prakerja.registry.tasks import purge_personal_data_task

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2026, 9, 1, 3, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def account(email: str, *, joined: dt.datetime, verified: bool = False, audited: bool = True) -> User:
    user = User.objects.create_user(email, "x" * 12, phone=f"+62812{abs(hash(email)) % 10**8:08d}")
    User.objects.filter(pk=user.pk).update(
        date_joined=joined,
        email_verified_at=joined if verified else None,
        phone_verified_at=joined if verified else None,
    )
    if audited:
        audit.record("account.registered", user, actor=user, ip="10.0.0.1")
    user.refresh_from_db()
    return user


def otp(user: User, created: dt.datetime, minutes: int = 10) -> PhoneOtp:
    return PhoneOtp.objects.create(
        user=user,
        phone=user.phone,
        code_hash="h",
        created_at=created,
        expires_at=created + dt.timedelta(minutes=minutes),
    )


def token(user: User, expires: dt.datetime) -> ApiToken:
    return ApiToken.objects.create(
        user=user, token_hash=f"{user.pk}-{expires.timestamp()}", created_at=expires - 30 * DAY, expires_at=expires
    )


def test_purge_removes_what_is_past_its_time_and_keeps_the_rest(frozen_clock, verified_api, resident):
    frozen_clock(NOW - dt.timedelta(hours=12))
    _client, identity = participant(verified_api, resident)  # a verified participant with an identity
    # (its phone code expired hours ago but stays a day, for the resend limit; its token is valid)
    kept_person = Person.objects.get()
    frozen_clock(NOW)
    # Accounts that never finished verifying, long ago: one the audit log refers to, one it does not.
    stale_audited = account("lama1@contoh.id", joined=NOW - 31 * DAY)
    stale_silent = account("lama2@contoh.id", joined=NOW - 40 * DAY, audited=False)
    Person.objects.create(user=stale_silent)  # the empty record the dashboard makes
    # Kept: unverified but recent; verified long ago; staff.
    recent = account("baru@contoh.id", joined=NOW - 29 * DAY)
    verified = account("lengkap@contoh.id", joined=NOW - 90 * DAY, verified=True)
    officer = account("petugas@prakerja.test", joined=NOW - 90 * DAY)
    User.objects.filter(pk=officer.pk).update(role=User.Role.PMO_SUPPORT)

    old_codes = [otp(recent, NOW - 2 * DAY), otp(verified, NOW - 3 * DAY)]
    young_expired = otp(recent, NOW - dt.timedelta(hours=3))  # counts for today's resend limit
    live = otp(recent, NOW - dt.timedelta(minutes=2))
    expired_token, live_token = token(verified, NOW - DAY), token(verified, NOW + 10 * DAY)
    sessions = import_module(settings.SESSION_ENGINE).SessionStore
    old_session, new_session = sessions(), sessions()
    old_session["x"], new_session["x"] = 1, 2
    old_session.set_expiry(1)
    new_session.set_expiry(3600)
    old_session.create()
    new_session.create()
    audit_before = set(AuditEvent.objects.values_list("id", flat=True))
    ledger_before = JournalEntry.objects.count()

    dry = io.StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=dry)
    assert "Expired phone codes: 2; expired API tokens: 1; accounts never verified within 30 days: 2 would be" in (
        dry.getvalue()
    )
    assert PhoneOtp.objects.count() == 5 and User.objects.filter(email__startswith="lama").count() == 2

    import time

    time.sleep(1.1)  # the short session's expiry passes (sessions use the real clock)
    out = io.StringIO()
    call_command("purge_personal_data", stdout=out)
    summary = out.getvalue()
    assert "Expired phone codes: 2; expired API tokens: 1" in summary
    assert "30 days: 2 removed (1 deleted, 1 erased in place" in summary

    assert set(PhoneOtp.objects.exclude(user__person=kept_person).values_list("id", flat=True)) == {
        young_expired.id,
        live.id,
    }
    assert PhoneOtp.objects.filter(user__person=kept_person).count() == 1
    assert not PhoneOtp.objects.filter(id__in=[c.id for c in old_codes]).exists()
    assert list(ApiToken.objects.filter(user=verified).values_list("id", flat=True)) == [live_token.id]
    assert not ApiToken.objects.filter(id=expired_token.id).exists()
    assert ApiToken.objects.filter(user__person=kept_person).exists()
    # The silent one is gone with its empty record; the audited one stays as a row that names no one.
    assert not User.objects.filter(pk=stale_silent.pk).exists()
    erased = User.objects.get(pk=stale_audited.pk)
    assert erased.email == f"erased-{erased.public_id}@erased.invalid" and erased.phone is None
    assert not erased.is_active and not erased.has_usable_password()
    assert "lama1@contoh.id" not in repr(list(User.objects.values_list("email", "phone")))
    # Everyone else is as they were.
    for user in (recent, verified, officer):
        assert User.objects.get(pk=user.pk).email == user.email
    assert Person.objects.with_nik(identity["nik"]).get() == kept_person
    # The audit log lost nothing and says what was erased; the ledger is untouched.
    assert audit_before <= set(AuditEvent.objects.values_list("id", flat=True))
    (note,) = AuditEvent.objects.filter(action="account.erased_unverified")
    assert note.object_id == str(erased.public_id) and note.actor is None and "lama1" not in str(note.after)
    assert JournalEntry.objects.count() == ledger_before
    assert not sessions().exists(old_session.session_key) and sessions().exists(new_session.session_key)

    # Again: nothing more to do.
    assert retention.purge().as_dict() | {"sessions_cleared": True} == {
        "phone_codes": 0,
        "api_tokens": 0,
        "unverified_accounts_deleted": 0,
        "unverified_accounts_erased": 0,
        "sessions_cleared": True,
        "dry_run": False,
    }


def test_the_periodic_task_applies_the_same_rules(frozen_clock):
    frozen_clock(NOW)
    stale = account("lama3@contoh.id", joined=NOW - 45 * DAY)
    result = purge_personal_data_task.enqueue()  # the immediate backend in tests
    assert result.return_value["unverified_accounts_erased"] == 1
    assert not User.objects.get(pk=stale.pk).is_active
    assert clock.now() == NOW
