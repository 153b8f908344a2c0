"""Reading the aggregate tables within a user's area, and the open data.

The tables are filled by ``reports.refresh`` (in full, or incrementally from the change log the
database keeps); ``refresh()`` and ``refresh_changes()`` here are its entry points.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Sum

from prakerja.reports.models import Freshness, RegionBatchFigures

TABLE = "region_batch_figures"

# Count columns, in the order of the table; "incentives_paid" is rupiah, every other one counts people.
COUNTS = (
    "applicants",
    "eligible",
    "recipients",
    "revoked",
    "purchases",
    "completions",
    "incentives_paid",
    "paid_people",
    "women",
    "disability",
    "former_migrant_worker",
    "primary_or_less",
    "unemployed",
    "never_trained",
    "wave1_answers",
    "wave1_working",
    "wave1_business",
    "wave2_answers",
    "wave2_working",
    "wave2_business",
)
PROFILE = ("women", "disability", "former_migrant_worker", "primary_or_less", "unemployed", "never_trained")


def refresh() -> Freshness:
    """Rebuild every figure from the program's tables (reports.refresh.full); the new "as of" row."""
    from prakerja.reports import refresh as rebuild

    rebuild.full()
    return Freshness.objects.get(table=TABLE)


def refresh_changes() -> dict[str, object]:
    """Apply the changes logged since the last refresh (reports.refresh.changes): mode, people, rows."""
    from prakerja.reports import refresh as rebuild

    return rebuild.changes().as_dict()


def as_of() -> dt.datetime | None:
    fresh = Freshness.objects.filter(table=TABLE).first()
    return fresh.as_of if fresh else None


# --- reading ------------------------------------------------------------------------------------------------


def scoped(scope: str) -> QuerySet[RegionBatchFigures]:
    """The figures inside an area: "" the country, 2 digits a province, 4 a regency/city."""
    rows = RegionBatchFigures.objects.all()
    if not scope:
        return rows
    if len(scope) == 2:
        return rows.filter(province_code=scope)
    return rows.filter(regency_code=scope)


def _sums() -> dict[str, Any]:
    return {c: Sum(c) for c in COUNTS}


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v or 0) if k in COUNTS else v for k, v in row.items()}


def totals(rows: QuerySet[RegionBatchFigures]) -> dict[str, int]:
    return _clean(rows.aggregate(**_sums()))


def by(rows: QuerySet[RegionBatchFigures], key: str) -> list[dict[str, Any]]:
    """Sums grouped by ``key`` (province_code, regency_code, batch_number or batch_year), ordered by it."""
    return [_clean(r) for r in rows.values(key).annotate(**_sums()).order_by(key)]


@dataclass(frozen=True)
class Share:
    key: str
    count: int
    of: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.count / self.of, 1) if self.of else None


def shares(total: dict[str, int]) -> list[Share]:
    """The recipient profile as shares of all recipients."""
    return [Share(k, total[k], total["recipients"]) for k in PROFILE]


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """The 95% Wilson score interval of a proportion (good for small samples and shares near 0 or 1)."""
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Outcome:
    """One survey wave: sample size, shares working / running a business, and the 95% CI of either."""

    wave: int
    answers: int
    working: int
    business: int

    def _pct(self, count: int) -> float | None:
        return round(100 * count / self.answers, 1) if self.answers else None

    @property
    def working_pct(self) -> float | None:
        return self._pct(self.working)

    @property
    def business_pct(self) -> float | None:
        return self._pct(self.business)

    @property
    def either_pct(self) -> float | None:
        return self._pct(self.working + self.business)

    @property
    def ci(self) -> tuple[float, float] | None:
        interval = wilson(self.working + self.business, self.answers)
        return (round(100 * interval[0], 1), round(100 * interval[1], 1)) if interval else None


def outcomes(total: dict[str, int]) -> list[Outcome]:
    return [
        Outcome(w, total[f"wave{w}_answers"], total[f"wave{w}_working"], total[f"wave{w}_business"]) for w in (1, 2)
    ]


def region_names(codes: Iterable[str]) -> dict[str, str]:
    from prakerja.regions.models import Province, Regency

    codes = set(codes)
    names = {p.code: p.name for p in Province.objects.filter(code__in=[c for c in codes if len(c) == 2])}
    names |= {r.code: r.name for r in Regency.objects.filter(code__in=[c for c in codes if len(c) == 4])}
    return names


# --- open data ----------------------------------------------------------------------------------------------

SMALL_CELL = 10
OPEN_COUNTS = (
    "applicants",
    "eligible",
    "recipients",
    "revoked",
    "purchases",
    "completions",
    "incentives_paid",
    *PROFILE,
)


def suppress(row: dict[str, Any]) -> dict[str, Any]:
    """Every count under 10 people becomes None; the rupiah paid goes with the number of people paid."""
    out = {k: v for k, v in row.items() if k not in COUNTS}
    for c in OPEN_COUNTS:
        people = row["paid_people"] if c == "incentives_paid" else row[c]
        out[c] = row[c] if people >= SMALL_CELL else None
    return out


def open_data() -> list[dict[str, Any]]:
    """Per province only, small cells suppressed; no national total (it would give a lone suppressed cell away)."""
    rows = by(RegionBatchFigures.objects.all(), "province_code")
    names = region_names(r["province_code"] for r in rows)
    return [suppress(r) | {"province_name": names.get(r["province_code"], "")} for r in rows]
