"""Rebuilding the aggregate tables, and reading them within a user's area.

``refresh()`` is one transaction: delete every row, then one ``INSERT … SELECT`` that
groups the program's tables by batch and regency in the database (no row of a person
ever comes into Python). Readers see either the old figures or the new ones, never a mix.
A full rebuild is fine at today's volumes; an incremental refresh per batch is the next step
(docs/decisions/0010-dashboards.md).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet, Sum

from prakerja.core import clock
from prakerja.reports import supply
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


def _tables() -> dict[str, str]:
    from prakerja.batches.models import Application, Batch, Recipient
    from prakerja.learning.models import Purchase
    from prakerja.payments.models import Entitlement
    from prakerja.registry.models import Person
    from prakerja.surveys.models import SurveyInvitation

    return {
        "figures": RegionBatchFigures._meta.db_table,
        "batch": Batch._meta.db_table,
        "application": Application._meta.db_table,
        "recipient": Recipient._meta.db_table,
        "purchase": Purchase._meta.db_table,
        "entitlement": Entitlement._meta.db_table,
        "person": Person._meta.db_table,
        "survey": SurveyInvitation._meta.db_table,
    }


def _row(**values: str) -> str:
    """One source's select list: the named columns, 0 for the others."""
    return ", ".join(f"{values.get(c, '0')} AS {c}" for c in COUNTS)


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _select(regency: str, source: str, **values: str) -> str:
    """One source of the union: batch id, regency code, the named counts (0 for the others).

    Only constants and model table names go into the text: no value from outside is ever spliced in.
    """
    batch = "a.batch_id" if regency.startswith("a.") else "r.batch_id"
    return f"SELECT {batch} AS batch_id, {regency} AS regency_code, {_row(**values)} FROM {source}"  # noqa: S608


def refresh_sql() -> str:
    t = _tables()
    recipient = f"{t['recipient']} r JOIN {t['application']} ra ON ra.id = r.application_id"

    def of_recipient(alias: str) -> str:
        return (
            f"JOIN {t['recipient']} r ON r.person_id = {alias}.person_id "
            f"JOIN {t['application']} ra ON ra.id = r.application_id"
        )

    sources = [
        # applicants and eligibility, by the regency frozen at application
        _select("a.regency_code", f"{t['application']} a", applicants="1", eligible=_flag("a.eligible")),
        # recipients, revocations and their profile (from the registry)
        _select(
            "ra.regency_code",
            f"{recipient} JOIN {t['person']} p ON p.id = r.person_id",
            recipients="1",
            revoked=_flag("r.status = 'revoked'"),
            women=_flag("p.gender = 'F'"),
            disability=_flag("p.disability"),
            former_migrant_worker=_flag("p.former_migrant_worker"),
            primary_or_less=_flag("p.education IN ('none', 'sd')"),
            unemployed=_flag("p.employment_status = 'unemployed'"),
            never_trained=_flag("NOT p.prior_training"),
        ),
        # purchases (cancelled ones do not count) and completions, on the buyer's recipient row
        _select(
            "ra.regency_code",
            f"{t['purchase']} pu {of_recipient('pu')} WHERE pu.status <> 'cancelled'",
            purchases="1",
            completions=_flag("pu.status = 'completed'"),
        ),
        # incentives paid (training and survey), in rupiah
        _select(
            "ra.regency_code",
            f"{t['entitlement']} e {of_recipient('e')} WHERE e.status = 'paid'",
            incentives_paid="e.amount",
        ),
        # people paid at least once (the open data suppresses the rupiah by this count)
        _select(
            "ra.regency_code",
            f"{recipient} WHERE EXISTS (SELECT 1 FROM {t['entitlement']} e"  # noqa: S608
            " WHERE e.person_id = r.person_id AND e.status = 'paid')",
            paid_people="1",
        ),
        # evaluation surveys answered, per wave, and their outcome
        _select(
            "ra.regency_code",
            f"{t['survey']} s {of_recipient('s')} WHERE s.answered_at IS NOT NULL",
            **{
                f"wave{w}_{k}": _flag(f"s.sequence = {w}" + (f" AND s.outcome = '{o}'" if o else ""))
                for w in (1, 2)
                for k, o in (("answers", ""), ("working", "working"), ("business", "business"))
            },
        ),
    ]
    columns = ", ".join(COUNTS)
    sums = ", ".join(f"SUM(k.{c})" for c in COUNTS)
    union = " UNION ALL ".join(sources)
    return (
        f"INSERT INTO {t['figures']} (batch_number, regency_code, province_code, {columns}) "  # noqa: S608
        f"SELECT b.number, k.regency_code, SUBSTR(k.regency_code, 1, 2), {sums} "
        f"FROM ({union}) k JOIN {t['batch']} b ON b.id = k.batch_id "
        "GROUP BY b.number, k.regency_code"
    )


def refresh() -> Freshness:
    """Rebuild the figures in one transaction and stamp the "as of" time (the start of the rebuild)."""
    as_of = clock.now()
    with transaction.atomic():
        RegionBatchFigures.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(refresh_sql())
        _stamp_years()
        supply.refresh()
        rows = RegionBatchFigures.objects.count()
        fresh, _ = Freshness.objects.update_or_create(table=TABLE, defaults={"as_of": as_of, "rows": rows})
    return fresh


def _stamp_years() -> None:
    """The year each batch opened (Asia/Jakarta): one small update per year (batches are few)."""
    from prakerja.batches.models import Batch

    years: dict[int, list[int]] = {}
    for number, opens_at in Batch.objects.values_list("number", "opens_at"):
        years.setdefault(opens_at.astimezone(clock.JAKARTA).year, []).append(number)
    for year, numbers in years.items():
        RegionBatchFigures.objects.filter(batch_number__in=numbers).update(batch_year=year)


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
