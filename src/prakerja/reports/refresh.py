"""Refreshing the dashboard figures: in full, or incrementally from the change log.

Both are one transaction each, so readers see the old figures or the new ones, never a mix, and
both work set-based in the database (no row of a person comes into Python).

**Contributions.** Every figure is a sum, over people, of what each person contributes to one
batch and regency/city (an application, being a recipient and their profile, purchases,
completions, incentives paid, survey answers). ``contributions_sql`` computes those per person
with one ``UNION ALL`` of the program's tables; ``reports_person_figures`` keeps the last result
(the snapshot), and ``reports.RegionBatchFigures`` is its sum per batch and regency.

**Full** (``full()``): recompute every contribution into the snapshot, then the figures from it.

**Incremental** (``changes()``): database triggers log the people whose rows changed
(reports.change_log). The refresh claims that log (deleting what it saw, so a change committed
afterwards stays logged for the next run), recomputes those people's contributions, and adds
``new − old`` to the figures with an upsert; then replaces their snapshot rows. Recomputing a
person is idempotent, so a person logged twice, or changed again while a refresh runs, costs a
little time and never a wrong figure. It falls back to a full rebuild when there is no baseline
(first run, or PostgreSQL emptied the unlogged snapshot after a crash), when more people changed
than a full rebuild would cost, or if a figure would go below zero (which would mean the
snapshot had drifted; the rebuild repairs it).

Refreshes exclude each other (an advisory lock on PostgreSQL; SQLite has one writer anyway).
"""

# ruff: noqa: S608 -- the SQL here is built from constants and model table names only, never from input.
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction

from prakerja.core import clock
from prakerja.reports import budget, change_log, supply
from prakerja.reports.aggregates import COUNTS, TABLE
from prakerja.reports.models import Freshness, RegionBatchFigures

log = logging.getLogger(__name__)

PENDING = change_log.PENDING
SNAPSHOT = change_log.SNAPSHOT
CLAIMED = "reports_claimed"
FRESH = "reports_fresh"
DELTA = "reports_delta"
# Above this many changed people a full rebuild is cheaper than looking each one up.
FULL_REBUILD_ABOVE = 200_000
_LOCK_KEY = 0x5052414B  # "PRAK": the advisory lock both refreshes take


@dataclass(frozen=True)
class Result:
    mode: str  # "full" or "incremental"
    people: int  # people recomputed (every contribution for a full rebuild)
    as_of: dt.datetime
    rows: int
    reason: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"mode": self.mode, "people": self.people, "rows": self.rows, "reason": self.reason}


def _tables() -> dict[str, str]:
    from prakerja.batches.models import Application, Batch, Recipient, Result
    from prakerja.learning.models import Purchase
    from prakerja.payments.models import Entitlement
    from prakerja.registry.models import Person
    from prakerja.surveys.models import SurveyInvitation

    return {
        "figures": RegionBatchFigures._meta.db_table,
        "batch": Batch._meta.db_table,
        "application": Application._meta.db_table,
        "result": Result._meta.db_table,
        "recipient": Recipient._meta.db_table,
        "purchase": Purchase._meta.db_table,
        "entitlement": Entitlement._meta.db_table,
        "person": Person._meta.db_table,
        "survey": SurveyInvitation._meta.db_table,
    }


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _select(person: str, regency: str, source: str, where: str, only_claimed: bool, **values: str) -> str:
    """One source of the union: person, batch, regency and the named counts (0 for the others).

    Only constants and model table names go into the text: no value from outside is ever spliced in.
    """
    batch = "a.batch_id" if regency.startswith("a.") else "r.batch_id"
    conditions = [c for c in (where, f"{person} IN (SELECT person_id FROM {CLAIMED})" if only_claimed else "") if c]
    counts = ", ".join(f"{values.get(c, '0')} AS {c}" for c in COUNTS)
    return f"SELECT {person} AS person_id, {batch} AS batch_id, {regency} AS regency_code, {counts} FROM {source}" + (
        f" WHERE {' AND '.join(conditions)}" if conditions else ""
    )


def contributions_sql(only_claimed: bool = False) -> str:
    """Each person's contribution per batch and regency (the regency frozen on the application)."""
    t = _tables()
    recipient = f"{t['recipient']} r JOIN {t['application']} ra ON ra.id = r.application_id"

    def of_recipient(alias: str) -> str:
        return (
            f"JOIN {t['recipient']} r ON r.person_id = {alias}.person_id "
            f"JOIN {t['application']} ra ON ra.id = r.application_id"
        )

    waves = {
        f"wave{w}_{k}": _flag(f"s.sequence = {w}" + (f" AND s.outcome = '{o}'" if o else ""))
        for w in (1, 2)
        for k, o in (("answers", ""), ("working", "working"), ("business", "business"))
    }
    sources = [
        # applicants and eligibility
        _select(
            "a.person_id",
            "a.regency_code",
            f"{t['application']} a LEFT JOIN {t['result']} res ON res.application_id = a.id",
            "",
            only_claimed,
            applicants="1",
            eligible=_flag("res.eligible"),
        ),
        # recipients, revocations and their profile (from the registry; an unknown answer never counts)
        _select(
            "r.person_id",
            "ra.regency_code",
            f"{recipient} JOIN {t['person']} p ON p.id = r.person_id",
            "",
            only_claimed,
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
            "pu.person_id",
            "ra.regency_code",
            f"{t['purchase']} pu {of_recipient('pu')}",
            "pu.status <> 'cancelled'",
            only_claimed,
            purchases="1",
            completions=_flag("pu.status = 'completed'"),
        ),
        # incentives paid (training and survey), in rupiah
        _select(
            "e.person_id",
            "ra.regency_code",
            f"{t['entitlement']} e {of_recipient('e')}",
            "e.status = 'paid'",
            only_claimed,
            incentives_paid="e.amount",
        ),
        # people paid at least once (the open data suppresses the rupiah by this count)
        _select(
            "r.person_id",
            "ra.regency_code",
            recipient,
            f"EXISTS (SELECT 1 FROM {t['entitlement']} e WHERE e.person_id = r.person_id AND e.status = 'paid')",
            only_claimed,
            paid_people="1",
        ),
        # evaluation surveys answered, per wave, and their outcome
        _select(
            "s.person_id",
            "ra.regency_code",
            f"{t['survey']} s {of_recipient('s')}",
            "s.answered_at IS NOT NULL",
            only_claimed,
            **waves,
        ),
    ]
    sums = ", ".join(f"SUM(k.{c}) AS {c}" for c in COUNTS)
    return (
        f"SELECT k.person_id, k.batch_id, k.regency_code, {sums} "
        f"FROM ({' UNION ALL '.join(sources)}) k GROUP BY k.person_id, k.batch_id, k.regency_code"
    )


def _columns() -> str:
    return ", ".join(COUNTS)


def figures_sql() -> str:
    """The figures as the sum of the snapshot per batch and regency."""
    t = _tables()
    sums = ", ".join(f"SUM(s.{c})" for c in COUNTS)
    return (
        f"INSERT INTO {t['figures']} (batch_number, regency_code, province_code, {_columns()}) "
        f"SELECT b.number, s.regency_code, SUBSTR(s.regency_code, 1, 2), {sums} "
        f"FROM {SNAPSHOT} s JOIN {t['batch']} b ON b.id = s.batch_id GROUP BY b.number, s.regency_code"
    )


def delta_sql() -> list[str]:
    """Add (new − old) contributions of the claimed people to the figures, creating rows as needed.

    An update of the rows that exist, then an insert of the new ones, rather than one upsert: both
    databases check a row's CHECK constraints (no count below zero) before they look for a conflict,
    so an upsert would refuse a negative change to an existing row."""
    t = _tables()
    negated = ", ".join(f"-o.{c}" for c in COUNTS)
    sums = ", ".join(f"SUM(d.{c}) AS {c}" for c in COUNTS)
    updates = ", ".join(f"{c} = {t['figures']}.{c} + x.{c}" for c in COUNTS)
    same = f"{t['figures']}.batch_number = x.batch_number AND {t['figures']}.regency_code = x.regency_code"
    return [
        f"CREATE TEMP TABLE {DELTA} AS SELECT b.number AS batch_number, d.regency_code, {sums} FROM ("
        f"SELECT batch_id, regency_code, {_columns()} FROM {FRESH} "
        f"UNION ALL SELECT o.batch_id, o.regency_code, {negated} FROM {SNAPSHOT} o "
        f"WHERE o.person_id IN (SELECT person_id FROM {CLAIMED})"
        f") d JOIN {t['batch']} b ON b.id = d.batch_id GROUP BY b.number, d.regency_code",
        f"UPDATE {t['figures']} SET {updates} FROM {DELTA} x WHERE {same}",
        f"INSERT INTO {t['figures']} (batch_number, regency_code, province_code, {_columns()}) "
        f"SELECT x.batch_number, x.regency_code, SUBSTR(x.regency_code, 1, 2), {_columns()} FROM {DELTA} x "
        f"WHERE NOT EXISTS (SELECT 1 FROM {t['figures']} WHERE {same})",
    ]


# --- the two refreshes ----------------------------------------------------------------------------------------


def full() -> Result:
    """Rebuild the snapshot and the figures from the program's tables."""
    as_of = clock.now()
    with transaction.atomic():
        _lock()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {PENDING}")  # claim the whole log: this rebuild covers it
        return _rebuild(as_of, reason="")


def changes() -> Result:
    """Apply the changes logged since the last refresh; a full rebuild when that is cheaper or needed."""
    as_of = clock.now()
    with transaction.atomic():
        _lock()
        missing = _no_baseline()
        if missing:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {PENDING}")
            return _rebuild(as_of, reason=missing)
        people = _claim()
        if _claimed_everyone():
            return _rebuild(as_of, reason="bulk write")
        if people > FULL_REBUILD_ABOVE:
            return _rebuild(as_of, reason=f"{people} people changed")
        if people:
            try:
                with transaction.atomic():
                    _apply_claimed()
            except IntegrityError:
                # A figure would go below zero: the snapshot no longer matches the figures. Start again.
                log.warning("dashboard figures drifted from their snapshot; rebuilding them in full")
                return _rebuild(as_of, reason="drift")
        _drop_work_tables()
        return _finish(as_of, "incremental", people, reason="")


def _rebuild(as_of: dt.datetime, reason: str) -> Result:
    _drop_work_tables()
    t = _tables()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {SNAPSHOT}" if connection.vendor == "postgresql" else f"DELETE FROM {SNAPSHOT}")
        cols = f"person_id, batch_id, regency_code, {_columns()}"
        cursor.execute(f"INSERT INTO {SNAPSHOT} ({cols}) {contributions_sql()}")
        people = cursor.rowcount
        cursor.execute(f"DELETE FROM {t['figures']}")
        cursor.execute(figures_sql())
    return _finish(as_of, "full", max(people, 0), reason=reason)


def _apply_claimed() -> None:
    t = _tables()
    cols = f"person_id, batch_id, regency_code, {_columns()}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE {FRESH} AS {contributions_sql(only_claimed=True)}")
        for sql in delta_sql():
            cursor.execute(sql)
        cursor.execute(f"DELETE FROM {SNAPSHOT} WHERE person_id IN (SELECT person_id FROM {CLAIMED})")
        cursor.execute(f"INSERT INTO {SNAPSHOT} ({cols}) SELECT {cols} FROM {FRESH}")
        # A batch and regency left with no applicant counts nothing at all (every figure needs an application).
        cursor.execute(f"DELETE FROM {t['figures']} WHERE applicants = 0")


def _finish(as_of: dt.datetime, mode: str, people: int, reason: str) -> Result:
    _stamp_years()
    supply.refresh()
    budget.refresh(full=mode == "full")
    rows = RegionBatchFigures.objects.count()
    Freshness.objects.update_or_create(table=TABLE, defaults={"as_of": as_of, "rows": rows})
    return Result(mode=mode, people=people, as_of=as_of, rows=rows, reason=reason)


def _stamp_years() -> None:
    """The year each batch opened (Asia/Jakarta): one small update per year (batches are few)."""
    from prakerja.batches.models import Batch

    years: dict[int, list[int]] = {}
    for number, opens_at in Batch.objects.values_list("number", "opens_at"):
        years.setdefault(opens_at.astimezone(clock.JAKARTA).year, []).append(number)
    for year, numbers in years.items():
        RegionBatchFigures.objects.filter(batch_number__in=numbers).exclude(batch_year=year).update(batch_year=year)


# --- helpers -------------------------------------------------------------------------------------------------


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _no_baseline() -> str:
    """Why an incremental refresh cannot start from what is stored ("" when it can)."""
    if not Freshness.objects.filter(table=TABLE).exists():
        return "no baseline"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {SNAPSHOT})")
        has_snapshot = bool(cursor.fetchone()[0])
    if not has_snapshot and RegionBatchFigures.objects.exists():
        return "snapshot lost"
    return ""


def _claim() -> int:
    """Move the logged people into a temporary table, deleting exactly the log rows read; their count."""
    _drop_work_tables()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TEMP TABLE {CLAIMED} (person_id bigint PRIMARY KEY) ON COMMIT DROP")
            cursor.execute(
                f"WITH gone AS (DELETE FROM {PENDING} RETURNING person_id) "
                f"INSERT INTO {CLAIMED} SELECT DISTINCT person_id FROM gone"
            )
            people = cursor.rowcount
            cursor.execute(f"ANALYZE {CLAIMED}")  # a temporary table has no statistics otherwise
            return people
        cursor.execute(f"CREATE TEMP TABLE {CLAIMED} (person_id integer PRIMARY KEY)")
        cursor.execute(f"DELETE FROM {PENDING} RETURNING person_id")
        ids = {row[0] for row in cursor.fetchall()}
        cursor.executemany(f"INSERT INTO {CLAIMED} (person_id) VALUES (%s)", [(i,) for i in ids])
        return len(ids)


def _claimed_everyone() -> bool:
    """A bulk writer noted everyone (change_log.bulk_write) instead of each person."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {CLAIMED} WHERE person_id = %s)", [change_log.EVERYONE])
        return bool(cursor.fetchone()[0])


def _drop_work_tables() -> None:
    with connection.cursor() as cursor:
        for table in (CLAIMED, FRESH, DELTA):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
