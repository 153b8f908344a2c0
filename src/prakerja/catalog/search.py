"""Catalog search, shared by the web pages and the API.

Three queries whatever the page size: the count, one page of programs (with their institution),
and the open classes of that page's programs aggregated per program — no query per row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Min, Q, QuerySet

from prakerja.catalog.models import Institution, Program, TrainingClass
from prakerja.catalog.rules import CATEGORIES, FACE_TO_FACE, MODES
from prakerja.core import clock

PAGE_SIZE = 20
SORTS = {
    "rating": ("-rating_x100", "-rating_count", "id"),
    "price": ("price", "id"),
    "-price": ("-price", "id"),
    "hours": ("-hours", "id"),
    "newest": ("-decided_at", "-id"),
}


@dataclass
class Filters:
    mode: str = ""
    category: str = ""
    province: str = ""
    regency: str = ""
    max_price: int | None = None
    min_hours: int | None = None
    min_rating: float | None = None
    q: str = ""
    sort: str = "rating"
    page: int = 1

    @classmethod
    def from_query(cls, params: Any) -> Filters:
        """From a query string (web or API); values that make no sense are ignored, not errors,
        so a shared or hand-edited link still shows a catalog."""

        def number(name: str, kind: type = int, most: float = 10**12) -> Any:
            try:
                value = kind(params.get(name, "") or "")
            except (ValueError, OverflowError):
                return None
            # Finite, not negative, and small enough for any database column.
            return value if value == value and 0 <= value <= most else None

        mode = params.get("mode", "")
        category = params.get("category", "")
        sort = params.get("sort", "rating")
        return cls(
            mode=mode if mode in MODES else "",
            category=category if category in CATEGORIES else "",
            province=str(params.get("province", ""))[:2] if str(params.get("province", "")).isdigit() else "",
            regency=str(params.get("regency", ""))[:4] if str(params.get("regency", "")).isdigit() else "",
            max_price=number("max_price"),
            min_hours=number("min_hours"),
            min_rating=number("min_rating", float, 5),
            q=str(params.get("q", "")).replace("\x00", "").strip()[:100],
            sort=sort if sort in SORTS else "rating",
            page=max(number("page", int, 100_000) or 1, 1),
        )


@dataclass
class Result:
    programs: list[Program]
    total: int
    page: int
    pages: int
    filters: Filters
    open_classes: dict[int, dict[str, Any]] = field(default_factory=dict)


def approved() -> QuerySet[Program]:
    return Program.objects.filter(status=Program.Status.APPROVED, institution__status=Institution.Status.ACTIVE)


def filtered(f: Filters) -> QuerySet[Program]:
    qs = approved()
    if f.mode:
        qs = qs.filter(mode=f.mode)
    if f.category:
        qs = qs.filter(category=f.category)
    # A place only means something for training given face to face.
    if f.regency:
        qs = qs.filter(regency_code=f.regency, mode__in=FACE_TO_FACE)
    elif f.province:
        qs = qs.filter(province_code=f.province, mode__in=FACE_TO_FACE)
    if f.max_price is not None:
        qs = qs.filter(price__lte=f.max_price)
    if f.min_hours is not None:
        qs = qs.filter(hours__gte=f.min_hours)
    if f.min_rating is not None:
        qs = qs.filter(rating_x100__gte=int(f.min_rating * 100))
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(competencies__icontains=f.q))
    return qs


def open_classes() -> QuerySet[TrainingClass]:
    return TrainingClass.objects.filter(
        status=TrainingClass.Status.OPEN, enrollment_closes_at__gt=clock.now(), seats_taken__lt=F("capacity")
    )


def search(f: Filters) -> Result:
    qs = filtered(f)
    total = qs.count()
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(f.page, pages)
    start = (page - 1) * PAGE_SIZE
    programs = list(qs.select_related("institution").order_by(*SORTS[f.sort])[start : start + PAGE_SIZE])
    summary = (
        open_classes()
        .filter(program_id__in=[p.pk for p in programs])
        .values("program_id")
        .annotate(count=Count("id"), next_start=Min("starts_at"))
    )
    return Result(
        programs=programs,
        total=total,
        page=page,
        pages=pages,
        filters=f,
        open_classes={row["program_id"]: row for row in summary},
    )


def classes_of(program: Program) -> list[TrainingClass]:
    """A program's classes still open for enrollment, soonest first, with sessions and venue."""
    return list(
        open_classes()
        .filter(program=program)
        .select_related("venue", "venue__district")
        .prefetch_related("sessions")
        .order_by("starts_at")[:50]
    )


def next_start(result: Result, program: Program) -> dt.datetime | None:
    row = result.open_classes.get(program.pk)
    return row["next_start"] if row else None
