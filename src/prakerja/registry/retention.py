"""Retention: how long the platform keeps personal data it no longer needs, and the purge that applies it.

The rules (docs/decisions/0006-personal-data.md):

- **Phone codes** (``PhoneOtp``, a hash of the code and the number it went to) are deleted once
  expired and older than ``OTP_KEEP`` (one day: the resend limit counts the codes of the last day).
- **API tokens** (hashes) are deleted once expired: an expired token opens nothing.
- **Accounts that never finished verifying** their email and phone within ``UNVERIFIED_ACCOUNT_DAYS``
  (30 days), and hold no identity, are removed: the account is deleted when nothing refers to
  it; when the audit log does (every registration is audited with the account as its actor) it is
  erased in place instead — email and phone replaced, password made unusable, deactivated — so the
  audit trail keeps a consistent reference that no longer identifies anyone. An empty participant
  record made for it goes too. Each one is audited (``account.erased_unverified``).
- **Sessions** past their expiry are cleared (what Django's ``clearsessions`` does).

Never touched: the ledger, the audit log, and anything of a person who verified an identity
(applications, cards, purchases, payouts: the program's records of public money).

Run by ``prakerja purge-personal-data`` (with ``--dry-run`` to count only) and by the periodic task
``prakerja.registry.tasks.purge_personal_data_task`` (``prakerja periodic``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError, Q, RestrictedError

from prakerja.accounts.models import ApiToken, PhoneOtp, User
from prakerja.core import audit, clock
from prakerja.registry.models import Person

OTP_KEEP = dt.timedelta(days=1)
UNVERIFIED_ACCOUNT_DAYS = 30
CHUNK = 500
ERASED_DOMAIN = "erased.invalid"  # RFC 2606: never delivered


@dataclass
class Purged:
    phone_codes: int = 0
    api_tokens: int = 0
    unverified_accounts_deleted: int = 0
    unverified_accounts_erased: int = 0
    sessions_cleared: bool = False
    dry_run: bool = False

    def as_dict(self) -> dict[str, int | bool]:
        return asdict(self)

    def summary(self) -> str:
        accounts = self.unverified_accounts_deleted + self.unverified_accounts_erased
        head = (
            f"Expired phone codes: {self.phone_codes:,}; expired API tokens: {self.api_tokens:,}; "
            f"accounts never verified within {UNVERIFIED_ACCOUNT_DAYS} days: {accounts:,}"
        )
        if self.dry_run:
            return f"{head} would be removed; expired sessions would be cleared. (Dry run: nothing changed.)"
        return (
            f"{head} removed ({self.unverified_accounts_deleted:,} deleted, {self.unverified_accounts_erased:,} "
            "erased in place as the audit log refers to them); expired sessions cleared."
        )


def expired_phone_codes(now: dt.datetime) -> Q:
    return Q(expires_at__lt=now, created_at__lt=now - OTP_KEEP)


def unverified_accounts(now: dt.datetime):  # type: ignore[no-untyped-def]
    """Participants' accounts older than the limit, with a contact still unverified and no identity."""
    return (
        User.objects.filter(
            role=User.Role.PARTICIPANT,
            is_active=True,
            is_staff=False,
            is_superuser=False,
            date_joined__lt=now - dt.timedelta(days=UNVERIFIED_ACCOUNT_DAYS),
        )
        .filter(Q(email_verified_at__isnull=True) | Q(phone_verified_at__isnull=True))
        .exclude(person__nik_index__isnull=False)
        .exclude(person__identity_verified_at__isnull=False)
    )


def purge(*, dry_run: bool = False) -> Purged:
    """Apply the retention rules once; safe to run at any time and again."""
    now = clock.now()
    done = Purged(dry_run=dry_run)
    codes = PhoneOtp.objects.filter(expired_phone_codes(now))
    tokens = ApiToken.objects.filter(expires_at__lt=now)
    if dry_run:
        done.phone_codes = codes.count()
        done.api_tokens = tokens.count()
        done.unverified_accounts_erased = unverified_accounts(now).count()
        return done
    done.phone_codes = codes.delete()[0]
    done.api_tokens = tokens.delete()[0]
    while ids := list(unverified_accounts(now).order_by("id").values_list("id", flat=True)[:CHUNK]):
        for user_id in ids:
            if _remove_account(user_id, now):
                done.unverified_accounts_deleted += 1
            else:
                done.unverified_accounts_erased += 1
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    done.sessions_cleared = True
    return done


def _remove_account(user_id: int, now: dt.datetime) -> bool:
    """Delete the account if nothing refers to it, else erase it in place; True when deleted."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        public_id = user.public_id
        # The empty participant record the dashboard made for it (nothing else can point to one).
        Person.objects.filter(user=user, nik_index__isnull=True, identity_verified_at__isnull=True).delete()
        try:
            with transaction.atomic():
                user.delete()
            return True
        except (ProtectedError, RestrictedError):
            pass
        user.email = f"erased-{public_id}@{ERASED_DOMAIN}"
        user.phone = None
        user.set_unusable_password()
        user.is_active = False
        user.save(update_fields=["email", "phone", "password", "is_active"])
        user.phone_otps.all().delete()
        user.api_tokens.all().delete()
        audit.record(
            "account.erased_unverified",
            user,
            after={"reason": "contacts not verified", "days": UNVERIFIED_ACCOUNT_DAYS, "at": now.isoformat()},
        )
        return False
