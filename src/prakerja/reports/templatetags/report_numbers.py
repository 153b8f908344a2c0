"""``{% load report_numbers %}``: rupiah with thousands dots (``{{ amount|rupiah }}`` → "1.500.000")."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def rupiah(value: Any) -> str:
    """Whole rupiah with Indonesian thousands dots; anything that is not a number is shown as it is."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "" if value is None else str(value)
    return f"{value:,}".replace(",", ".")
