"""``{% load identity %}``: a NIK or KK number as the viewer may see it (``core.pii.shown``).

``{% identity_number person "nik" %}`` shows it masked (``3174********0001``) to staff and in full
to the person themselves. A page whose work needs the full number for a role of
``roles.SEES_FULL_IDENTITY`` names why: ``{% identity_number person "kk" purpose="complaint:PGD-2026-000123" %}``
shows it in full to those roles and writes an audit row (``personal_data.view``); everyone else
still sees it masked.
"""

from __future__ import annotations

from typing import Any

from django import template

from prakerja.core import pii
from prakerja.core.requests import client_ip

register = template.Library()


@register.simple_tag(takes_context=True)
def identity_number(context: template.Context, person: Any, kind: str, purpose: str | None = None) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    ip = client_ip(request) if request is not None else None
    return pii.shown(user, person, kind, purpose=purpose or None, ip=ip)


@register.filter
def masked(value: str | None) -> str:
    """``{{ number|masked }}``: the first and last four digits only."""
    return pii.mask(value)
