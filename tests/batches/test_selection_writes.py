"""The selection leaves the applications as they were written and inserts one narrow result row each
(docs/decisions/0003): at a million applications, rewriting every wide application row in place cost the
selection about three times what inserting the results does."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection

from prakerja.batches import actions
from prakerja.batches.models import Application, Batch, Result

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="counts PostgreSQL's per-table statistics"),
]

NOW = dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC)


def written(table: str) -> tuple[int, int]:
    """Rows of ``table`` inserted and updated so far in this transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_stat_get_xact_tuples_inserted(%s::regclass), pg_stat_get_xact_tuples_updated(%s::regclass)",
            [table, table],
        )
        inserted, updated = cursor.fetchone()
    return inserted, updated


def test_applications_are_not_rewritten_and_each_gets_one_result(frozen_clock):
    frozen_clock(NOW)
    actions.create_batch(
        number=1,
        quota=60,
        opens_at=NOW - dt.timedelta(hours=1),
        closes_at=NOW + dt.timedelta(days=7),
        allocation=Batch.Allocation.REGENCY,
    )
    actions.open_batch(1)
    call_command(
        "generate_population", "--people", "2000", "--seed", "31", "--apply-to-batch", "1", stdout=io.StringIO()
    )
    frozen_clock(NOW + dt.timedelta(days=7, hours=1))
    actions.close_batch(1)
    applications = Application.objects.filter(batch__number=1).count()
    assert applications > 1500

    applications_before, results_before = written("batches_application"), written("batches_result")
    actions.select_batch(1)
    assert written("batches_application") == applications_before  # not one application row touched
    inserted, updated = (now - then for now, then in zip(written("batches_result"), results_before, strict=True))
    assert (inserted, updated) == (applications, 0)
    assert Result.objects.filter(application__batch__number=1).count() == applications
    assert Application.objects.filter(batch__number=1, result__status="selected").count() == 60
