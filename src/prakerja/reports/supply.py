"""Training supply by mode and area (``reports.SupplyFigures``): approved programs of active institutions
with classes open for enrolment, those classes, their free seats and the sum of those programs' prices.
Rebuilt with the other figures (``reports.refresh``), inside its transaction; catalogue tables are small,
so a full rebuild is always cheap."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum

from prakerja.reports.models import SupplyFigures

ONLINE_MODES = ("webinar", "self_paced")
# Everything else is given in a place: offline and blended ("luring", "bauran").
FACE_TO_FACE = ("offline", "blended")


def refresh() -> None:
    """Open classes of approved programs of active institutions, grouped by mode and area in the database.

    Steps: (1) classes, programs and free seats per mode and regency/city; (2) the prices of the same
    programs (each program once: summed over programs, not over their classes) per mode and regency/city;
    (3) online modes are merged into one national row (empty regency); (4) the table is replaced.
    """
    from prakerja.catalog import search
    from prakerja.catalog.models import Program

    open_classes = search.open_classes().filter(program__status="approved", program__institution__status="active")
    grouped = open_classes.values("program__mode", "program__regency_code").annotate(
        programs=Count("program", distinct=True),
        classes=Count("id"),
        seats=Sum(F("capacity") - F("seats_taken")),
    )
    prices = (
        Program.objects.filter(Exists(open_classes.filter(program_id=OuterRef("pk"))))
        .values("mode", "regency_code")
        .annotate(price_sum=Sum("price"))
        .order_by()
    )
    merged: dict[tuple[str, str], list[int]] = {}

    def cell(mode: str, regency: str | None) -> list[int]:
        return merged.setdefault((mode, "" if mode in ONLINE_MODES else (regency or "")), [0, 0, 0, 0])

    for row in grouped:
        c = cell(row["program__mode"], row["program__regency_code"])
        c[0] += row["programs"]
        c[1] += row["classes"]
        c[2] += row["seats"] or 0
    for row in prices:
        cell(row["mode"], row["regency_code"])[3] += row["price_sum"] or 0
    SupplyFigures.objects.all().delete()
    SupplyFigures.objects.bulk_create(
        SupplyFigures(
            mode=mode,
            regency_code=regency,
            province_code=regency[:2],
            programs=programs,
            open_classes=classes,
            open_seats=seats,
            price_sum=price_sum,
        )
        for (mode, regency), (programs, classes, seats, price_sum) in merged.items()
    )


def _area(rows: QuerySet[SupplyFigures], scope: str) -> QuerySet[SupplyFigures]:
    if not scope:
        return rows
    return rows.filter(province_code=scope) if len(scope) == 2 else rows.filter(regency_code=scope)


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


def face_to_face_by_regency(scope: str) -> dict[str, dict[str, int]]:
    """Offline and blended supply per regency/city inside an area: programs, classes and free seats of each."""
    rows = _area(SupplyFigures.objects.filter(mode__in=FACE_TO_FACE).exclude(regency_code=""), scope)
    out: dict[str, dict[str, int]] = {}
    for r in rows.values("regency_code", "mode", "programs", "open_classes", "open_seats"):
        cell = out.setdefault(
            r["regency_code"],
            {k: 0 for m in FACE_TO_FACE for k in (f"{m}_programs", f"{m}_classes", f"{m}_seats")},
        )
        cell[f"{r['mode']}_programs"] += r["programs"]
        cell[f"{r['mode']}_classes"] += r["open_classes"]
        cell[f"{r['mode']}_seats"] += r["open_seats"]
    return out


def average_price(scope: str) -> tuple[int | None, str]:
    """The average price (whole rupiah, rounded half up) of the approved offline and blended programs with a
    class open for enrolment inside an area, and where it came from: ``"area"``; ``"national"`` when the area
    has none (or for the national view); ``(None, "")`` when there are none anywhere."""
    face_to_face = SupplyFigures.objects.filter(mode__in=FACE_TO_FACE)
    for source, rows in (("area", _area(face_to_face, scope) if scope else None), ("national", face_to_face)):
        if rows is None:
            continue
        sums = rows.aggregate(programs=Sum("programs"), prices=Sum("price_sum"))
        programs, prices = sums["programs"] or 0, sums["prices"] or 0
        if programs:
            return (2 * prices + programs) // (2 * programs), source
    return None, ""
