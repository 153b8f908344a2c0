"""The complaints' rules, pure (no database): categories, the status machine, the SLA clock, attachments.

Each function answers with values or reason codes, so the actions, the pages, the API and the
tests share one statement of the rules.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

# --- categories -------------------------------------------------------------------------------------------
REGISTRATION = "registration"
KTP_UPLOAD = "ktp_upload"
NIK_REGISTERED = "nik_registered"
ACCOUNT_BLOCKED = "account_blocked"
TRAINING = "training"
PAYMENT = "payment"
OTHER = "other"

CATEGORIES: dict[str, str] = {
    REGISTRATION: "Pendaftaran akun",
    KTP_UPLOAD: "Unggah foto KTP",
    NIK_REGISTERED: "NIK sudah terdaftar",
    ACCOUNT_BLOCKED: "Akun terblokir",
    TRAINING: "Pelatihan",
    PAYMENT: "Pembayaran insentif",
    OTHER: "Lainnya",
}

# Hours to resolve, per category, when the program setting ``complaint_sla_hours`` lacks a category.
# A blocked account stops a person's whole journey, so it is the shortest; a NIK registered by someone else
# needs a civil-registry check, so it is the longest.
SLA_HOURS: dict[str, int] = {
    REGISTRATION: 72,
    KTP_UPLOAD: 72,
    NIK_REGISTERED: 120,
    ACCOUNT_BLOCKED: 48,
    TRAINING: 120,
    PAYMENT: 72,
    OTHER: 120,
}

# Priority follows the category at filing (what blocks the journey or money comes first).
PRIORITY_OF: dict[str, str] = {ACCOUNT_BLOCKED: "high", PAYMENT: "high", NIK_REGISTERED: "high"}

MAX_ESCALATION_LEVEL = 3

# --- statuses ---------------------------------------------------------------------------------------------
OPEN = "open"
IN_PROGRESS = "in_progress"
WAITING = "waiting_for_reporter"
RESOLVED = "resolved"
CLOSED = "closed"
REOPENED = "reopened"

STATUSES: dict[str, str] = {
    OPEN: "Baru",
    IN_PROGRESS: "Sedang ditangani",
    WAITING: "Menunggu jawaban pelapor",
    RESOLVED: "Selesai ditangani",
    CLOSED: "Ditutup",
    REOPENED: "Dibuka kembali",
}

# Statuses whose SLA clock runs; WAITING pauses it (the program waits for the reporter, not for itself).
RUNNING = frozenset({OPEN, IN_PROGRESS, REOPENED})
ACTIVE = RUNNING | {WAITING}

TRANSITIONS: dict[str, frozenset[str]] = {
    OPEN: frozenset({IN_PROGRESS, WAITING, RESOLVED, CLOSED}),
    IN_PROGRESS: frozenset({WAITING, RESOLVED, CLOSED}),
    WAITING: frozenset({IN_PROGRESS, RESOLVED, CLOSED}),
    RESOLVED: frozenset({CLOSED, REOPENED}),
    REOPENED: frozenset({IN_PROGRESS, WAITING, RESOLVED, CLOSED}),
    CLOSED: frozenset(),
}


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def refusal_to_move(current: str, target: str) -> str | None:
    """The reason code when ``current -> target`` is not allowed, else None."""
    if current == CLOSED:
        return "COMPLAINT_CLOSED"
    return None if can_move(current, target) else "COMPLAINT_TRANSITION_NOT_ALLOWED"


def status_after_staff_reply(current: str, *, ask_reporter: bool) -> str:
    """A staff reply either asks the reporter for something (the clock pauses) or reports progress."""
    return WAITING if ask_reporter else IN_PROGRESS


def status_after_reporter_reply(current: str) -> str:
    """The reporter answered: a paused complaint is worked on again; otherwise the status stays."""
    return IN_PROGRESS if current == WAITING else current


# --- the SLA clock ----------------------------------------------------------------------------------------
def sla_hours_for(category: str, table: Mapping[str, Any] | None = None) -> int:
    """Hours to resolve ``category`` (the program's table, else the fallback; at least one hour)."""
    table = table or SLA_HOURS
    try:
        hours = int(table.get(category, table.get(OTHER, SLA_HOURS[OTHER])))
    except (TypeError, ValueError):
        hours = SLA_HOURS.get(category, SLA_HOURS[OTHER])
    return max(1, hours)


def due_at(start: dt.datetime, hours: int) -> dt.datetime:
    """Calendar hours, around the clock: complaints are promised in hours, not in working days."""
    return start + dt.timedelta(hours=hours)


def is_breached(status: str, sla_due_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Past due while the clock runs (a paused, resolved or closed complaint is never "breached" now)."""
    return status in RUNNING and sla_due_at is not None and now > sla_due_at


def is_due_soon(status: str, sla_due_at: dt.datetime | None, now: dt.datetime, window_hours: int) -> bool:
    return status in RUNNING and sla_due_at is not None and now <= sla_due_at <= now + dt.timedelta(hours=window_hours)


def escalation_refusal(status: str, level: int) -> tuple[str, dict[str, object]] | None:
    if status not in ACTIVE:
        return ("COMPLAINT_CLOSED", {}) if status == CLOSED else ("COMPLAINT_TRANSITION_NOT_ALLOWED", {})
    if level >= MAX_ESCALATION_LEVEL:
        return "COMPLAINT_ESCALATION_MAX", {"max": MAX_ESCALATION_LEVEL}
    return None


def reopen_refusal(
    status: str, resolved_at: dt.datetime | None, now: dt.datetime, days: int
) -> tuple[str, dict[str, object]] | None:
    """The reporter may reopen a resolved complaint within ``days`` of its resolution."""
    if status == CLOSED:
        return "COMPLAINT_CLOSED", {}
    if status != RESOLVED or resolved_at is None:
        return "COMPLAINT_TRANSITION_NOT_ALLOWED", {}
    if now > resolved_at + dt.timedelta(days=days):
        return "COMPLAINT_REOPEN_WINDOW_PASSED", {"days": days}
    return None


# --- attachments ------------------------------------------------------------------------------------------
MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024
MAX_ATTACHMENTS_PER_MESSAGE = 3
# What a request carrying the most a message may hold can weigh (files plus the form's text and framing).
MAX_REQUEST_BYTES = MAX_ATTACHMENTS_PER_MESSAGE * MAX_ATTACHMENT_BYTES + 128 * 1024

# Magic bytes -> (content type, extension). The declared content type and the name are never trusted.
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """The content type and extension the first bytes prove, or None for anything else."""
    for magic, content_type, extension in _SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def attachment_refusal(size: int, head: bytes) -> tuple[str, dict[str, object]] | None:
    """Why one file cannot be attached (empty, too large, not a PDF/JPEG/PNG), or None."""
    if size <= 0:
        return "ATTACHMENT_EMPTY", {}
    if size > MAX_ATTACHMENT_BYTES:
        return "ATTACHMENT_TOO_LARGE", {"max_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
    if sniff(head) is None:
        return "ATTACHMENT_TYPE_NOT_ALLOWED", {}
    return None


_UNSAFE_NAME = re.compile(r"[^\w.\- ()]+", re.UNICODE)


def safe_file_name(name: str, extension: str) -> str:
    """The original name, kept only for display and download: no path, no control or odd characters,
    at most 100 characters, and the extension of what the bytes are (a ``.exe`` never survives)."""
    base = unicodedata.normalize("NFKC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE_NAME.sub("_", stem).strip(" ._")[:90] or "lampiran"
    return f"{stem}.{extension}"


# --- text -------------------------------------------------------------------------------------------------
def clean_text(value: Any) -> str:
    """Text as stored: control characters (but line breaks and tabs) and lone surrogates removed, trimmed.

    PostgreSQL refuses NUL in text and lone surrogates cannot be encoded, so either would be a 500.
    """
    text = str(value or "").replace("\r\n", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))
    return text.strip()
