"""Monitoring dashboards and open data at national scale (issue 6), on PostgreSQL.

For 1,000,000 recipients (``small``: 100,000; ``full`` also runs 100,000 first, for the growth),
in a database of its own (``prakerja_bench_dash``, or ``BENCH_DASHBOARD_DATABASE_URL``), emptied
and refilled each run (only a database whose name says ``bench``, unless ``BENCH_ALLOW_RESET=1``):

1. **data** (timed, not a figure): four batches (three announced, 18, 12 and 6 months ago; one
   open now), a catalogue of 300 institutions, 3,000 programs and 9,000 classes, then
   ``generate-population`` (the platform's own loader: residents, applicants with complete profiles
   and the published recipient profile, applications to the open batch) for 1.25 applicants per
   recipient; then, set-based in the database (``INSERT … SELECT``, no row through Python): the
   applications spread over the four batches, a selection of the recipients, their cards, their
   trainings (most buy one or two; some complete, some cancel; 5% revoked without buying), post-training
   and survey incentives (most paid) and answered survey waves 1 and 2. These tables are written
   with ``session_replication_role = replica``, as a restore would write them: the history did not
   happen through the platform, so neither its per-row key checks nor its change-log triggers run
   (every key points at a row written just before). ``VACUUM ANALYZE`` after, as autovacuum would
   have done on a live system.
2. **full refresh**: ``prakerja.reports.aggregates.refresh()``, timed (the issue: < 60 s).
3. **pages**: every dashboard page, in process through ``django.test.Client`` (no network, no
   server: what is left is the view, its queries and the template), 50 requests each, interleaved
   so that a neighbour's load falls on all alike: ``/pemantauan/`` as the program office, as the
   ministry, as the regional officer of a province (32) and of a regency/city (3273);
   ``/data-terbuka/``, ``GET /api/v1/open-data`` and ``/program/`` without a log-in; p50/p95 (the
   issue: p95 < 150 ms). **Exports**: every table of ``reports.views.TABLES`` as CSV and XLSX, 10
   requests each, the slowest (the issue: < 1 s).
4. **floor** (naive baseline): the national page's figures computed from the raw tables in the
   same run — one query over the six source tables, grouped by province, by batch and in total
   (``GROUPING SETS``), the definitions of docs/decisions/0010 written out; warm, median of three.
   Its total must equal the aggregates' (an independent check of the figures).
5. **incremental**: 10,000 new events on the source tables through SQL, as the platform writes
   them (new applications to the open batch, purchases, completions with their incentive, incentive
   payments, survey answers with theirs), then ``aggregates.refresh_changes()`` timed (the issue:
   < 2 s); then the figures it left are compared with a fresh full refresh's (totals and every row).

Entry ``dashboard``: figure = p95 of the national page (ms), floor = the naive computation (ms),
ratio = floor / figure (higher is better), target = floor / 150 ms (the ratio at which the p95 is
exactly what the issue allows), with every page, export, refresh and the targets met as details.
"""

# ruff: noqa: S608 -- the SQL here is built from constants, table names and integers of our own, never from input.
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from processes import run_step
from selection import ROOT, connect, database_info, ensure_database, environment, log, peak_mb

PYTHON = sys.executable
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/prakerja_bench_dash"
SIZES = {"small": (100_000,), "full": (100_000, 1_000_000), "huge": (100_000, 1_000_000)}
SEED = 1
APPLICANTS_PER_RECIPIENT = 1.25  # some applicants are not selected, some apply to the open batch
REQUESTS = 50  # per page
EXPORT_REQUESTS = 10  # per table and format
NAIVE_RUNS = 3
TARGET_PAGE_MS = 150
TARGET_EXPORT_MS = 1000
TARGET_FULL_S = 60
TARGET_INCREMENTAL_S = 2
# The new events of the incremental refresh (10,000 in all).
EVENTS = {"applications": 500, "purchases": 3_000, "completions": 2_500, "payments": 2_000, "answers": 2_000}
# (batch number, days ago it opened, days it stayed open, status); applicants are spread over them.
BATCHES = ((1, 540, 7, "announced"), (2, 360, 7, "announced"), (3, 180, 7, "announced"), (4, 1, 8, "open"))
OPEN_BATCH = 4
# Share of applications per batch, in percent (batch 4, still open, has no recipients yet).
BATCH_SHARES = ((1, 0, 31), (2, 31, 62), (3, 62, 92), (4, 92, 100))
INSTITUTIONS, PROGRAMS, CLASSES_PER_PROGRAM = 300, 3_000, 3
PAGES = (  # name, role (None: no log-in), area code, path
    ("national_pmo", "pmo", "", "/pemantauan/"),
    ("national_ministry", "ministry", "", "/pemantauan/"),
    ("province_32", "regional", "32", "/pemantauan/"),
    ("regency_3273", "regional", "3273", "/pemantauan/"),
    ("open_data_page", None, "", "/data-terbuka/"),
    ("open_data_api", None, "", "/api/v1/open-data"),
    ("program_page", None, "", "/program/"),
)


def bench_environment(database_url: str) -> dict[str, str]:
    # The development profile (as bench/selection.py) with DEBUG off, as a server runs; no rate limit
    # (a thousand requests from one client in a minute is the benchmark, not an abuse).
    return environment(database_url) | {"DEBUG": "0", "RATE_LIMIT_SCALE": "0", "PYTHONWARNINGS": "ignore"}


def worker(database_url: str, action: str, **args: Any) -> dict[str, Any]:
    return run_step(__file__, bench_environment(database_url), action, args)


def hashed(column: str, salt: int, modulus: int = 1000) -> str:
    """A deterministic pseudo-random number in [0, modulus) per row, independent for every salt."""
    return f"mod(abs(hashint8extended({column}, {salt})), {modulus})"


# --- data (inside a worker process) ---------------------------------------------------------------------------
def _execute(sql: str, params: list[Any] | None = None) -> int:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.rowcount
    seconds = time.perf_counter() - started
    if seconds > 2:  # progress, and where the time goes
        log(f"  {' '.join(sql.split())[:70]}…: {seconds:.1f} s, {max(rows, 0):,} rows")
    return rows


def _scalar(sql: str, params: list[Any] | None = None) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _reset() -> dict[str, Any]:
    """Empty people, batches, catalogue, ledger, audit and figures (the regions stay)."""
    from django.db import connection

    from prakerja.core.audit_guard import set_erasable
    from prakerja.reports.models import Freshness, RegionBatchFigures, SupplyFigures

    set_erasable(connection, True)  # the audit log is append-only; a benchmark database may empty it
    tables = [m._meta.db_table for m in (RegionBatchFigures, SupplyFigures, Freshness)]
    _execute(
        "TRUNCATE accounts_user, registry_civilregistryrecord, registry_person, batches_batch, batches_result, "
        "catalog_institution, "
        "payments_ledgeraccount, payments_journalentry, payments_posting, core_auditevent, django_session, "
        f"{', '.join(tables)} RESTART IDENTITY CASCADE"
    )
    _execute("CHECKPOINT")
    return {}


def _batches() -> dict[int, int]:
    import datetime as dt

    from prakerja.batches.models import Batch
    from prakerja.core import clock

    now = clock.now()
    ids = {}
    for number, days_ago, days_open, _status in BATCHES:
        opens = now - dt.timedelta(days=days_ago)
        closes = opens + dt.timedelta(days=days_open)
        batch = Batch.objects.create(
            number=number,
            name=f"Gelombang {number}",
            opens_at=opens,
            closes_at=closes,
            quota=1,  # the number selected, set after the selection
            status=Batch.Status.OPEN,  # the past ones are announced once their recipients are named
            allocation=Batch.Allocation.REGENCY,
            method=Batch.Method.PROPORTIONAL,
        )
        ids[number] = batch.pk
    return ids


def _catalog() -> int:
    """Institutions, programs in every mode and category (face-to-face ones in a district), three classes each:
    one that ran, two open for enrolment (so the supply figures have something to count)."""
    from prakerja.catalog.rules import CATEGORIES, MODES

    _execute(
        "INSERT INTO catalog_institution (public_id, legal_name, kind, licence_number, address, regency_code, "
        "province_code, email, phone, status, client_code, sign_key, previous_sign_key, created_at, district_id) "
        "SELECT gen_random_uuid(), 'Lembaga Bench ' || n, 'lpk', 'LPK/BENCH/' || n, '', '', '', '', '', 'active', "
        "'BENCHDASH' || lpad(n::text, 6, '0'), md5('key' || n) || md5('sign' || n), '', now() - interval '2 years', "
        "NULL FROM generate_series(1, %s) n",
        [INSTITUTIONS],
    )
    _execute(
        "CREATE TEMP TABLE bench_districts AS SELECT row_number() OVER (ORDER BY code) AS rn, code, regency_id "
        "FROM regions_district"
    )
    _execute(
        "CREATE TEMP TABLE bench_institutions AS SELECT row_number() OVER (ORDER BY id) AS rn, id "
        "FROM catalog_institution"
    )
    districts = _scalar("SELECT count(*) FROM bench_districts")
    face = "m.mode IN ('offline', 'blended')"
    _execute(
        "INSERT INTO catalog_program (public_id, title, category, description, competencies, mode, hours, price, "
        "regency_code, province_code, status, rejection_reasons, submitted_at, decided_at, rating_count, "
        "rating_sum, rating_x100, created_at, decided_by_id, district_id, institution_id) "
        "SELECT gen_random_uuid(), 'Pelatihan Bench ' || n, "
        "(%s::text[])[1 + n %% %s], 'Pelatihan untuk pencari kerja dan pelaku usaha.', 'Kompetensi inti', m.mode, "
        "16 + n %% 25, 100000 * (3 + n %% 33), "
        f"CASE WHEN {face} THEN d.regency_id ELSE '' END, CASE WHEN {face} THEN left(d.regency_id, 2) ELSE '' END, "
        "'approved', '[]'::jsonb, now() - interval '400 days', now() - interval '390 days', 0, 0, 0, "
        f"now() - interval '400 days', NULL, CASE WHEN {face} THEN d.code END, i.id "
        "FROM generate_series(1, %s) n "
        "CROSS JOIN LATERAL (SELECT (%s::text[])[1 + n %% %s] AS mode) m "
        "JOIN bench_districts d ON d.rn = 1 + (n * 7) %% %s "
        "JOIN bench_institutions i ON i.rn = 1 + n %% %s",
        [list(CATEGORIES), len(CATEGORIES), PROGRAMS, list(MODES), len(MODES), districts, INSTITUTIONS],
    )
    _execute(
        "INSERT INTO catalog_trainingclass (code, capacity, seats_taken, starts_at, enrollment_closes_at, status, "
        "created_at, program_id, venue_id) "
        "SELECT 'BD' || lpad(p.id::text, 8, '0') || k, c.capacity, mod(p.id * 7 + k * 13, c.capacity), "
        "now() + (k * 30 - 40) * interval '1 day', now() + (k * 30 - 41) * interval '1 day', 'open', "
        "now() - interval '400 days', p.id, NULL "
        "FROM catalog_program p CROSS JOIN generate_series(0, %s) k "
        "CROSS JOIN LATERAL (SELECT CASE WHEN p.mode IN ('offline', 'blended') THEN 40 ELSE 150 END AS capacity) c",
        [CLASSES_PER_PROGRAM - 1],
    )
    _execute(
        "CREATE TEMP TABLE bench_classes AS SELECT row_number() OVER (ORDER BY c.id) - 1 AS rn, c.id, p.price "
        "FROM catalog_trainingclass c JOIN catalog_program p ON p.id = c.program_id"
    )
    _execute("ANALYZE bench_classes")
    return int(_scalar("SELECT count(*) FROM bench_classes"))


def _luhn_card(serial: str) -> str:
    """SQL: a 16-digit card number, '5', the serial in 14 digits and the Luhn check digit (as the platform's)."""
    body = f"('5' || lpad(({serial})::text, 14, '0'))"
    terms = []
    for i in range(15):  # i = 0 is the rightmost digit of the body: doubled
        digit = f"substr({body}, {15 - i}, 1)::int"
        terms.append(f"((2 * {digit}) % 10 + (2 * {digit}) / 10)" if i % 2 == 0 else digit)
    return f"{body} || ((10 - ({' + '.join(terms)}) % 10) % 10)::text"


def _spread_and_select(batch_ids: dict[int, int], recipients: int) -> None:
    """Applications over the four batches (applied inside each one's window); in the three past batches,
    4% turned away by the family-card cap and ``recipients`` selected by a seeded draw. One UPDATE of
    every application, from a table of its own holding each one's batch, draw and place."""
    values = ", ".join(
        f"({low}, {high}, {batch_ids[number]})" for number, low, high in BATCH_SHARES
    )  # only integers of our own
    _execute("SET LOCAL work_mem = '256MB'")
    # A table with statistics rather than a subquery: a planner guessing a few rows would join a million
    # applications to it by nested loops (batches.selection does the same).
    _execute(
        "CREATE TEMP TABLE bench_pool AS SELECT x.*, CASE WHEN x.drawn THEN row_number() OVER "
        "(PARTITION BY x.drawn ORDER BY x.draw) END AS place FROM ("
        "  SELECT a.id, m.batch_id, m.batch_id <> %s AS past, "
        f"  b.opens_at + {hashed('a.id', 102, 518_400)} * interval '1 second' AS applied_at, "
        f"  m.batch_id <> %s AND {hashed('a.id', 103, 100)} < 4 AS capped, "
        f"  m.batch_id <> %s AND {hashed('a.id', 103, 100)} >= 4 AS drawn, md5(b.seed || a.token) AS draw "
        f"  FROM batches_application a JOIN (VALUES {values}) m(low, high, batch_id) "
        f"  ON {hashed('a.person_id', 101, 100)} >= m.low AND {hashed('a.person_id', 101, 100)} < m.high "
        "  JOIN batches_batch b ON b.id = m.batch_id) x",
        [batch_ids[OPEN_BATCH]] * 3,
    )
    _execute("ANALYZE bench_pool")
    _execute(
        "UPDATE batches_application a SET batch_id = p.batch_id, applied_at = p.applied_at "
        "FROM bench_pool p WHERE a.id = p.id"
    )
    # Past batches have results (the open one's applicants are still waiting).
    _execute(
        "INSERT INTO batches_result (application_id, status, eligible, tier, rank, reason) "
        "SELECT p.id, CASE WHEN p.place <= %s THEN 'selected' ELSE 'not_selected' END, NOT p.capped, "
        "CASE WHEN p.drawn THEN 1 END, p.place, CASE WHEN p.capped THEN 'KK_QUOTA_REACHED' WHEN p.place <= %s "
        "THEN 'SELECTED' ELSE 'QUOTA_FILLED_IN_REGION' END FROM bench_pool p WHERE p.past ORDER BY p.id",
        [recipients, recipients],
    )
    _execute("ANALYZE batches_application")
    _execute("ANALYZE batches_result")


PLAN = f"""
CREATE TEMP TABLE bench_plan AS
SELECT s.*,
       CASE WHEN s.first_status = 'completed' THEN s.p1_end
            WHEN s.second_status = 'completed' THEN s.p1_end + (2 + s.h5 % 20 + 14) * interval '1 day' END
         AS completed_at,
       s.p1_end + (2 + s.h5 % 20) * interval '1 day' AS p2_at
FROM (
  SELECT t.*,
         t.named_at + (1 + t.h4 % 12) * interval '1 day' AS p1_at,
         t.named_at + (1 + t.h4 % 12 + CASE WHEN t.first_status = 'cancelled' THEN 3 ELSE 14 END) * interval '1 day'
           AS p1_end,
         CASE WHEN t.first_status = 'cancelled' AND t.h2 < 700 THEN
                CASE WHEN t.h3 < 700 THEN 'completed' ELSE 'active' END
              WHEN t.first_status = 'completed' AND t.h2 < 400 THEN
                CASE WHEN t.h3 < 600 THEN 'completed' WHEN t.h3 < 950 THEN 'active' ELSE 'cancelled' END
         END AS second_status
  FROM (
    SELECT u.*,
           u.h1 < 50 AS revoked,
           CASE WHEN u.h1 < 50 THEN NULL WHEN u.h1 < 110 THEN 'cancelled' WHEN u.h1 < 190 THEN 'active'
                ELSE 'completed' END AS first_status
    FROM (
      SELECT a.id AS application_id, a.person_id, a.batch_id, a.kk_index,
             b.closes_at + interval '5 days' AS named_at,
             row_number() OVER (ORDER BY a.id) AS serial,
             {hashed("a.id", 1)} AS h1, {hashed("a.id", 2)} AS h2, {hashed("a.id", 3)} AS h3,
             {hashed("a.id", 4)} AS h4, {hashed("a.id", 5)} AS h5, {hashed("a.id", 6)} AS h6,
             {hashed("a.id", 7)} AS h7, {hashed("a.id", 8)} AS h8, {hashed("a.id", 9)} AS h9,
             {hashed("a.id", 10)} AS h10, {hashed("a.id", 11)} AS h11, {hashed("a.id", 12)} AS h12,
             abs(hashint8extended(a.id, 13)) AS pick1, abs(hashint8extended(a.id, 14)) AS pick2
      FROM batches_application a JOIN batches_batch b ON b.id = a.batch_id
      JOIN batches_result res ON res.application_id = a.id
      WHERE res.status = 'selected'
    ) u
  ) t
) s
"""


def _recipients_and_history(classes: int) -> None:
    """Cards, trainings, incentives and surveys of the selected, from one plan row per recipient."""
    _execute(PLAN)
    _execute("ANALYZE bench_plan")
    _execute(
        "INSERT INTO batches_recipient (card_number, named_at, first_purchase_deadline, first_purchase_at, status, "
        "revoked_at, revocation_reason, application_id, batch_id, person_id, pooled_into_id, "
        "next_purchase_deadline, kk_index) "
        f"SELECT {_luhn_card('serial')}, named_at, (named_at AT TIME ZONE 'Asia/Jakarta')::date + 15, "
        "CASE WHEN first_status IS NOT NULL THEN p1_at END, CASE WHEN revoked THEN 'revoked' ELSE 'active' END, "
        "CASE WHEN revoked THEN named_at + interval '16 days' END, "
        "CASE WHEN revoked THEN 'FIRST_PURCHASE_DEADLINE_MISSED' ELSE '' END, "
        "application_id, batch_id, person_id, NULL, NULL, kk_index FROM bench_plan"
    )
    _execute(
        "UPDATE registry_person p SET program_status = CASE WHEN pl.revoked THEN 'revoked' ELSE 'recipient' END "
        "FROM bench_plan pl WHERE p.id = pl.person_id"
    )
    _execute("CREATE TEMP SEQUENCE bench_voucher")
    _execute(
        "INSERT INTO learning_purchase (public_id, price, voucher_code, status, purchased_at, completed_at, "
        "cancelled_at, cancel_reason, settled_at, person_id, training_class_id) "
        "SELECT gen_random_uuid(), c.price, 'VCR' || lpad(nextval('bench_voucher')::text, 13, '0'), x.status, x.at, "
        "CASE WHEN x.status = 'completed' THEN x.ends END, CASE WHEN x.status = 'cancelled' THEN x.ends END, "
        "CASE WHEN x.status = 'cancelled' THEN 'Kelas dibatalkan lembaga' ELSE '' END, "
        "CASE WHEN x.status = 'completed' THEN x.ends END, x.person_id, c.id "
        "FROM ("
        "  SELECT person_id, first_status AS status, p1_at AS at, p1_end AS ends, pick1 AS pick FROM bench_plan "
        "  WHERE first_status IS NOT NULL "
        "  UNION ALL "
        "  SELECT person_id, second_status, p2_at, "
        "    p2_at + CASE WHEN second_status = 'cancelled' THEN 3 ELSE 14 END * interval '1 day', pick2 "
        "  FROM bench_plan WHERE second_status IS NOT NULL"
        f") x JOIN bench_classes c ON c.rn = x.pick % {int(classes)}"
    )
    # One post-training incentive per person ever (the first completion): most paid.
    _execute(
        "INSERT INTO payments_entitlement (public_id, kind, sequence, amount, status, source, created_at, paid_at, "
        "person_id) "
        "SELECT gen_random_uuid(), 'training', 1, 600000, s.status, 'purchase:bench-' || application_id, "
        "completed_at, CASE WHEN s.status = 'paid' THEN completed_at + interval '7 days' END, person_id "
        "FROM bench_plan CROSS JOIN LATERAL (SELECT CASE WHEN h6 < 850 THEN 'paid' WHEN h6 < 950 THEN 'due' "
        "ELSE 'awaiting_account' END AS status) s WHERE completed_at IS NOT NULL"
    )
    # Survey waves 30 and 90 days after the first completion; about 60% answer; outcome working/business/looking.
    _execute(
        "INSERT INTO surveys_surveyinvitation (public_id, sequence, days_after, sent_at, answered_at, outcome, "
        "note, person_id) "
        "SELECT gen_random_uuid(), w.wave, w.days, completed_at + w.days * interval '1 day', "
        "CASE WHEN o.answered THEN completed_at + (w.days + 2) * interval '1 day' END, "
        "CASE WHEN NOT o.answered THEN '' WHEN o.pick < 350 THEN 'working' WHEN o.pick < 600 THEN 'business' "
        "ELSE 'looking' END, '', person_id "
        "FROM bench_plan CROSS JOIN (VALUES (1, 30), (2, 90)) w(wave, days) "
        "CROSS JOIN LATERAL (SELECT CASE w.wave WHEN 1 THEN h8 < 650 ELSE h11 < 600 END AS answered, "
        "CASE w.wave WHEN 1 THEN h9 ELSE h12 END AS pick) o "
        "WHERE completed_at IS NOT NULL AND h7 < 900 AND (w.wave = 1 OR h10 < 800)"
    )
    # A survey incentive per answered wave: most paid.
    _execute(
        "INSERT INTO payments_entitlement (public_id, kind, sequence, amount, status, source, created_at, paid_at, "
        "person_id) "
        "SELECT gen_random_uuid(), 'survey', s.sequence, 50000, "
        f"CASE WHEN {hashed('s.id', 15)} < 900 THEN 'paid' ELSE 'due' END, 'survey:' || s.public_id, s.answered_at, "
        f"CASE WHEN {hashed('s.id', 15)} < 900 THEN s.answered_at + interval '3 days' END, s.person_id "
        "FROM surveys_surveyinvitation s WHERE s.answered_at IS NOT NULL"
    )


def _populate(recipients: int, seed: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import transaction

    applicants = round(recipients * APPLICANTS_PER_RECIPIENT)
    steps: dict[str, float] = {}
    started = time.perf_counter()

    def step(name: str, since: float) -> float:
        now = time.perf_counter()
        steps[name] = round(now - since, 2)
        log(f"data: {name} {steps[name]:.1f} s")
        return now

    batch_ids = _batches()
    mark = time.perf_counter()
    with transaction.atomic():
        _execute("SET LOCAL session_replication_role = replica")
        classes = _catalog()
    mark = step("catalog", mark)
    log(f"data: generate-population --people {applicants:,} --apply-to-batch {OPEN_BATCH}")
    call_command("generate_population", people=applicants, seed=seed, apply_to_batch=OPEN_BATCH, stdout=sys.stderr)
    mark = step("generate_population", mark)
    with transaction.atomic():
        # Written as a restore writes: no per-row key checks, no change-log triggers (see the module's text).
        _execute("SET LOCAL session_replication_role = replica")
        _execute("ANALYZE")  # what the loader wrote, as autovacuum would see it before the next statements
        _spread_and_select(batch_ids, recipients)
        mark = step("batches_and_selection", mark)
        _recipients_and_history(classes)
        past = [batch_ids[n] for n, *_ in BATCHES if n != OPEN_BATCH]
        _execute(
            "UPDATE batches_batch b SET status = 'announced', selected_at = b.closes_at + interval '4 days', "
            "announced_at = b.closes_at + interval '5 days', "
            "quota = GREATEST(1, (SELECT count(*) FROM batches_recipient r WHERE r.batch_id = b.id)) "
            "WHERE b.id = ANY(%s)",
            [past],
        )
        mark = step("recipients_trainings_incentives_surveys", mark)
    _execute("VACUUM ANALYZE")
    _execute("CHECKPOINT")
    mark = step("vacuum_analyze", mark)
    counts = {
        name: int(_scalar(sql))
        for name, sql in (
            ("people", "SELECT count(*) FROM registry_person"),
            ("applications", "SELECT count(*) FROM batches_application"),
            ("recipients", "SELECT count(*) FROM batches_recipient"),
            ("revoked", "SELECT count(*) FROM batches_recipient WHERE status = 'revoked'"),
            ("purchases", "SELECT count(*) FROM learning_purchase"),
            ("completed", "SELECT count(*) FROM learning_purchase WHERE status = 'completed'"),
            ("cancelled", "SELECT count(*) FROM learning_purchase WHERE status = 'cancelled'"),
            ("entitlements", "SELECT count(*) FROM payments_entitlement"),
            ("entitlements_paid", "SELECT count(*) FROM payments_entitlement WHERE status = 'paid'"),
            ("survey_invitations", "SELECT count(*) FROM surveys_surveyinvitation"),
            ("survey_answers", "SELECT count(*) FROM surveys_surveyinvitation WHERE answered_at IS NOT NULL"),
            ("regencies", "SELECT count(DISTINCT regency_code) FROM batches_application"),
            ("classes", "SELECT count(*) FROM catalog_trainingclass"),
        )
    }
    counts["database_mb"] = round(int(_scalar("SELECT pg_database_size(current_database())")) / 2**20)
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "steps": steps,
        "rows": counts,
        "memory_mb": round(peak_mb()),
    }


# --- measurements (inside a worker process) -------------------------------------------------------------------
def _figures_state() -> dict[str, Any]:
    """The aggregate table as it stands: its totals, and a digest of every row that counts something."""
    from prakerja.reports import aggregates
    from prakerja.reports.models import RegionBatchFigures

    table = RegionBatchFigures._meta.db_table
    columns = ", ".join(aggregates.COUNTS)
    nonzero = " OR ".join(f"{c} <> 0" for c in aggregates.COUNTS)
    digest, rows = _scalar_row(
        f"SELECT md5(string_agg(concat_ws(',', batch_number, batch_year, regency_code, province_code, {columns}), "
        f"';' ORDER BY batch_number, regency_code)), count(*) FROM {table} WHERE {nonzero}"
    )
    return {
        "totals": aggregates.totals(RegionBatchFigures.objects.all()),
        "digest": digest,
        "rows": rows,
        "all_rows": RegionBatchFigures.objects.count(),
    }


def _scalar_row(sql: str) -> tuple[Any, ...]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def _refresh_changes() -> Any:
    from prakerja.reports import aggregates

    return getattr(aggregates, "refresh_changes", None)


def _full_refresh() -> dict[str, Any]:
    from prakerja.reports import aggregates

    started = time.perf_counter()
    aggregates.refresh()
    seconds = time.perf_counter() - started
    log(f"full refresh: {seconds:.2f} s")
    out: dict[str, Any] = {"seconds": round(seconds, 3), "memory_mb": round(peak_mb())}
    # Whatever the change log holds now (the loader's applications went through the triggers) is taken
    # in once, untimed, so the incremental measurement starts from an empty log.
    refresh_changes = _refresh_changes()
    if refresh_changes is not None:
        started = time.perf_counter()
        result = refresh_changes()
        out["drain_seconds"] = round(time.perf_counter() - started, 3)
        out["drain_result"] = _plain(result)
        log(f"change log taken in after the full refresh: {out['drain_seconds']:.2f} s, {out['drain_result']}")
    out["figures"] = _figures_state()
    return out


def _plain(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return str(value)


def _staff_client(role: str, region: str) -> Any:
    """A client logged in with both factors (as tests/staff.py: a confirmed TOTP device in the session)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from prakerja.accounts.models import User

    email = f"bench.{role}.{region or 'pusat'}@dash.bench.example"
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email, None, role=role, region_code=region
    )
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] * 1000

    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(at(0.95), 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
        "requests": len(ordered),
    }


def _backend_cpu() -> tuple[int | None, float | None]:
    """The PostgreSQL backend serving this process, and the CPU seconds it has used (same machine only)."""
    from django.db import connection

    raw = connection.connection
    pid = raw.info.backend_pid if raw is not None and not raw.closed else None
    if pid is None:
        return None, None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # another machine, or no permission: wall time only
        return pid, None
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed_get(
    client: Any, path: str, statuses: dict[str, int], cpu: dict[str, float] | None = None
) -> tuple[float, int]:
    """One request: its wall time and size; with ``cpu``, adds the CPU seconds it cost this process and the
    database backend (steadier than wall time on a shared machine; the backend's in clock ticks, so only
    its mean over many requests means something)."""
    pid, backend = _backend_cpu()
    own = time.process_time()
    started = time.perf_counter()
    response = client.get(path)
    body = b"".join(response) if getattr(response, "streaming", False) else response.content
    seconds = time.perf_counter() - started
    if cpu is not None:
        cpu["python"] = cpu.get("python", 0.0) + time.process_time() - own
        after_pid, after = _backend_cpu()
        if backend is not None and after is not None and after_pid == pid:
            cpu["postgres"] = cpu.get("postgres", 0.0) + after - backend
            cpu["postgres_requests"] = cpu.get("postgres_requests", 0) + 1
    statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1
    return seconds, len(body)


def _cpu_ms(cpu: dict[str, float], requests: int) -> dict[str, float | None]:
    postgres = cpu.get("postgres_requests", 0)
    return {
        "python": round(cpu.get("python", 0.0) * 1000 / max(requests, 1), 2),
        "postgres": round(cpu["postgres"] * 1000 / postgres, 2) if postgres else None,
    }


def _pages() -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from prakerja.reports import views

    clients: dict[tuple[str | None, str], Any] = {}
    for _name, role, region, _path in PAGES:
        if (role, region) not in clients:
            clients[(role, region)] = _staff_client(role, region) if role else Client()
    load_before = os.getloadavg()[0]  # the machine is shared: how busy it was says how noisy the figures are
    samples: dict[str, list[float]] = {name: [] for name, *_ in PAGES}
    statuses: dict[str, dict[str, int]] = {name: {} for name, *_ in PAGES}
    cpu: dict[str, dict[str, float]] = {name: {} for name, *_ in PAGES}
    sizes: dict[str, int] = {}
    for _ in range(3):  # warm up: templates compiled, connections open, caches filled
        for _name, role, region, path in PAGES:
            _timed_get(clients[(role, region)], path, {})
    for _ in range(REQUESTS):  # interleaved: a neighbour's load falls on every page alike
        for name, role, region, path in PAGES:
            seconds, size = _timed_get(clients[(role, region)], path, statuses[name], cpu[name])
            samples[name].append(seconds)
            sizes[name] = size
    pages = {
        name: _percentiles(samples[name]) | {"path": path, "as": role or "anonymous", "area": region or None}
        for name, role, region, path in PAGES
    }
    for name, role, region, path in PAGES:
        # One more request with its queries recorded: how many, and the database's share of the time.
        with CaptureQueriesContext(connection) as queries:
            _timed_get(clients[(role, region)], path, {})
        pages[name]["queries"] = len(queries.captured_queries)
        pages[name]["query_ms"] = round(sum(float(q["time"]) for q in queries.captured_queries) * 1000, 1)
    for name in pages:
        pages[name]["statuses"] = statuses[name]
        pages[name]["bytes"] = sizes[name]
        pages[name]["cpu_ms_per_request"] = _cpu_ms(cpu[name], REQUESTS)
        log(
            f"page {name}: p50 {pages[name]['p50_ms']} ms, p95 {pages[name]['p95_ms']} ms {statuses[name]}; "
            f"{pages[name]['queries']} queries, {pages[name]['query_ms']} ms in the database; "
            f"CPU per request {pages[name]['cpu_ms_per_request']} ms"
        )
    # Exports: every table of the dashboard (read at run time: tables are being added), CSV and XLSX,
    # as the program office (the national scope: the most rows).
    national = clients[("pmo", "")]
    exports: dict[str, Any] = {}
    for table in views.TABLES:
        for kind in ("csv", "xlsx"):
            path = f"/pemantauan/ekspor.csv?tabel={table}&format={kind}"
            export_statuses: dict[str, int] = {}
            _timed_get(national, path, {})
            times: list[float] = []
            size, export_cpu = 0, {}
            for _ in range(EXPORT_REQUESTS):
                seconds, size = _timed_get(national, path, export_statuses, export_cpu)
                times.append(seconds)
            exports[f"{table}.{kind}"] = _percentiles(times) | {
                "statuses": export_statuses,
                "bytes": size,
                "cpu_ms_per_request": _cpu_ms(export_cpu, EXPORT_REQUESTS),
            }
            log(f"export {table}.{kind}: max {exports[f'{table}.{kind}']['max_ms']} ms {export_statuses}")
    load = {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2), "cores": os.cpu_count()}
    return {"pages": pages, "exports": exports, "tables": list(views.TABLES), "load_average": load}


# The national page's counts (docs/decisions/0010-dashboards.md, "Definitions"), written out here rather
# than taken from the refresh's own SQL: the floor stays the same query while the refresh changes, and its
# total checks the aggregates independently.
NAIVE_COUNTS = (
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


def naive_sql() -> str:
    """The national page's figures straight from the raw tables: every source grouped by province, by batch
    and in total (``GROUPING SETS``) in one query, with no aggregate table and no per-person step."""

    def flag(condition: str) -> str:
        return f"CASE WHEN {condition} THEN 1 ELSE 0 END"

    def source(regency: str, batch: str, tables: str, where: str = "", **values: str) -> str:
        counts = ", ".join(f"{values.get(c, '0')} AS {c}" for c in NAIVE_COUNTS)
        return f"SELECT {regency} AS regency_code, {batch} AS batch_id, {counts} FROM {tables}" + (
            f" WHERE {where}" if where else ""
        )

    recipient = "batches_recipient r JOIN batches_application ra ON ra.id = r.application_id"
    of_recipient = "JOIN batches_recipient r ON r.person_id = {0}.person_id " + (
        "JOIN batches_application ra ON ra.id = r.application_id"
    )
    waves = {
        f"wave{w}_{k}": flag(f"s.sequence = {w}" + (f" AND s.outcome = '{o}'" if o else ""))
        for w in (1, 2)
        for k, o in (("answers", ""), ("working", "working"), ("business", "business"))
    }
    sources = [
        source(
            "a.regency_code",
            "a.batch_id",
            "batches_application a LEFT JOIN batches_result res ON res.application_id = a.id",
            applicants="1",
            eligible=flag("res.eligible"),
        ),
        source(
            "ra.regency_code",
            "r.batch_id",
            f"{recipient} JOIN registry_person p ON p.id = r.person_id",
            recipients="1",
            revoked=flag("r.status = 'revoked'"),
            women=flag("p.gender = 'F'"),
            disability=flag("p.disability"),
            former_migrant_worker=flag("p.former_migrant_worker"),
            primary_or_less=flag("p.education IN ('none', 'sd')"),
            unemployed=flag("p.employment_status = 'unemployed'"),
            never_trained=flag("NOT p.prior_training"),
        ),
        source(
            "ra.regency_code",
            "r.batch_id",
            f"learning_purchase pu {of_recipient.format('pu')}",
            "pu.status <> 'cancelled'",
            purchases="1",
            completions=flag("pu.status = 'completed'"),
        ),
        source(
            "ra.regency_code",
            "r.batch_id",
            f"payments_entitlement e {of_recipient.format('e')}",
            "e.status = 'paid'",
            incentives_paid="e.amount",
        ),
        source(
            "ra.regency_code",
            "r.batch_id",
            recipient,
            "EXISTS (SELECT 1 FROM payments_entitlement e WHERE e.person_id = r.person_id AND e.status = 'paid')",
            paid_people="1",
        ),
        source(
            "ra.regency_code",
            "r.batch_id",
            f"surveys_surveyinvitation s {of_recipient.format('s')}",
            "s.answered_at IS NOT NULL",
            **waves,
        ),
    ]
    sums = ", ".join(f"SUM(k.{c}) AS {c}" for c in NAIVE_COUNTS)
    return (
        "SELECT GROUPING(SUBSTR(k.regency_code, 1, 2), b.number) AS level, SUBSTR(k.regency_code, 1, 2), b.number, "
        f"{sums} FROM ({' UNION ALL '.join(sources)}) k JOIN batches_batch b ON b.id = k.batch_id "
        "GROUP BY GROUPING SETS ((SUBSTR(k.regency_code, 1, 2)), (b.number), ())"
    )


def _naive() -> dict[str, Any]:
    from django.db import connection

    from prakerja.reports import aggregates
    from prakerja.reports.models import RegionBatchFigures

    query = naive_sql()
    runs = []
    rows: list[tuple[Any, ...]] = []
    for _ in range(NAIVE_RUNS):
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(query)
            rows = cursor.fetchall()  # a few dozen rows: provinces, batches, the total
            runs.append(time.perf_counter() - started)
    log(f"naive national figures from the raw tables: {', '.join(f'{r * 1000:.0f} ms' for r in runs)}")
    total_row = next(r for r in rows if r[0] == 3)
    naive_total = dict(zip(NAIVE_COUNTS, (int(v or 0) for v in total_row[3:]), strict=True))
    stored = aggregates.totals(RegionBatchFigures.objects.all())
    common = [c for c in NAIVE_COUNTS if c in stored]
    differences = {c: [naive_total[c], stored[c]] for c in common if naive_total[c] != stored[c]}
    return {
        "ms": round(statistics.median(runs) * 1000, 1),
        "runs_ms": [round(r * 1000, 1) for r in runs],
        "rows": len(rows),
        "query": "every source table grouped by province, by batch and in total (GROUPING SETS), one query",
        "totals_equal_aggregates": not differences,
        "differences": differences,
    }


def _make_events(open_batch: int) -> dict[str, int]:
    """10,000 new events on the source tables, as the platform writes them, each statement its own transaction
    (the change-log triggers run)."""
    made: dict[str, int] = {}
    batch_id = _scalar("SELECT id FROM batches_batch WHERE number = %s", [open_batch])
    last_purchase = _scalar("SELECT max(id) FROM learning_purchase")
    # People turned down in an earlier batch apply to the open one (facts frozen as they stand).
    made["applications"] = _execute(
        "INSERT INTO batches_application (public_id, applied_at, token, regency_code, birth_date, gender, "
        "occupation, in_formal_education, employment_status, prior_training, prior_recipient, "
        "person_id, batch_id, kk_index) "
        "SELECT gen_random_uuid(), now(), md5(random()::text), a.regency_code, a.birth_date, a.gender, "
        "a.occupation, a.in_formal_education, a.employment_status, a.prior_training, false, "
        "a.person_id, %s, a.kk_index FROM batches_application a JOIN batches_result res ON res.application_id = a.id "
        "WHERE res.status = 'not_selected' AND NOT EXISTS (SELECT 1 FROM batches_application x "
        "WHERE x.person_id = a.person_id AND x.batch_id = %s) ORDER BY a.id LIMIT %s",
        [batch_id, batch_id, EVENTS["applications"]],
    )
    # Recipients with no training in progress buy one (the first purchase also stamps the card).
    made["purchases"] = _execute(
        "WITH buyers AS (SELECT r.person_id, row_number() OVER (ORDER BY r.id) AS n FROM batches_recipient r "
        "WHERE r.status = 'active' AND NOT EXISTS (SELECT 1 FROM learning_purchase p "
        "WHERE p.person_id = r.person_id AND p.status = 'active') ORDER BY r.id LIMIT %s), "
        "bought AS (INSERT INTO learning_purchase (public_id, price, voucher_code, status, purchased_at, "
        "completed_at, cancelled_at, cancel_reason, settled_at, person_id, training_class_id) "
        "SELECT gen_random_uuid(), p.price, 'VCRE' || lpad((%s + buyers.n)::text, 12, '0'), 'active', now(), "
        "NULL, NULL, '', NULL, buyers.person_id, c.id FROM buyers "
        "JOIN catalog_trainingclass c ON c.id = (SELECT min(id) FROM catalog_trainingclass "
        "WHERE status = 'open' AND enrollment_closes_at > now()) JOIN catalog_program p ON p.id = c.program_id "
        "RETURNING person_id) "
        "UPDATE batches_recipient r SET first_purchase_at = now() FROM bought "
        "WHERE r.person_id = bought.person_id AND r.first_purchase_at IS NULL",
        [EVENTS["purchases"], int(last_purchase or 0)],
    )
    made["purchases"] = int(_scalar("SELECT count(*) FROM learning_purchase WHERE id > %s", [last_purchase or 0]))
    # Trainings completed (older ones); a first completion earns the post-training incentive.
    made["completions"] = int(
        _scalar(
            "WITH done AS (UPDATE learning_purchase SET status = 'completed', completed_at = now(), settled_at = now() "
            "WHERE id IN (SELECT id FROM learning_purchase WHERE status = 'active' AND id <= %s ORDER BY id LIMIT %s) "
            "RETURNING id, person_id), "
            "earned AS (INSERT INTO payments_entitlement (public_id, kind, sequence, amount, status, source, "
            "created_at, paid_at, person_id) SELECT gen_random_uuid(), 'training', 1, 600000, 'due', "
            "'purchase:event-' || id, now(), NULL, person_id FROM done "
            "ON CONFLICT (person_id, kind, sequence) DO NOTHING RETURNING 1) "
            "SELECT count(*) FROM done",
            [last_purchase or 0, EVENTS["completions"]],
        )
    )
    # Incentives paid out.
    made["payments"] = _execute(
        "UPDATE payments_entitlement SET status = 'paid', paid_at = now() "
        "WHERE id IN (SELECT id FROM payments_entitlement WHERE status = 'due' ORDER BY id LIMIT %s)",
        [EVENTS["payments"]],
    )
    # Survey answers, each earning its survey incentive.
    made["answers"] = int(
        _scalar(
            "WITH answered AS (UPDATE surveys_surveyinvitation s SET answered_at = now(), "
            f"outcome = CASE WHEN {hashed('s.id', 16)} < 350 THEN 'working' "
            f"WHEN {hashed('s.id', 16)} < 600 THEN 'business' ELSE 'looking' END "
            "WHERE s.id IN (SELECT id FROM surveys_surveyinvitation WHERE answered_at IS NULL ORDER BY id LIMIT %s) "
            "RETURNING s.id, s.public_id, s.sequence, s.person_id), "
            "earned AS (INSERT INTO payments_entitlement (public_id, kind, sequence, amount, status, source, "
            "created_at, paid_at, person_id) SELECT gen_random_uuid(), 'survey', sequence, 50000, 'due', "
            "'survey:' || public_id, now(), NULL, person_id FROM answered "
            "ON CONFLICT (person_id, kind, sequence) DO NOTHING RETURNING 1) "
            "SELECT count(*) FROM answered",
            [EVENTS["answers"]],
        )
    )
    made["total"] = sum(made.values())
    return made


def _incremental() -> dict[str, Any]:
    refresh_changes = _refresh_changes()
    if refresh_changes is None:
        log("incremental: prakerja.reports.aggregates.refresh_changes does not exist (yet): not measured")
        return {"missing": "prakerja.reports.aggregates.refresh_changes does not exist"}
    from django.db import connection

    started = time.perf_counter()
    events = _make_events(OPEN_BATCH)
    made_seconds = time.perf_counter() - started
    log(f"incremental: {events['total']:,} new events {events} in {made_seconds:.1f} s")
    connection.close()  # a new session, as the refresh task would have
    started = time.perf_counter()
    result = refresh_changes()
    seconds = time.perf_counter() - started
    log(f"incremental: refresh_changes() {seconds:.3f} s, {result}")
    after_incremental = _figures_state()
    started = time.perf_counter()
    idle = refresh_changes()
    idle_seconds = time.perf_counter() - started
    # The figures the incremental refresh left must be those a full rebuild gives.
    started = time.perf_counter()
    from prakerja.reports import aggregates

    aggregates.refresh()
    full_seconds = time.perf_counter() - started
    after_full = _figures_state()
    totals_equal = after_incremental["totals"] == after_full["totals"]
    rows_equal = after_incremental["digest"] == after_full["digest"]
    differences = {
        k: [after_incremental["totals"][k], after_full["totals"][k]]
        for k in after_full["totals"]
        if after_incremental["totals"].get(k) != after_full["totals"][k]
    }
    log(f"incremental: equals a full refresh: totals {totals_equal}, every row {rows_equal}")
    return {
        "seconds": round(seconds, 3),
        "events": events,
        "events_seconds": round(made_seconds, 2),
        "result": _plain(result),
        "idle_seconds": round(idle_seconds, 3),
        "idle_result": _plain(idle),
        "totals_equal_full_refresh": totals_equal,
        "rows_equal_full_refresh": rows_equal,
        "differences": differences,
        "full_refresh_after_seconds": round(full_seconds, 3),
        "memory_mb": round(peak_mb()),
    }


def run_worker(action: str, args: dict[str, Any]) -> dict[str, Any]:
    import django

    django.setup()
    if action == "reset":
        return _reset()
    if action == "populate":
        return _populate(args["recipients"], args["seed"])
    if action == "refresh":
        return _full_refresh()
    if action == "pages":
        return _pages() | {"naive": _naive()}
    if action == "incremental":
        return _incremental()
    raise SystemExit(f"unknown step {action}")


# --- the benchmark --------------------------------------------------------------------------------------------
def one_size(database_url: str, recipients: int) -> dict[str, Any]:
    log(f"dashboard, {recipients:,} recipients: reset")
    worker(database_url, "reset")
    log(f"dashboard: data for {recipients:,} recipients")
    data = worker(database_url, "populate", recipients=recipients, seed=SEED)
    log(f"dashboard: data in {data['seconds']} s: {data['rows']}")
    full = worker(database_url, "refresh")
    pages = worker(database_url, "pages")
    incremental = worker(database_url, "incremental")
    return {"recipients": recipients, "data": data, "full": full, "pages": pages, "incremental": incremental}


def run(size: str) -> dict[str, Any]:
    override = os.environ.get("BENCH_DASHBOARD_RECIPIENTS")  # e.g. a quick trial of the benchmark itself
    sizes = (int(override),) if override else SIZES.get(size, SIZES["full"])
    database_url = os.environ.get("BENCH_DASHBOARD_DATABASE_URL") or DEFAULT_URL
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("the dashboard benchmark needs PostgreSQL")
    name = urlsplit(database_url).path.lstrip("/")
    if "bench" not in name and os.environ.get("BENCH_ALLOW_RESET") != "1":
        raise SystemExit(f"refusing to empty database {name!r}: its name does not say 'bench'")
    ensure_database(database_url)
    guard = connect(database_url)
    if not guard.execute("SELECT pg_try_advisory_lock(hashtext('prakerja-bench-dashboard'))").fetchone()[0]:
        guard.close()
        raise SystemExit("another dashboard benchmark run is using this database; wait for it to finish")
    try:
        env = bench_environment(database_url)
        for command in (("migrate", "--noinput", "-v0"), ("load-regions",)):
            subprocess.run(  # noqa: S603 (our own interpreter)
                [PYTHON, "-c", "from prakerja.cli import main; main()", *command],
                env=env,
                check=True,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
        results = [one_size(database_url, recipients) for recipients in sizes]
    finally:
        guard.close()
    return {"machine": database_info(database_url), "dashboard": summarize(results)}


def summarize(results: list[dict[str, Any]]) -> dict[str, Any]:
    main = next((r for r in results if r["recipients"] == 1_000_000), results[-1])
    pages, exports = main["pages"]["pages"], main["pages"]["exports"]
    naive = main["pages"]["naive"]
    incremental = main["incremental"]
    figure = pages["national_pmo"]["p95_ms"]
    floor = naive["ms"]
    slowest_page = max(pages, key=lambda n: pages[n]["p95_ms"])
    slowest_export = max(exports, key=lambda n: exports[n]["max_ms"])
    all_ok = all(set(p["statuses"]) == {"200"} for p in [*pages.values(), *exports.values()])
    missing = "missing" in incremental
    entry: dict[str, Any] = {
        "figure": figure,
        "unit": "ms, p95 of the national dashboard /pemantauan/ (program office), in process, 50 requests",
        "floor": floor,
        "floor_unit": "ms, the national page's figures computed from the raw tables (median of 3, warm)",
        "ratio": round(floor / figure, 2) if figure else None,
        "size": main["data"]["rows"]["recipients"],
        # The ratio at which the national page's p95 would be exactly the 150 ms the issue allows.
        "target": round(floor / TARGET_PAGE_MS, 2),
        "target_ms": TARGET_PAGE_MS,
        "targets_met": {
            "pages_p95_under_150_ms": all(p["p95_ms"] < TARGET_PAGE_MS for p in pages.values()),
            "exports_under_1_s": all(e["max_ms"] < TARGET_EXPORT_MS for e in exports.values()),
            "full_refresh_under_60_s": main["full"]["seconds"] < TARGET_FULL_S,
            "incremental_under_2_s": None if missing else incremental["seconds"] < TARGET_INCREMENTAL_S,
            "incremental_equals_full_refresh": (
                None if missing else incremental["totals_equal_full_refresh"] and incremental["rows_equal_full_refresh"]
            ),
            "every_response_200": all_ok,
        },
        # CPU of the national page per request (Django, and the database backend): steadier than its wall time
        # when neighbours load the machine.
        "cpu_ms_per_request": pages["national_pmo"].get("cpu_ms_per_request"),
        "slowest_page": {"name": slowest_page, "p95_ms": pages[slowest_page]["p95_ms"]},
        "slowest_export": {"name": slowest_export, "max_ms": exports[slowest_export]["max_ms"]},
        "pages": pages,
        "exports": exports,
        "export_tables": main["pages"]["tables"],
        "load_average_1min": main["pages"]["load_average"],
        "naive": naive,
        "full_refresh_seconds": main["full"]["seconds"],
        "full_refresh": {k: v for k, v in main["full"].items() if k != "figures"}
        | {"figure_rows": main["full"]["figures"]["all_rows"]},
        "incremental": incremental,
        "incremental_seconds": None if missing else incremental["seconds"],
        "data": main["data"],
        "applicants": main["data"]["rows"]["applications"],
        "scaling": {
            str(r["recipients"]): {
                "national_p95_ms": r["pages"]["pages"]["national_pmo"]["p95_ms"],
                "slowest_page_p95_ms": max(p["p95_ms"] for p in r["pages"]["pages"].values()),
                "slowest_export_ms": max(e["max_ms"] for e in r["pages"]["exports"].values()),
                "naive_ms": r["pages"]["naive"]["ms"],
                "full_refresh_s": r["full"]["seconds"],
                "incremental_s": r["incremental"].get("seconds"),
                "data_s": r["data"]["seconds"],
            }
            for r in results
        },
    }
    if missing:
        entry["incomplete"] = incremental["missing"]
    elif not entry["targets_met"]["incremental_equals_full_refresh"]:
        entry["incomplete"] = "the incremental refresh's figures differ from a full refresh's"
    return entry


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "worker":
        print(json.dumps(run_worker(sys.argv[2], json.loads(sys.argv[3]) if len(sys.argv) > 3 else {})))
    else:
        print(json.dumps(run(os.environ.get("BENCH_SIZE", "full")), indent=2))
