"""Writing the audit log: one helper, called by every action."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prakerja.core import clock
from prakerja.core.models import AuditEvent


def record(
    action: str,
    obj: Any,
    *,
    actor: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append an audit row. Values must be JSON-safe and hold no secrets (no passwords, no codes)."""
    return AuditEvent.objects.create(
        at=clock.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(getattr(obj, "public_id", None) or obj.pk),
        before=before,
        after=after,
        ip=ip,
    )


def record_many(
    action: str,
    rows: Iterable[tuple[Any, dict[str, Any] | None, dict[str, Any] | None]],
    *,
    actor: Any = None,
) -> int:
    """Append one audit row per ``(object, before, after)`` in a single insert (for actions applied in chunks)."""
    at = clock.now()
    actor_or_none = actor if getattr(actor, "pk", None) else None
    events = [
        AuditEvent(
            at=at,
            actor=actor_or_none,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(getattr(obj, "public_id", None) or obj.pk),
            before=before,
            after=after,
        )
        for obj, before, after in rows
    ]
    AuditEvent.objects.bulk_create(events)
    return len(events)


def record_view(actor: Any, obj: Any, fields: Iterable[str], *, purpose: str, ip: str | None = None) -> AuditEvent:
    """A staff member saw personal data in full (an unmasked NIK, an ID photo, a person's record).

    ``fields`` names what was shown (never the values); ``purpose`` says why, in the officer's words
    or the page's (``"complaint:<number>"``, ``"export:batch 3"``), so an auditor can ask.
    """
    return record("personal_data.view", obj, actor=actor, after={"fields": sorted(fields), "purpose": purpose}, ip=ip)


def record_export(actor: Any, what: str, *, rows: int, purpose: str, ip: str | None = None) -> AuditEvent:
    """A staff member downloaded a file holding personal data (who, what, how many rows, why)."""
    return AuditEvent.objects.create(
        at=clock.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action="personal_data.export",
        object_type="export",
        object_id=what[:64],
        after={"rows": rows, "purpose": purpose},
        ip=ip,
    )
