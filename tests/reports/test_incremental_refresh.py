"""The incremental refresh: after any mix of writes, applying the logged changes gives exactly the
figures a full rebuild would, touching only the people who changed; it rebuilds in full by itself when
it cannot trust what is stored; and the selection's bulk writes do not flood the change log."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import random
import threading
import uuid

import pytest
from django.core.management import call_command
from django.db import connection, connections

from market import CLOSES, OPENS
from payouts import trained_recipients
from prakerja.accounts.models import User
from prakerja.batches import actions as batches
from prakerja.batches.models import Application, Batch, Recipient, Result
from prakerja.core.errors import DomainError
from prakerja.learning.models import Purchase
from prakerja.payments.models import Entitlement
from prakerja.registry.models import Person
from prakerja.reports import aggregates, change_log, refresh
from prakerja.reports.models import Freshness, RegionBatchFigures
from prakerja.reports.tasks import refresh_aggregates_task
from prakerja.surveys.models import SurveyInvitation

pytestmark = pytest.mark.django_db

KEY = ("batch_number", "regency_code")


def stored() -> dict[tuple, dict]:
    """The figures as stored, by batch and regency."""
    return {
        (r["batch_number"], r["regency_code"]): {c: r[c] for c in aggregates.COUNTS}
        for r in RegionBatchFigures.objects.values(*KEY, *aggregates.COUNTS)
    }


def recomputed() -> dict[tuple, dict]:
    """What a full rebuild would store, computed beside the tables without touching them."""
    sums = ", ".join(f"SUM(k.{c})" for c in aggregates.COUNTS)
    sql = (
        f"SELECT b.number, k.regency_code, {sums} FROM ({refresh.contributions_sql()}) k "
        "JOIN batches_batch b ON b.id = k.batch_id GROUP BY b.number, k.regency_code"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {(row[0], row[1]): dict(zip(aggregates.COUNTS, row[2:], strict=True)) for row in cursor.fetchall()}


def pending() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT person_id FROM {change_log.PENDING}")
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def trained(frozen_clock, provider):
    people = trained_recipients(frozen_clock, provider, 12, seed=9202)
    frozen_clock(dt.datetime(2026, 8, 1, 2, 0, tzinfo=dt.UTC))
    return [t.person for t in people]


def test_the_snapshot_has_the_figures_columns_and_every_trigger_is_in_place():
    assert change_log.SNAPSHOT_COUNTS == aggregates.COUNTS
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE 'reports_log_%%'"
            )
            found = {(table, name.removeprefix("reports_log_")) for table, name in cursor.fetchall()}
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            found = {
                (table, name.removeprefix("reports_log_").split("_", 1)[0])
                for table, name in cursor.fetchall()
                if name.startswith("reports_log_")
            }
    expected = {(t, "update") for t in change_log.WATCHED}
    expected |= {(t, op) for t in change_log.BULK_WATCHED for op in ("insert", "delete")}
    expected |= {(change_log.RESULTS, op) for op in ("insert", "delete", "update")}
    # A later migration that remakes one of these tables on SQLite would drop its triggers silently.
    assert found == expected


def test_every_kind_of_change_is_applied_and_only_the_changed_people_are_recomputed(trained, provider):
    first = aggregates.refresh_changes()
    assert first["mode"] == "full" and first["reason"] == "no baseline"
    assert stored() == recomputed() and not pending()

    a, b, c, d, e, f, g = trained[:7]
    batch = Recipient.objects.get(person=a).batch
    Recipient.objects.filter(person=a).update(status="revoked")  # a revocation
    Purchase.objects.filter(person=b).update(status="cancelled")  # a cancelled purchase
    Entitlement.objects.filter(person=c).update(status="paid", amount=600_000)  # an incentive paid
    SurveyInvitation.objects.create(person=d, sequence=1, days_after=30, answered_at=OPENS, outcome="working")
    Person.objects.filter(pk=e.pk).update(employment_status="unemployed", gender="F")  # a profile corrected
    Application.objects.filter(batch=batch, person=f).update(regency_code="3578")  # moved to another regency
    # A new batch with one new (ineligible) applicant: a new row of figures.
    batches.create_batch(number=batch.number + 700, quota=1, opens_at=OPENS, closes_at=CLOSES)
    source = Application.objects.get(batch=batch, person=g)
    source.pk, source.public_id = None, uuid.uuid4()
    source.batch = Batch.objects.get(number=batch.number + 700)
    source.save()
    Result.objects.create(application=source, status="not_selected", eligible=False, reason="AGE_OUT_OF_RANGE")
    assert pending() == {p.pk for p in (a, b, c, d, e, f, g)}

    result = aggregates.refresh_changes()
    assert result["mode"] == "incremental" and result["people"] == 7
    assert stored() == recomputed()
    assert (batch.number + 700, source.regency_code) in stored()
    assert RegionBatchFigures.objects.get(batch_number=batch.number + 700).batch_year == 2026
    assert not pending()

    # Nothing changed since: nobody is recomputed, and the "as of" time still moves on.
    before = Freshness.objects.get(table=aggregates.TABLE).as_of
    again = aggregates.refresh_changes()
    assert again["mode"] == "incremental" and again["people"] == 0
    assert Freshness.objects.get(table=aggregates.TABLE).as_of >= before and stored() == recomputed()


def test_random_writes_in_rounds_always_match_a_full_rebuild(trained):
    aggregates.refresh()
    rng = random.Random(20261129)
    people = trained
    for _round in range(6):
        for person in rng.sample(people, 4):
            kind = rng.choice(("revoke", "purchase", "paid", "profile", "regency", "eligible", "survey"))
            if kind == "revoke":
                Recipient.objects.filter(person=person).update(status=rng.choice(("revoked", "active")))
            elif kind == "purchase":
                Purchase.objects.filter(person=person).update(status=rng.choice(("cancelled", "completed", "active")))
            elif kind == "paid":
                Entitlement.objects.filter(person=person).update(
                    status=rng.choice(("paid", "awaiting_account")), amount=rng.choice((300_000, 600_000))
                )
            elif kind == "profile":
                Person.objects.filter(pk=person.pk).update(
                    disability=rng.choice((True, False, None)), education=rng.choice(("sd", "sma", "none"))
                )
            elif kind == "regency":
                Application.objects.filter(person=person).update(regency_code=rng.choice(("3273", "3204", "3578")))
            elif kind == "eligible":  # a result corrected by hand
                Result.objects.filter(application__person=person).update(eligible=rng.choice((True, False)))
            else:
                SurveyInvitation.objects.update_or_create(
                    person=person,
                    sequence=rng.choice((1, 2)),
                    defaults={"days_after": 30, "answered_at": OPENS, "outcome": rng.choice(("working", "business"))},
                )
        result = aggregates.refresh_changes()
        assert (result["mode"], result["reason"]) == ("incremental", "")
        assert stored() == recomputed()


def test_writes_that_move_no_figure_log_nothing(trained):
    aggregates.refresh()
    # Ranks, tiers and reasons of the results are not counted.
    Result.objects.update(rank=7, reason="SELECTED")
    # Writing the same eligibility again changes nothing either.
    Result.objects.filter(eligible=True).update(eligible=True)
    # Nor does a new registry entry that has not applied, or a name change.
    Person.objects.filter(pk=trained[0].pk).update(full_name="Nama Baru")
    assert not pending()


def test_a_selection_notes_its_whole_batch_once_and_the_next_refresh_rebuilds(frozen_clock):
    """Selecting changes every applicant's eligibility: one note, not a log row per application, and
    the refresh after it rebuilds in full and matches."""
    frozen_clock(OPENS)
    call_command("generate_population", "--people", "40", "--seed", "9203", stdout=io.StringIO())
    users = list(User.objects.filter(email__startswith="p9203-"))
    batches.create_batch(number=640, quota=5, opens_at=OPENS, closes_at=CLOSES)
    batches.open_batch(640)
    for user in users:
        with contextlib.suppress(DomainError):
            batches.apply(user, 640)
    frozen_clock(CLOSES + dt.timedelta(hours=1))
    batches.close_batch(640)
    aggregates.refresh()
    assert not pending()

    batches.select_batch(640)
    applications = Application.objects.filter(batch__number=640)
    assert applications.filter(result__eligible__isnull=False).count() == applications.count() > 5
    logged = pending()
    assert change_log.EVERYONE in logged
    if connection.vendor == "postgresql":
        assert logged == {change_log.EVERYONE}  # the row triggers were off for the selection's insert
    # ... and back on after it.
    Result.objects.filter(pk=applications.filter(result__eligible=True).first().pk).update(eligible=False)
    assert len(pending()) > len(logged) or connection.vendor != "postgresql"

    result = aggregates.refresh_changes()
    assert (result["mode"], result["reason"]) == ("full", "bulk write")
    assert stored() == recomputed() and not pending()
    assert sum(row["eligible"] for row in stored().values()) == applications.filter(result__eligible=True).count()


def test_it_rebuilds_in_full_when_it_cannot_trust_what_is_stored(trained, monkeypatch):
    aggregates.refresh()
    # The snapshot is gone (PostgreSQL empties an unlogged table after a crash).
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {change_log.SNAPSHOT}")
    Recipient.objects.filter(person=trained[0]).update(status="revoked")
    result = aggregates.refresh_changes()
    assert (result["mode"], result["reason"]) == ("full", "snapshot lost") and stored() == recomputed()

    # The figures drifted from the snapshot: subtracting would go below zero.
    RegionBatchFigures.objects.update(purchases=0)
    Purchase.objects.filter(person=trained[1]).update(status="cancelled")
    result = aggregates.refresh_changes()
    assert (result["mode"], result["reason"]) == ("full", "drift") and stored() == recomputed()

    # More people changed than looking each one up is worth.
    monkeypatch.setattr(refresh, "FULL_REBUILD_ABOVE", 2)
    Recipient.objects.filter(person__in=trained[2:5]).update(status="revoked")
    result = aggregates.refresh_changes()
    assert (result["mode"], result["reason"]) == ("full", "3 people changed") and stored() == recomputed()
    assert not pending()


def test_the_periodic_task_and_the_command_apply_the_changes(trained, capsys):
    from django.core.management import call_command

    call_command("refresh_aggregates", "--full")
    Recipient.objects.filter(person=trained[0]).update(status="revoked")
    assert refresh_aggregates_task.enqueue().return_value["mode"] == "incremental"
    assert stored() == recomputed()
    Recipient.objects.filter(person=trained[1]).update(status="revoked")
    call_command("refresh_aggregates")
    assert "1 people's figures updated" in capsys.readouterr().out
    assert stored() == recomputed()


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_while_a_refresh_runs_is_kept_for_the_next(trained):
    """The refresh claims only the log rows it can see; a writer's uncommitted change stays logged."""
    if connection.vendor != "postgresql":
        pytest.skip("needs two concurrent writers (PostgreSQL)")
    aggregates.refresh()
    person = trained[0]
    started, release, done = threading.Event(), threading.Event(), threading.Event()

    def writer() -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                Recipient.objects.filter(person=person).update(status="revoked")
                started.set()
                release.wait(10)
        finally:
            connections.close_all()
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    assert started.wait(10)
    assert aggregates.refresh_changes()["people"] == 0  # the change is not committed yet: not seen
    release.set()
    assert done.wait(10)
    thread.join()
    assert pending() == {person.pk}
    assert aggregates.refresh_changes()["people"] == 1
    assert stored() == recomputed()
    assert sum(row["revoked"] for row in stored().values()) == 1


def test_a_failed_bulk_write_raises_its_own_error_and_leaves_the_log_as_it_was(trained):
    """An error inside ``bulk_write`` reaches the caller as it was, and the rollback takes the switch with it."""
    from django.db import DatabaseError, transaction

    aggregates.refresh()
    with pytest.raises(DatabaseError) as raised, transaction.atomic():
        with change_log.bulk_write(connection), connection.cursor() as cursor:
            cursor.execute("SELECT no_such_column FROM batches_application")
    assert "no_such_column" in str(raised.value)
    assert not pending()
    Recipient.objects.filter(person=trained[0]).update(status="revoked")
    assert pending() == {trained[0].pk}  # the triggers log again
