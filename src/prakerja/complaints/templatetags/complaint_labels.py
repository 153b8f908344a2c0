"""``{% load complaint_labels %}``: ``{{ c.category|category_label }}``, ``status_label``, ``priority_label``,
``kind_label``, ``closed_by_label``, and ``kilobytes``."""

from __future__ import annotations

from typing import Any

from django import template

from prakerja.complaints import labels

register = template.Library()


@register.filter
def category_label(value: Any) -> Any:
    return labels.CATEGORY_LABELS.get(str(value), value)


@register.filter
def status_label(value: Any) -> Any:
    return labels.STATUS_LABELS.get(str(value), value)


@register.filter
def priority_label(value: Any) -> Any:
    return labels.PRIORITY_LABELS.get(str(value), value)


@register.filter
def kind_label(value: Any) -> Any:
    return labels.KIND_LABELS.get(str(value), value)


@register.filter
def closed_by_label(value: Any) -> Any:
    return labels.CLOSED_BY_LABELS.get(str(value), value)


@register.filter
def kilobytes(value: Any) -> str:
    try:
        return f"{max(1, round(int(value) / 1024)):,} KB".replace(",", ".")
    except (TypeError, ValueError):
        return ""
