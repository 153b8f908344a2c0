"""The regions' own budgets (APBD) for manpower affairs: the rules of an entry, the share of the total, and
the comparison with the other regions at the same level (provinces with provinces, regencies/cities with
regencies/cities) in the same year.

Shares are exact fractions until they are shown (percent to two decimals). The comparison is the *median*
of the other regions' shares (robust to one region's unusual year), with how many regions it is taken over.
It is withheld when fewer than ``MIN_PEERS`` other regions entered that year: the median of one region is
that region's own figure, and an officer sees only their own area's figures.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db.models.functions import Length

FIRST_YEAR = 2000
MAX_RUPIAH = 10**15  # a thousand trillion rupiah: far above any APBD, far inside a 64-bit column
MIN_PEERS = 3


def level(region_code: str) -> str:
    return "province" if len(region_code) == 2 else "regency"


def problems(year: int, manpower: int, total: int, this_year: int) -> list[tuple[str, str]]:
    """(field, reason) for each rule an entry breaks; reasons: year, positive, too_large, within_total."""
    found = []
    if not FIRST_YEAR <= year <= this_year + 1:
        found.append(("year", "year"))
    for field, value in (("manpower", manpower), ("total", total)):
        if value <= 0:
            found.append((field, "positive"))
        elif value > MAX_RUPIAH:
            found.append((field, "too_large"))
    if 0 < total and 0 < manpower and manpower > total:
        found.append(("manpower", "within_total"))
    return found


def share(manpower: int, total: int) -> Fraction:
    return Fraction(manpower, total)


def percent(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value * 100), 2)


def median(shares: list[Fraction]) -> Fraction | None:
    return statistics.median(shares) if shares else None


@dataclass(frozen=True)
class Comparison:
    """One year of a region: its share, and the median share of the other regions at its level."""

    year: int
    manpower: int
    total: int
    share: Fraction
    peers: int  # how many other regions at the same level entered that year
    peer_median: Fraction | None  # None when fewer than MIN_PEERS

    @property
    def share_percent(self) -> float | None:
        return percent(self.share)

    @property
    def median_percent(self) -> float | None:
        return percent(self.peer_median)


def _same_level(region_code: str) -> Any:
    from prakerja.reports.models import RegionalBudget

    return RegionalBudget.objects.annotate(code_length=Length("region_code")).filter(code_length=len(region_code))


def comparison(region_code: str) -> list[Comparison]:
    """Every year the region entered, newest first, beside the other regions' median share that year."""
    from prakerja.reports.models import RegionalBudget

    own = list(RegionalBudget.objects.filter(region_code=region_code).order_by("-year"))
    others: dict[int, list[Fraction]] = {}
    rows = _same_level(region_code).filter(year__in=[b.year for b in own]).exclude(region_code=region_code)
    for year, manpower, total in rows.values_list("year", "manpower", "total"):
        others.setdefault(year, []).append(share(manpower, total))
    out = []
    for b in own:
        peers = others.get(b.year, [])
        out.append(
            Comparison(
                year=b.year,
                manpower=b.manpower,
                total=b.total,
                share=share(b.manpower, b.total),
                peers=len(peers),
                peer_median=median(peers) if len(peers) >= MIN_PEERS else None,
            )
        )
    return out


def national() -> dict[str, Any]:
    """Every entry with its share (newest year first, provinces before regencies/cities), and per year and
    level the median share over all the regions that entered and how many they are."""
    from prakerja.reports import aggregates
    from prakerja.reports.models import RegionalBudget

    entries = list(
        RegionalBudget.objects.annotate(code_length=Length("region_code"))
        .order_by("-year", "code_length", "region_code")
        .values("region_code", "year", "manpower", "total", "entered_at")
    )
    names = aggregates.region_names(e["region_code"] for e in entries)
    groups: dict[tuple[int, str], list[Fraction]] = {}
    rows = []
    for e in entries:
        value = share(e["manpower"], e["total"])
        groups.setdefault((e["year"], level(e["region_code"])), []).append(value)
        rows.append(
            e
            | {
                "name": names.get(e["region_code"], ""),
                "level": level(e["region_code"]),
                "share_percent": percent(value),
            }
        )
    medians = [
        {"year": year, "level": lvl, "regions": len(values), "median_percent": percent(median(values))}
        for (year, lvl), values in sorted(groups.items(), key=lambda kv: (-kv[0][0], kv[0][1] != "province"))
    ]
    return {"rows": rows, "medians": medians}
