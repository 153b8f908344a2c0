"""Who reaches which complaint: every page and endpoint of this app goes through these helpers.

- A participant reaches only complaints filed from their own account.
- A public reporter reaches a ticket after giving its number and the secret access code handed out at
  filing; the session then remembers the ticket (``SESSION_KEY``), nothing else does.
- Program-office support (duty ``SUPPORT``) reaches every complaint and handles them.
- A regional officer (duty ``REGIONAL``) reaches the complaints of their area (``core.access.in_region`` on
  the complaint's regency code), reads them and adds internal notes; replies and decisions stay with support.
- Anyone else: 403 on staff pages (no duty), and every foreign or unknown complaint is a 404.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import uuid
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.crypto import salted_hmac

from prakerja.complaints.models import Complaint, ComplaintAttachment
from prakerja.core import clock, roles
from prakerja.core.access import has_duty, in_region, regency_in_scope, region_scope
from prakerja.core.errors import fail
from prakerja.core.public_ids import get_by_public_id

SESSION_KEY = "complaint_tickets"
MAX_TICKETS_IN_SESSION = 20
NOT_FOUND = "COMPLAINT_NOT_FOUND"

# --- staff ------------------------------------------------------------------------------------------------


def is_support(user: Any) -> bool:
    """Handles complaints: assigns, replies, escalates, resolves, closes (PMO support, the PMO head)."""
    return has_duty(user, roles.SUPPORT)


def is_complaint_staff(user: Any) -> bool:
    return is_support(user) or (has_duty(user, roles.REGIONAL) and region_scope(user) is not None)


def staff_complaints(user: Any) -> QuerySet[Complaint]:
    """The complaints a staff member may see; 403 for anyone without the support or regional duty."""
    if is_support(user):
        return Complaint.objects.all()
    scope = region_scope(user)
    if scope is not None and has_duty(user, roles.REGIONAL):
        return in_region(Complaint.objects.all(), scope, "region_code")
    raise PermissionDenied


def access_staff_complaint(user: Any, public_id: Any) -> Complaint:
    """One complaint for a staff page; outside the officer's area or unknown: 404 ``COMPLAINT_NOT_FOUND``."""
    return get_by_public_id(staff_complaints(user).select_related("reporter_user", "assignee"), public_id, NOT_FOUND)


def may_note(user: Any, complaint: Complaint) -> bool:
    """Internal notes: support anywhere, a regional officer inside their area."""
    if is_support(user):
        return True
    scope = region_scope(user)
    return has_duty(user, roles.REGIONAL) and scope is not None and regency_in_scope(complaint.region_code, scope)


# --- reporters --------------------------------------------------------------------------------------------


def own_complaints(user: Any) -> QuerySet[Complaint]:
    """A participant's own complaints (none for a visitor)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Complaint.objects.none()
    return Complaint.objects.filter(reporter_user=user)


def access_own_complaint(user: Any, public_id: Any) -> Complaint:
    """A participant's own complaint; anybody else's (or none): 404 ``COMPLAINT_NOT_FOUND``."""
    return get_by_public_id(own_complaints(user).select_related("assignee"), public_id, NOT_FOUND)


def granted_tickets(session: Any) -> list[str]:
    value = session.get(SESSION_KEY) if session is not None else None
    return [str(v) for v in value] if isinstance(value, list) else []


def grant(session: Any, complaint: Complaint) -> None:
    """Remember in the session that its holder proved the ticket's access code (or just filed it)."""
    tickets = [t for t in granted_tickets(session) if t != str(complaint.public_id)]
    session[SESSION_KEY] = [*tickets, str(complaint.public_id)][-MAX_TICKETS_IN_SESSION:]


def access_reporter_ticket(request: Any, public_id: Any) -> Complaint:
    """The ticket page of a reporter: a participant's own complaint, or a public ticket unlocked in this
    session with its access code. Everything else: 404."""
    key = uuid_or_none(public_id)
    user = getattr(request, "user", None)
    if key is not None and getattr(user, "is_authenticated", False):
        found = own_complaints(user).filter(public_id=key).first()
        if found is not None:
            return found
    if key is not None and str(key) in granted_tickets(getattr(request, "session", None)):
        found = Complaint.objects.filter(public_id=key, reporter_user__isnull=True).first()
        if found is not None:
            return found
    raise fail(NOT_FOUND, status=404)


def access_attachment(request: Any, public_id: Any) -> tuple[ComplaintAttachment, bool]:
    """An attachment for whoever may see its complaint: ``(attachment, seen_as_staff)``; 404 otherwise.

    Attachments of internal notes are for staff only.
    """
    attachment = get_by_public_id(
        ComplaintAttachment.objects.select_related("complaint", "message"), public_id, NOT_FOUND
    )
    user = getattr(request, "user", None)
    if is_complaint_staff(user):
        try:
            staff_complaints(user).get(pk=attachment.complaint_id)
        except Complaint.DoesNotExist:
            raise fail(NOT_FOUND, status=404) from None
        return attachment, True
    if attachment.message.internal:
        raise fail(NOT_FOUND, status=404)
    access_reporter_ticket(request, attachment.complaint.public_id)
    return attachment, False


def staff_member(public_id: Any) -> Any:
    """An account by its public id (for choosing an assignee), or None."""
    from prakerja.accounts.models import User

    key = uuid_or_none(public_id)
    return User.objects.filter(public_id=key).first() if key is not None else None


def uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


# --- the public reporter's access code ----------------------------------------------------------------------
# 12 characters from 32 unambiguous ones (60 bits): not guessable, easy to read out on the phone.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_CODE_SALT = "prakerja.complaints.access-code.derived"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_NUMBER = re.compile(r"^PGD-\d{4}-\d{6,9}$")


def access_code_of(complaint: Complaint) -> str:
    """A public reporter's access code: derived from the complaint's row under the server's secret.

    Like the SMS codes (accounts/sending.py, decision 0016), so that the task sending the confirmation
    needs only the complaint's id: the code never rests in the queue, and the database keeps only its
    hash (:func:`hash_code`). Twelve letters of a 32-letter alphabet (60 bits), each from one byte of an
    HMAC of the complaint's public id and its creation time to the microsecond (as an integer, so a time
    read back in UTC gives the code it was written with in any zone)."""
    micros = (complaint.created_at - _EPOCH) // dt.timedelta(microseconds=1)
    digest = salted_hmac(_CODE_SALT, f"{complaint.public_id}:{micros}", algorithm="sha256").digest()
    raw = "".join(_ALPHABET[byte % len(_ALPHABET)] for byte in digest[:12])  # 256 % 32 == 0: no bias
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalize_code(code: Any) -> str:
    return re.sub(r"[^A-Z0-9]", "", str(code or "").upper())[:32]


def hash_code(code: str) -> str:
    """Keyed (HMAC-SHA256 with SECRET_KEY), so a copy of the database alone does not let anyone test codes."""
    return salted_hmac("prakerja.complaints.access-code", normalize_code(code), algorithm="sha256").hexdigest()


def normalize_number(number: Any) -> str:
    return re.sub(r"\s+", "", str(number or "")).upper()[:24]


# Failed look-ups per client address and per ticket number, and public filings per client address
# (fixed windows in the cache, as the log-in throttle).
LOOKUP_LIMIT = 10
LOOKUP_WINDOW = 15 * 60
PUBLIC_FILINGS_PER_HOUR = 30


def _throttle_key(kind: str, value: str) -> str:
    return f"complaints:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def retry_after(keys: list[str], limit: int, window: int) -> int:
    """Seconds until the next attempt is allowed under every key, 0 if allowed now."""
    waits = []
    for key in keys:
        entry = cache.get(key)
        if entry and entry[0] >= limit:
            waits.append(max(1, int(entry[1] + window - clock.now().timestamp())))
    return max(waits, default=0)


def count_attempt(keys: list[str], window: int) -> None:
    now = clock.now().timestamp()
    for key in keys:
        count, started = cache.get(key) or (0, now)
        cache.set(key, (count + 1, started), timeout=max(1, int(started + window - now)))


def check_public_filing(ip: str) -> None:
    """A public report costs nothing to send, so one address may send only so many an hour (``RATE_LIMITED``)."""
    keys = [_throttle_key("filing-ip", ip)]
    wait = retry_after(keys, PUBLIC_FILINGS_PER_HOUR, 3600)
    if wait:
        raise fail("RATE_LIMITED", status=429, retry_after=wait)
    count_attempt(keys, 3600)


def unlock_ticket(number: Any, code: Any, *, ip: str) -> Complaint:
    """A public ticket from its number and access code. Wrong number or wrong code answer the same
    (``TICKET_LOOKUP_FAILED``, 404), and repeated failures are throttled (``RATE_LIMITED``, 429)."""
    number = normalize_number(number)
    keys = [_throttle_key("lookup-ip", ip), _throttle_key("lookup-number", number)]
    wait = retry_after(keys, LOOKUP_LIMIT, LOOKUP_WINDOW)
    if wait:
        raise fail("RATE_LIMITED", status=429, retry_after=wait)
    complaint = (
        Complaint.objects.filter(number=number, reporter_user__isnull=True).first() if _NUMBER.match(number) else None
    )
    # Compare even when the ticket is unknown, so the answer takes the same time either way.
    expected = complaint.access_code_hash if complaint is not None else "0" * 64
    if not (hmac.compare_digest(expected, hash_code(code)) and complaint is not None and normalize_code(code)):
        count_attempt(keys, LOOKUP_WINDOW)
        raise fail("TICKET_LOOKUP_FAILED", status=404)
    return complaint
