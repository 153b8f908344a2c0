"""The public program page's announcements: published and withdrawn by the program office (audited)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from prakerja.core import audit, clock
from prakerja.core.errors import DomainError, Problem
from prakerja.reports.models import Announcement

TITLE_MAX = 150
BODY_MAX = 3000
SHOWN = 10


def current() -> QuerySet[Announcement]:
    """What the public page shows: published, not withdrawn, newest first."""
    return Announcement.objects.filter(published_at__lte=clock.now(), withdrawn_at__isnull=True).order_by(
        "-published_at"
    )[:SHOWN]


def _clean(value: Any, field: str, limit: int, problems: list[Problem]) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if not text:
        problems.append(Problem("FIELD_REQUIRED", field))
    elif len(text) > limit:
        problems.append(Problem("TOO_LONG", field, {"max": limit}))
    return text


def publish(author: Any, title: Any, body: Any) -> Announcement:
    problems: list[Problem] = []
    title = _clean(title, "title", TITLE_MAX, problems)
    body = _clean(body, "body", BODY_MAX, problems)
    if problems:
        raise DomainError(problems)
    with transaction.atomic():
        notice = Announcement.objects.create(title=title, body=body, published_at=clock.now(), author=author)
        audit.record("announcement.published", notice, actor=author, after={"title": title})
    return notice


def withdraw(actor: Any, public_id: Any) -> Announcement:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise DomainError([Problem("NOT_FOUND")], status=404) from None
    with transaction.atomic():
        notice = Announcement.objects.select_for_update().filter(public_id=key).first()
        if notice is None:
            raise DomainError([Problem("NOT_FOUND")], status=404)
        if notice.withdrawn_at is None:
            notice.withdrawn_at = clock.now()
            notice.save(update_fields=["withdrawn_at"])
            audit.record("announcement.withdrawn", notice, actor=actor, before={"title": notice.title})
    return notice
