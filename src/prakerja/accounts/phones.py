"""Indonesian mobile numbers, normalized to E.164 before storing or comparing."""

from __future__ import annotations

import phonenumbers


def normalize_phone(raw: object) -> str | None:
    """``0812…``, ``62812…`` and ``+62 812-…`` are one number: return ``+62812…``, or None if not a mobile."""
    text = str(raw or "").strip()
    if not text or len(text) > 24:
        return None
    if text.startswith("62"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 62 or not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
