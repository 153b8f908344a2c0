"""``generate-population`` at scale: the COPY and ORM paths write the same rows, ``--apply-to-batch``.

Runs in both suites (SQLite, PostgreSQL). What can only be shown on one
backend is skipped on the other: the COPY path (and its variants) exists on
PostgreSQL only; on SQLite the same golden digest shows that both backends
hold the very same people for a seed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from prakerja.accounts.models import User
from prakerja.aptitude.models import Attempt
from prakerja.batches import actions, eligibility
from prakerja.batches.facts import current_rules, facts_for
from prakerja.batches.models import Application, Batch
from prakerja.core import pii
from prakerja.core.errors import DomainError
from prakerja.registry import bulk
from prakerja.registry.models import CivilRegistryRecord, Declaration, Person, ProgramStatus
from prakerja.registry.population import Synthetic, people

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC)  # 10:00 in Jakarta
TODAY = dt.date(2026, 11, 28)
POSTGRES = connection.vendor == "postgresql"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def open_batch(number: int = 1, quota: int = 50, allocation: str = Batch.Allocation.REGENCY) -> Batch:
    actions.create_batch(
        number=number,
        quota=quota,
        opens_at=NOW - dt.timedelta(hours=1),
        closes_at=NOW + dt.timedelta(days=7),
        allocation=allocation,
    )
    return actions.open_batch(number)


def snapshot() -> dict[str, list[tuple]]:
    """Every row the loader writes, without database ids (foreign keys by natural key instead).

    Encrypted numbers are compared decrypted: each encryption draws its own nonce.
    """
    tables = {
        "residents": (CivilRegistryRecord, {}),
        "users": (User, {}),
        "persons": (Person, {"user": "user__email"}),
        "declarations": (Declaration, {"person": "person__nik_index"}),
        "attempts": (Attempt, {"user": "user__email"}),
        "applications": (Application, {"person": "person__nik_index"}),
    }
    result = {}
    for name, (model, keys) in tables.items():
        fields = [
            keys.get(f.name, f.attname)
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in ("date_joined", "last_login")
        ]
        sealed = {n: field.split("_")[0] for n, field in enumerate(fields) if field.endswith("_ciphertext")}
        rows = [
            tuple(pii.decrypt(sealed[n], v) if n in sealed and v else v for n, v in enumerate(row))
            for row in model.objects.values_list(*fields)
        ]
        result[name] = sorted(rows, key=repr)
    return result


def applied_niks(batch: Batch | None = None) -> list[str]:
    """The NIKs of the applicants (of ``batch``, or all), in application key order."""
    rows = Application.objects.filter(**({"batch": batch} if batch else {})).order_by("id").select_related("person")
    return [a.person.nik for a in rows]


def wipe() -> None:
    for model in (Application, Attempt, Declaration, Person, User, CivilRegistryRecord):
        model.objects.all().delete()


def rules_accept(p: Synthetic, kk_recipients: int = 0, status: str = ProgramStatus.NONE) -> bool:
    facts = eligibility.Facts(
        on=TODAY,
        birth_date=p.birth_date,
        in_formal_education=False,
        occupation=p.occupation,
        kk_recipients=kk_recipients,
        prior_recipient=status == ProgramStatus.RECIPIENT,
        revoked=status == ProgramStatus.REVOKED,
        identity_verified=True,
        profile_complete=True,
        declaration_accepted=True,
        test_taken=True,
    )
    return not eligibility.problems(facts, current_rules())


def test_postgresql_loads_with_copy_and_sqlite_with_batched_inserts(frozen_clock):
    frozen_clock(NOW)
    out = run("generate_population", "--people", "50", "--seed", "4")
    if POSTGRES:
        assert bulk.method_for() == "copy" and "(COPY)" in out
    else:
        assert bulk.method_for() == "orm" and "(batched INSERTs)" in out
    assert "50 new applicants" in out and Person.objects.count() == 50


def test_every_way_writes_the_same_rows(frozen_clock):
    """ORM and COPY (with per-row or per-chunk key checks) give identical rows, and again on a second run."""
    frozen_clock(NOW)
    batch = open_batch()
    ways: list[tuple[str | None, str | None]] = [(None, None), ("orm", None)]
    if POSTGRES:
        ways += [("copy", "per row")] + ([("copy", "per chunk")] if bulk._may_skip_key_checks() else [])
    snapshots = []
    for method, checks in ways:
        loaded = bulk.load(
            people(21, 150, TODAY), seed=21, password_hash="h", batch=batch, method=method, key_checks=checks
        )
        assert loaded.method == (method or bulk.method_for())
        assert loaded.people == 150 and 0 < loaded.applications < 150
        snapshots.append(snapshot())
        wipe()
    assert len(snapshots[0]["persons"]) == 150
    for other in snapshots[1:]:
        assert other == snapshots[0]


def test_same_people_for_a_seed_on_every_backend(frozen_clock):
    """A golden digest, asserted in the SQLite run and in the PostgreSQL run: both hold the same people.

    It changes only when the generator or the identifiers change (``registry/population.py``,
    ``registry/bulk.py``); update it then, deliberately.
    """
    frozen_clock(NOW)
    run("generate_population", "--people", "120", "--seed", "9")
    rows = [
        (p.nik, p.kk_number, p.full_name, p.birth_date, p.gender, p.domicile_district_id, p.public_id,
         p.user.public_id, p.user.email, p.user.phone, p.education, p.occupation, p.prior_training)
        for p in Person.objects.select_related("user")
    ]  # fmt: skip
    text = "\n".join(sorted("|".join(str(v) for v in row) for row in rows))
    assert len(rows) == 120
    assert hashlib.sha256(text.encode()).hexdigest() == GOLDEN


GOLDEN = "f68efb18998255b059aba27d6bb1b7e73180805ce1fa9810aafe4757bbe54da0"


def test_apply_to_batch_takes_exactly_the_eligible_with_their_facts(frozen_clock):
    frozen_clock(NOW)
    batch = open_batch(quota=40)
    out = run("generate_population", "--people", "400", "--seed", "5", "--apply-to-batch", "1")
    generated = list(people(5, 400, TODAY))
    eligible = {p.nik: p for p in generated if rules_accept(p)}
    too_old = [p for p in generated if eligibility.age_on(p.birth_date, TODAY) > 64]
    assert too_old and 300 < len(eligible) < 400
    applications = {a.person.nik: a for a in Application.objects.filter(batch=batch).select_related("person")}
    assert set(applications) == set(eligible)
    assert not {p.nik for p in too_old} & set(applications)
    assert f"{len(eligible):,} new applications to batch 1" in out
    # Keys follow the person's number on every backend, so rows sort alike (the selection digest's order).
    by_key = applied_niks(batch)
    assert by_key == [p.nik for p in generated if p.nik in eligible]
    assert [person.nik for person in Person.objects.order_by("id")] == [p.nik for p in generated]
    tokens = Counter(a.token for a in applications.values())
    assert len(tokens) == len(applications)
    for nik, a in applications.items():
        p = eligible[nik]
        assert (a.regency_code, a.kk_index, a.birth_date, a.gender, a.occupation, a.employment_status) == (
            p.district_code[:4],
            pii.kk_index(p.kk_number),
            p.birth_date,
            p.gender,
            p.occupation,
            p.employment_status,
        )
        assert (a.in_formal_education, a.prior_training, a.prior_recipient) == (False, p.prior_training, False)
        assert (a.status, a.applied_at, a.eligible, a.rank, a.reason) == ("applied", NOW, None, None, "")
        assert len(a.token) == 32 and int(a.token, 16) >= 0
    # The platform's own per-person facts agree: identity, profile, declaration and test are all in place.
    for person in Person.objects.order_by("nik_index")[:40]:
        assert (eligibility.problems(facts_for(person, TODAY), current_rules()) == []) == (person.nik in eligible)
    # And the selection takes them as they are.
    actions.close_batch(1)
    actions.select_batch(1)
    selected = Application.objects.filter(batch=batch, result__status=Application.Status.SELECTED).count()
    assert 0 < selected <= 40


def test_apply_to_batch_needs_an_open_batch(frozen_clock):
    frozen_clock(NOW)
    with pytest.raises(CommandError, match="BATCH_NOT_FOUND"):
        run("generate_population", "--people", "5", "--seed", "2", "--apply-to-batch", "7")
    actions.create_batch(number=7, quota=5, opens_at=NOW, closes_at=NOW + dt.timedelta(days=1))
    with pytest.raises(CommandError, match="BATCH_NOT_OPEN"):
        run("generate_population", "--people", "5", "--seed", "2", "--apply-to-batch", "7")
    actions.open_batch(7)
    actions.close_batch(7)
    with pytest.raises(CommandError, match="BATCH_NOT_OPEN"):
        run("generate_population", "--people", "5", "--seed", "2", "--apply-to-batch", "7")
    assert Person.objects.count() == 0  # refused before loading anyone
    # Closed while loading: the chunk that finds it closed is rolled back, and the error says why.
    closed = Batch.objects.get(number=7)
    with pytest.raises(DomainError) as refused:
        bulk.load(people(2, 5, TODAY), seed=2, password_hash="h", batch=closed)
    assert [p.code for p in refused.value.problems] == ["BATCH_NOT_OPEN"]
    assert Person.objects.count() == 0 and Application.objects.count() == 0


def test_apply_to_batch_outside_its_window_is_allowed(frozen_clock):
    """Unlike a participant's application: a benchmark fills a batch whose dates are elsewhere."""
    frozen_clock(NOW)
    open_batch(3)
    frozen_clock(NOW + dt.timedelta(days=30))
    run("generate_population", "--people", "30", "--seed", "3", "--apply-to-batch", "3")
    assert Application.objects.filter(batch__number=3).count() > 20


def test_rerun_skips_people_and_applications_and_applies_earlier_people(frozen_clock):
    frozen_clock(NOW)
    run("generate_population", "--people", "200", "--seed", "6")  # an earlier run, without a batch
    # Two members of one household became recipients since: the family card's cap is reached.
    kk = next(kk for kk, n in Counter(p.kk_number for p in Person.objects.all()).items() if n >= 3)
    household = sorted(Person.objects.with_kk(kk), key=lambda person: person.nik)
    Person.objects.filter(pk__in=[household[0].pk, household[1].pk]).update(program_status=ProgramStatus.RECIPIENT)
    recipients = {household[0].nik, household[1].nik}
    batch = open_batch()

    out = run("generate_population", "--people", "300", "--seed", "6", "--apply-to-batch", "1")
    assert "100 new applicants and residents (200 already present)" in out
    expected = set()
    for p in people(6, 300, TODAY):
        on_card = len(recipients - {p.nik}) if p.kk_number == kk else 0
        status = ProgramStatus.RECIPIENT if p.nik in recipients else ProgramStatus.NONE
        if rules_accept(p, on_card, status):
            expected.add(p.nik)
    applied = applied_niks(batch)
    assert sorted(applied) == sorted(expected)  # one each, none twice
    assert not {person.nik for person in household} & set(applied)
    assert f"{len(expected):,} new applications" in out

    again = run("generate_population", "--people", "300", "--seed", "6", "--apply-to-batch", "1")
    assert "0 new applicants and residents (300 already present)" in again
    assert "0 new applications" in again
    assert Application.objects.filter(batch=batch).count() == len(expected)
    assert Person.objects.count() == 300 and User.objects.count() == 300


def test_a_nik_twice_keeps_the_first_person(frozen_clock):
    frozen_clock(NOW)
    generated = list(people(12, 10, TODAY))
    generated[7] = generated[7]._replace(nik=generated[2].nik)
    loaded = bulk.load(generated, seed=12, password_hash="h")
    assert loaded.people == 9
    assert Person.objects.with_nik(generated[2].nik).get().user.email == bulk.email_of(12, 2)
    assert not User.objects.filter(email=bulk.email_of(12, 7)).exists()


@pytest.mark.skipif(not POSTGRES, reason="COPY in parallel threads is the PostgreSQL path")
@pytest.mark.django_db(transaction=True)
def test_parallel_copy_resumes_an_interrupted_run(monkeypatch, frozen_clock):
    """Two loader threads, small chunks: an interrupted run (the first 230) is completed by a rerun."""
    frozen_clock(NOW)
    monkeypatch.setattr(bulk, "COPY_CHUNK", 40)
    batch = open_batch()
    first = bulk.load(people(8, 230, TODAY), seed=8, password_hash="h", batch=batch)
    assert (first.method, first.workers, first.people) == ("copy", bulk.WORKERS, 230) and bulk.WORKERS >= 2
    second = bulk.load(people(8, 500, TODAY), seed=8, password_hash="h", batch=batch)
    assert second.people == 270 and second.retried_chunks >= 1
    generated = list(people(8, 500, TODAY))
    assert sorted(p.nik for p in Person.objects.all()) == sorted(p.nik for p in generated)
    applied = applied_niks(batch)
    assert sorted(applied) == sorted(p.nik for p in generated if rules_accept(p))
    assert first.applications + second.applications == len(applied)
    by_key = applied_niks()
    assert by_key == [p.nik for p in generated if rules_accept(p)]  # whichever thread wrote the chunk
    # Ids came from the sequences: the next ordinary insert does not collide.
    User.objects.create_user("after@population.test", "x")


def test_two_seeds_sharing_phone_numbers_are_refused_before_writing(settings):
    """Phone numbers hold the seed modulo 1000: the second seed is refused with a clear message."""
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from prakerja.accounts.models import User

    call_command("generate_population", "--people", "3", "--seed", "2061", stdout=io.StringIO(), stderr=io.StringIO())
    before = User.objects.count()
    with pytest.raises(CommandError, match="differs from it modulo 1000"):
        call_command(
            "generate_population", "--people", "3", "--seed", "3061", stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert User.objects.count() == before
