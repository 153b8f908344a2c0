"""Selection: one set-based pass over a closed batch's applications.

Steps, all in SQL over the facts frozen at application, inside one transaction
(an interrupted selection leaves nothing behind and can be run again):

1. Re-check the rules that can change after applying, at the closing date:
   age (two birth-date bounds), already a recipient, revoked, formal education,
   excluded occupation.
2. Family-card cap: per KK, rank the eligible applicants by (tier, draw); the
   cap minus the card's earlier recipients is how many of them stay eligible;
   the rest get ``KK_QUOTA_REACHED``.
3. Quotas: one national pool, or per province / regency, from the batch's
   fixed table or proportional to the eligible applicants of step 2
   (largest remainder, so the parts add up to the total).
4. Within each region, rank by priority tier (a program setting) and then by
   the seeded draw ``md5(seed || token)``; the first ``quota`` are selected,
   the others get ``QUOTA_FILLED_IN_REGION``.
5. Insert every application's result (status, eligibility, tier, rank, reason) into the narrow
   ``batches_result`` table in one INSERT, in id order (the applications themselves are never
   rewritten; the dashboards' change log notes the whole batch once), and store an audit digest:
   SHA-256 of the parameters and the ordered inputs and outputs. The same data and seed always give
   the same results and digest.

Family cards are compared by their keyed blind index (``kk_index``, core.pii),
never by the number: equal cards have equal indexes. Selections made before
the numbers were encrypted hashed the plain number into their digest; their
parameters say so (no ``family_card`` key), and a verification of such a
batch hashes the person's decrypted card number instead, so its old digest
still reproduces.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection

from prakerja.batches import eligibility
from prakerja.batches.models import Application, Batch, RegionQuota
from prakerja.batches.quotas import largest_remainder
from prakerja.reports import change_log


@dataclass(frozen=True)
class Params:
    seed: str
    earliest_birth: str
    latest_birth: str
    excluded_occupations: tuple[str, ...]
    kk_cap: int
    tiers: tuple[dict[str, list[Any]], ...]
    allocation: str
    # Only recipients named (and revocations made) before this instant count: a replay later,
    # after this and other batches named people, sees what the selection saw.
    cutoff: str
    # What the digest hashes for the family card: its blind index, or (selections made before the
    # numbers were encrypted) the number itself.
    family_card: str = "kk_index"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Params:
        earliest, latest = data["birth_date_bounds"]
        return cls(
            seed=data["seed"],
            earliest_birth=earliest,
            latest_birth=latest,
            excluded_occupations=tuple(data["excluded_occupations"]),
            kk_cap=data["kk_recipient_cap"],
            tiers=tuple(data["tiers"]),
            allocation=data["allocation"],
            cutoff=data["cutoff"],
            family_card=data.get("family_card", "kk_number"),
        )

    def as_json(self) -> dict[str, Any]:
        data = {
            "seed": self.seed,
            "birth_date_bounds": [self.earliest_birth, self.latest_birth],
            "excluded_occupations": list(self.excluded_occupations),
            "kk_recipient_cap": self.kk_cap,
            "tiers": list(self.tiers),
            "allocation": self.allocation,
            "cutoff": self.cutoff,
        }
        if self.family_card != "kk_number":  # absent from the parameters of older selections: same JSON, same digest
            data["family_card"] = self.family_card
        return data


def params_for(batch: Batch, rules: eligibility.Rules, tiers: list[dict[str, list[Any]]]) -> Params:
    from prakerja.core.clock import JAKARTA, now

    on = batch.closes_at.astimezone(JAKARTA).date()
    earliest, latest = eligibility.birth_date_bounds(on, rules)
    return Params(
        seed=batch.seed,
        earliest_birth=earliest.isoformat(),
        latest_birth=latest.isoformat(),
        excluded_occupations=tuple(rules.excluded_occupations),
        kk_cap=rules.kk_recipient_cap,
        tiers=tuple(tiers),
        allocation=batch.allocation,
        cutoff=now().isoformat(),
    )


def _region_expr(allocation: str) -> str:
    return {
        Batch.Allocation.NATIONAL: "''",
        Batch.Allocation.PROVINCE: "substr(a.regency_code, 1, 2)",
        Batch.Allocation.REGENCY: "a.regency_code",
    }[Batch.Allocation(allocation)]


def _draw_expr() -> str:
    """The seeded draw. PostgreSQL sorts it bytewise (``COLLATE "C"``: ``memcmp`` on the hex digits, the
    same order as the locale's for lowercase hex, a third of a sort's time). Not as a ``uuid``: parsing a
    million of them cost half as much again as the md5s themselves."""
    if connection.vendor == "postgresql":
        return 'md5(%s || a.token) COLLATE "C"'
    return "md5(%s || a.token)"


def _bytewise() -> str:
    """Family cards are grouped by their blind index (hex): byte order groups them as well as the locale, faster."""
    return ' COLLATE "C"' if connection.vendor == "postgresql" else ""


# A row frame: the numbering is the same, and PostgreSQL (before 16) then stops comparing each row with
# the previous one to find ties in the order, a fifth of each window's time.
_ROWS = "ROWS UNBOUNDED PRECEDING"


def _pool_query(batch: Batch, p: Params) -> tuple[str, list[Any]]:
    """Steps 1-2 as one query: each application's region, tier, draw, failing rule, family room."""
    args: list[Any] = []
    tier_sql = []
    for number, tier in enumerate(p.tiers, start=1):
        conditions = []
        for field, values in tier.items():
            if field not in ("employment_status", "prior_training"):
                raise ValueError(f"unknown tier field {field!r}")
            conditions.append(f"a.{field} IN ({', '.join(['%s'] * len(values))})")
            args += values
        tier_sql.append(f"WHEN {' AND '.join(conditions) or 'TRUE'} THEN {number}")
    tier_case = f"CASE {' '.join(tier_sql)} ELSE {len(p.tiers) + 1} END" if tier_sql else "1"
    occupations = ", ".join(["%s"] * len(p.excluded_occupations)) or "NULL"
    sql = f"""
    WITH base AS (
        SELECT a.id, a.kk_index, {_region_expr(p.allocation)} AS region, {tier_case} AS tier,
               {_draw_expr()} AS draw,
               CASE
                 WHEN a.birth_date < %s OR a.birth_date > %s THEN 'AGE_OUT_OF_RANGE'
                 WHEN r.status = 'revoked' AND r.revoked_at < %s THEN 'REVOKED'
                 WHEN a.prior_recipient OR r.id IS NOT NULL THEN 'ALREADY_RECIPIENT'
                 WHEN a.in_formal_education THEN 'IN_FORMAL_EDUCATION'
                 WHEN a.occupation IN ({occupations}) THEN 'EXCLUDED_OCCUPATION'
               END AS fail
        FROM batches_application a
        LEFT JOIN batches_recipient r ON r.person_id = a.person_id AND r.named_at < %s
        WHERE a.batch_id = %s
    ),
    kk_used AS (
        -- Places a family card already holds: recipients named before this selection, and winners of
        -- other batches selected before it whose cards were not issued yet (announced later, or never).
        SELECT kk_index, COUNT(*) AS used FROM (
            SELECT kk_index FROM batches_recipient WHERE named_at < %s
            UNION ALL
            SELECT o.kk_index FROM batches_application o
            JOIN batches_result ors ON ors.application_id = o.id
            LEFT JOIN batches_recipient orr ON orr.application_id = o.id
            -- through the batch index, batch by batch (a few): not a scan of every batch's applications
            WHERE o.batch_id IN (SELECT ob.id FROM batches_batch ob WHERE ob.id <> %s AND ob.selected_at < %s)
              AND ors.status = 'selected' AND (orr.id IS NULL OR orr.named_at >= %s)
        ) held GROUP BY kk_index
    ),
    kk_ranked AS (
        -- Failing applications are ranked apart (their own partition), so the family's order
        -- counts only those still in the running; no join back to the base rows is needed.
        SELECT b.id, b.region, b.tier, b.draw, b.fail,
               ROW_NUMBER() OVER (PARTITION BY b.kk_index{_bytewise()}, b.fail IS NULL ORDER BY b.tier, b.draw {_ROWS})
                 + COALESCE(k.used, 0) AS kk_place
        FROM base b LEFT JOIN kk_used k ON k.kk_index = b.kk_index
    ),
    pooled AS (
        SELECT id, region, tier, draw, fail, (fail IS NULL AND kk_place <= %s) AS kk_room FROM kk_ranked
    ),
    placed AS (
        -- The place in the region's draw does not depend on the quotas, so it is ranked here too, over
        -- those still in the running only (the others are not sorted at all, and get no place).
        SELECT id, region, tier, fail, kk_room,
               ROW_NUMBER() OVER (PARTITION BY region{_bytewise()} ORDER BY tier, draw {_ROWS}) AS place
        FROM pooled WHERE kk_room
        UNION ALL
        SELECT id, region, tier, fail, kk_room, NULL FROM pooled WHERE NOT kk_room
    )
    -- In id order: the results are inserted in the applications' order, so the digest reads both tables in step.
    SELECT id, region, tier, fail, kk_room, place FROM placed ORDER BY id"""
    # As the backend stores datetimes (SQLite: naive UTC text), so the comparison is exact.
    cutoff = connection.ops.adapt_datetimefield_value(dt.datetime.fromisoformat(p.cutoff))
    args = [
        *args,
        p.seed,
        p.earliest_birth,
        p.latest_birth,
        cutoff,
        *p.excluded_occupations,
        cutoff,  # the applicant's own recipient row
        batch.pk,
        cutoff,  # kk_used: recipients named before
        batch.pk,  # kk_used: other batches' winners
        cutoff,
        cutoff,
        p.kk_cap,
    ]
    return sql, args


POOL = "selection_pool"


def build_pool(batch: Batch, p: Params) -> None:
    """Steps 1-2 once, into a temporary table: every application's region, tier, draw, failing
    rule, and whether its family card still has room. Counting and writing then read it instead
    of recomputing the draw and the windows."""
    query, args = _pool_query(batch, p)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {POOL}")
        cursor.execute(f"CREATE TEMPORARY TABLE {POOL} AS {query}", args)
        # A new table has no statistics: the planner would guess a few thousand rows and choose
        # nested loops over a million.
        cursor.execute(f"ANALYZE {POOL}")


def drop_pool() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {POOL}")


def eligible_counts(batch: Batch, p: Params) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT region, COUNT(*) FROM {POOL} WHERE fail IS NULL AND kk_room GROUP BY region")
        return {region: count for region, count in cursor.fetchall()}


def quotas_for(batch: Batch, counts: dict[str, int]) -> dict[str, int]:
    if batch.allocation == Batch.Allocation.NATIONAL:
        return {"": batch.quota}
    if batch.method == Batch.Method.FIXED:
        return dict(batch.quotas.values_list("region_code", "quota"))
    return largest_remainder(batch.quota, counts)


def tune_session() -> None:
    """Sorts of a million rows fit in memory (~130 MB each) instead of spilling to disk."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            # Compiling these few large queries costs more than it saves (half a second at 1M).
            cursor.execute("SET LOCAL jit = off")


def write_results(batch: Batch, p: Params) -> None:
    """Steps 3-5: compare each place with its region's quota and insert every application's result."""
    sql = f"""WITH result AS (
        SELECT s.id, s.tier, s.place,
               CASE WHEN s.fail IS NOT NULL THEN s.fail
                    WHEN NOT s.kk_room THEN 'KK_QUOTA_REACHED'
                    WHEN s.place <= COALESCE(q.quota, 0) THEN 'SELECTED'
                    ELSE 'QUOTA_FILLED_IN_REGION' END AS reason
        FROM {POOL} s LEFT JOIN batches_regionquota q ON q.batch_id = %s AND q.region_code = s.region
    )
    INSERT INTO batches_result (application_id, status, eligible, tier, rank, reason)
    SELECT id, CASE WHEN reason = 'SELECTED' THEN 'selected' ELSE 'not_selected' END,
           reason IN ('SELECTED', 'QUOTA_FILLED_IN_REGION'), tier, place, reason
    FROM result"""
    # Every applicant's ``eligible`` is new: one note for the dashboards' change log instead of a
    # trigger call and a log row per application (the next refresh rebuilds in full).
    with change_log.bulk_write(connection), connection.cursor() as cursor:
        cursor.execute(sql, [batch.pk])


def clear_results(batch: Batch) -> None:
    """A batch's results, removed (a verification recomputes them inside a transaction it rolls back)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM batches_result WHERE application_id IN "
            "(SELECT id FROM batches_application WHERE batch_id = %s)",
            [batch.pk],
        )


def store_quotas(batch: Batch, quotas: dict[str, int], counts: dict[str, int]) -> None:
    """Each region's quota with its eligible applicants and how many of them the draw selects: places
    run 1, 2, … over a region's eligible applicants and the first ``quota`` are selected, so
    ``min(quota, eligible)`` (the property tests count the written results against it)."""
    if batch.method == Batch.Method.FIXED and batch.allocation != Batch.Allocation.NATIONAL:
        rows = list(batch.quotas.all())
        for row in rows:
            row.eligible = counts.get(row.region_code, 0)
            row.selected = min(row.quota, row.eligible)
        RegionQuota.objects.bulk_update(rows, ["eligible", "selected"], batch_size=1000)
        return
    batch.quotas.all().delete()
    rows = []
    for code, quota in quotas.items():
        eligible = counts.get(code, 0)
        selected = min(quota, eligible)
        rows.append(RegionQuota(batch=batch, region_code=code, quota=quota, eligible=eligible, selected=selected))
    RegionQuota.objects.bulk_create(rows, batch_size=1000)


# What the digest hashes of each application, in this order: its inputs (the application row) and
# its outputs (its result row).
DIGEST_INPUTS = (
    "public_id",
    "token",
    "regency_code",
    "kk_index",
    "birth_date",
    "gender",
    "occupation",
    "in_formal_education",
    "employment_status",
    "prior_training",
    "prior_recipient",
)
DIGEST_OUTPUTS = ("status", "eligible", "tier", "rank", "reason")
# The same columns through the ORM (the portable path).
DIGEST_FIELDS = (*DIGEST_INPUTS, *(f"result__{f}" for f in DIGEST_OUTPUTS))


def digest_query() -> str:
    """The rows the digest hashes, as an auditor would ``COPY`` them out (one parameter: the batch id)."""
    columns = ", ".join([*(f"a.{f}" for f in DIGEST_INPUTS), *(f"r.{f}" for f in DIGEST_OUTPUTS)])
    return (
        f"SELECT {columns} FROM batches_application a LEFT JOIN batches_result r ON r.application_id = a.id "
        "WHERE a.batch_id = %s ORDER BY a.id"
    )


def _copy_text(value: object) -> str:
    """One value as PostgreSQL's COPY text format writes it (the digest's row format)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def digest(batch: Batch, p: Params, *, portable: bool = False) -> str:
    """SHA-256 over the parameters (JSON), the quotas, then every application's inputs and outputs
    in id order, one line each in PostgreSQL's COPY text format (tab-separated, t/f, \\N for none).

    On PostgreSQL the rows are streamed by ``COPY … TO STDOUT`` (a million rows in about a
    second); elsewhere the same bytes are formatted in Python. An auditor can rebuild it from
    ``psql -c "COPY (…) TO STDOUT"`` with ``digest_query()``. ``portable`` forces the Python path (tests compare both).
    """
    h = hashlib.sha256()
    h.update(json.dumps(p.as_json(), sort_keys=True).encode())
    for code, quota in batch.quotas.order_by("region_code").values_list("region_code", "quota"):
        h.update(f"\nQ{code}:{quota}".encode())
    h.update(b"\n")
    if p.family_card == "kk_number":
        _hash_rows_with_card_numbers(h, batch)
        return h.hexdigest()
    if connection.vendor == "postgresql" and not portable:
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor: COPY is not part of the DB-API
            with raw.copy(f"COPY ({digest_query()}) TO STDOUT", [batch.pk]) as copy:
                for block in copy:
                    h.update(block)
        return h.hexdigest()
    rows = Application.objects.filter(batch=batch).order_by("id").values_list(*DIGEST_FIELDS)
    for row in rows.iterator(chunk_size=20_000):
        h.update(("\t".join(_copy_text(v) for v in row) + "\n").encode())
    return h.hexdigest()


def _hash_rows_with_card_numbers(h: Any, batch: Batch) -> None:
    """The rows as selections made before encryption hashed them: the family-card number in plain
    text, now the person's, decrypted (an identity is locked once verified: the number applied with)."""
    from prakerja.core import pii

    fields = tuple("person__kk_ciphertext" if f == "kk_index" else f for f in DIGEST_FIELDS)
    card = fields.index("person__kk_ciphertext")
    rows = Application.objects.filter(batch=batch).order_by("id").values_list(*fields)
    for row in rows.iterator(chunk_size=20_000):
        values = list(row)
        values[card] = pii.decrypt("kk", values[card]) if values[card] else ""
        h.update(("\t".join(_copy_text(v) for v in values) + "\n").encode())
