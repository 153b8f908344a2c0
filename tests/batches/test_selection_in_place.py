"""The selection rewrites a batch's applications in place on PostgreSQL (docs/decisions/0003).

Every application gets a longer row (status, reason, rank, tier, eligibility): the table leaves room in
each page for both versions of all its rows, so each rewrite stays in its page (a HOT update) instead of
adding an entry to every index of the table — at a million applications, the difference between a
selection inside its benchmark target and one far outside it.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection

from prakerja.batches import actions
from prakerja.batches.models import Application, Batch

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="HOT updates are PostgreSQL's"),
]

NOW = dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC)


def updates() -> tuple[int, int]:
    """Rows of the applications table updated in this transaction, and how many of them in place."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_stat_get_xact_tuples_updated(%s::regclass), pg_stat_get_xact_tuples_hot_updated(%s::regclass)",
            ["batches_application", "batches_application"],
        )
        updated, hot = cursor.fetchone()
    return updated, hot


def test_every_application_is_rewritten_in_its_own_page(frozen_clock):
    frozen_clock(NOW)
    actions.create_batch(
        number=1,
        quota=60,
        opens_at=NOW - dt.timedelta(hours=1),
        closes_at=NOW + dt.timedelta(days=7),
        allocation=Batch.Allocation.REGENCY,
    )
    actions.open_batch(1)
    # Enough applicants to fill many pages to the table's fill factor.
    call_command(
        "generate_population", "--people", "2000", "--seed", "31", "--apply-to-batch", "1", stdout=io.StringIO()
    )
    frozen_clock(NOW + dt.timedelta(days=7, hours=1))
    actions.close_batch(1)
    applications = Application.objects.filter(batch__number=1).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size('batches_application') / 8192")
        pages = cursor.fetchone()[0]
    assert applications > 1500 and pages > 50

    before_updated, before_hot = updates()
    actions.select_batch(1)
    updated, hot = updates()
    assert updated - before_updated >= applications
    assert hot - before_hot == updated - before_updated  # none of them touched an index
    assert Application.objects.filter(batch__number=1, status="selected").count() == 60
