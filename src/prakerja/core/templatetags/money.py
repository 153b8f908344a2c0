"""``{{ amount|rupiah }}`` → ``Rp 1.500.000`` (Indonesian thousands separator, whole rupiah)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def rupiah(value: object) -> str:
    try:
        amount = int(value or 0)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
    return "Rp " + f"{amount:,}".replace(",", ".")
