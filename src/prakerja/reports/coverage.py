"""Offline coverage inside an area, from the aggregate tables only (``SupplyFigures`` and
``RegionBatchFigures``): face-to-face supply (offline and blended) per regency/city, the regions with none,
and the demand on it — active recipients per free offline or blended seat.

* Every regency/city of the area is listed (from ``regions.Regency``, 514 in the country), so a place with
  no class at all shows as such instead of missing.
* "No offline training" means no approved offline or blended class open for enrolment (an open class always
  has a free seat, so it is the same as no free seat).
* Active recipients are the recipients of every batch less the revoked ones, by the regency frozen on their
  application. Recipients per seat is active recipients ÷ free seats, to one decimal; with no seat it is
  ``None`` (shown as "no seats"), never a division by zero or an infinity.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from prakerja.reports import aggregates, supply

SEAT_COLUMNS = ("offline_programs", "offline_classes", "offline_seats", "blended_programs", "blended_classes")
COLUMNS = (*SEAT_COLUMNS, "blended_seats", "seats", "active_recipients")


def per_seat(active: int, seats: int) -> float | None:
    """Active recipients per free seat, to one decimal (half up, computed exactly); None when there is no seat."""
    if seats <= 0:
        return None
    return float((Decimal(active) / Decimal(seats)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    row["seats"] = row["offline_seats"] + row["blended_seats"]
    row["per_seat"] = per_seat(row["active_recipients"], row["seats"])
    row["no_offline"] = row["offline_classes"] + row["blended_classes"] == 0
    return row


def regencies(scope: str) -> list[dict[str, Any]]:
    """One row per regency/city inside the area (national: all), ordered by code."""
    from prakerja.regions.models import Regency

    places = Regency.objects.all()
    if scope:
        places = places.filter(province_id=scope) if len(scope) == 2 else places.filter(code=scope)
    names = dict(places.values_list("code", "name"))
    offered = supply.face_to_face_by_regency(scope)
    demand = {
        r["regency_code"]: r["recipients"] - r["revoked"]
        for r in aggregates.by(aggregates.scoped(scope), "regency_code")
    }
    out = []
    # A code in the figures but no longer in the list of regions still counts (its name is unknown).
    for code in sorted(set(names) | set(offered) | set(demand)):
        row: dict[str, Any] = {"code": code, "name": names.get(code, ""), "province_code": code[:2]}
        row |= {k: 0 for k in (*SEAT_COLUMNS, "blended_seats")} | offered.get(code, {})
        row["active_recipients"] = demand.get(code, 0)
        out.append(_finish(row))
    return out


def provinces(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The regency rows summed per province (every province listed), for the national view."""
    from prakerja.regions.models import Province

    names = dict(Province.objects.values_list("code", "name"))
    sums: dict[str, dict[str, Any]] = {
        code: {"code": code, "name": name} | {k: 0 for k in (*SEAT_COLUMNS, "blended_seats", "active_recipients")}
        for code, name in names.items()
    }
    for r in rows:
        cell = sums.setdefault(
            r["province_code"],
            {"code": r["province_code"], "name": ""}
            | {k: 0 for k in (*SEAT_COLUMNS, "blended_seats", "active_recipients")},
        )
        for k in (*SEAT_COLUMNS, "blended_seats", "active_recipients"):
            cell[k] += r[k]
    return [_finish(sums[code]) for code in sorted(sums)]


def without_offline(scope: str, rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The provinces and regencies/cities inside the area with no offline or blended class open.

    A province is listed only when it lies inside the area (the national view, or its own officer).
    """
    listed_provinces = provinces(rows) if len(scope) != 4 else []
    return {
        "provinces": [
            {"code": p["code"], "name": p["name"]}
            for p in listed_provinces
            if p["no_offline"] and (not scope or p["code"] == scope)
        ],
        "regencies": [{"code": r["code"], "name": r["name"]} for r in rows if r["no_offline"]],
    }
