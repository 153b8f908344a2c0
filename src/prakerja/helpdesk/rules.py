"""Pure rules of the help desks: areas, consent, the ID photo's format (no database, no files)."""

from __future__ import annotations

import phonenumbers

from prakerja.core.access import regency_in_scope
from prakerja.core.errors import Problem
from prakerja.helpdesk.models import ConsentMethod

JPEG = "jpeg"
PNG = "png"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def resident_in_area(ktp_regency: str, domicile_regency: str | None, scope: str) -> bool:
    """An officer registers residents of their own area: the KTP address or the home (domicile) address
    must lie in it. The same rule decides which people a regional officer may open (``access_person``)."""
    return regency_in_scope(ktp_regency, scope) or bool(domicile_regency and regency_in_scope(domicile_regency, scope))


def check_consent(*, read_aloud: bool, method: str, reference: str, version: str, current: str) -> list[Problem]:
    problems = []
    if version != current:
        problems.append(Problem("HELPDESK_CONSENT_OUTDATED", "version"))
    if not read_aloud:
        problems.append(Problem("HELPDESK_CONSENT_REQUIRED", "read_aloud"))
    if method not in ConsentMethod.values:
        problems.append(Problem("HELPDESK_CONSENT_REQUIRED", "method"))
    if not reference.strip():
        problems.append(Problem("HELPDESK_CONSENT_REFERENCE_REQUIRED", "reference"))
    return problems


def photo_kind(head: bytes) -> str | None:
    """JPEG or PNG by the file's first bytes (its name and declared type are the sender's word only)."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(_PNG_SIGNATURE):
        return PNG
    return None


def check_photo(head: bytes, size: int, *, max_bytes: int) -> tuple[str | None, list[Problem]]:
    """The photo's kind, or why it is refused (checked before anything is written)."""
    if size > max_bytes:
        return None, [Problem("HELPDESK_PHOTO_TOO_LARGE", "photo", {"max_mb": max_bytes // (1024 * 1024)})]
    if size == 0:
        return None, [Problem("HELPDESK_PHOTO_REQUIRED", "photo")]
    kind = photo_kind(head)
    if kind is None:
        return None, [Problem("HELPDESK_PHOTO_TYPE", "photo")]
    return kind, []


def desk_phone(raw: str) -> str | None:
    """A desk's phone: any valid Indonesian number (a landline too), as E.164; None if not one."""
    text = (raw or "").strip()
    if not text or len(text) > 24:
        return None
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 62 or not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """``+62221234567`` → ``(022) 1234567``: how people in Indonesia write a number."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, "ID"), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return e164
