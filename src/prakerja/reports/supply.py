"""Training supply by mode and area (``reports.SupplyFigures``): approved programs of active institutions
with classes open for enrolment, those classes and their free seats. Rebuilt with the other figures
(``reports.aggregates.refresh``), inside its transaction; catalogue tables are small, so a full rebuild
is always cheap."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, Sum

from prakerja.reports.models import SupplyFigures

ONLINE_MODES = ("webinar", "self_paced")


def refresh() -> None:
    """Open classes of approved programs of active institutions, grouped by mode and area in the database."""
    from prakerja.catalog import search

    grouped = (
        search.open_classes()
        .filter(program__status="approved", program__institution__status="active")
        .values("program__mode", "program__regency_code")
        .annotate(
            programs=Count("program", distinct=True),
            classes=Count("id"),
            seats=Sum(F("capacity") - F("seats_taken")),
        )
    )
    merged: dict[tuple[str, str], list[int]] = {}
    for row in grouped:
        mode = row["program__mode"]
        regency = "" if mode in ONLINE_MODES else (row["program__regency_code"] or "")
        cell = merged.setdefault((mode, regency), [0, 0, 0])
        cell[0] += row["programs"]
        cell[1] += row["classes"]
        cell[2] += row["seats"] or 0
    SupplyFigures.objects.all().delete()
    SupplyFigures.objects.bulk_create(
        SupplyFigures(
            mode=mode,
            regency_code=regency,
            province_code=regency[:2],
            programs=programs,
            open_classes=classes,
            open_seats=seats,
        )
        for (mode, regency), (programs, classes, seats) in merged.items()
    )


def in_area(scope: str) -> list[dict[str, Any]]:
    """Supply by mode inside an area; online modes are national and shown to everyone."""
    rows = SupplyFigures.objects.all()
    if scope:
        area = Q(province_code=scope) if len(scope) == 2 else Q(regency_code=scope)
        rows = rows.filter(area | Q(regency_code=""))
    return list(
        rows.values("mode")
        .annotate(programs=Sum("programs"), open_classes=Sum("open_classes"), open_seats=Sum("open_seats"))
        .order_by("mode")
    )
