"""``registry/fresh_load.py``: a big load into an empty registry sets indexes and foreign keys aside.

PostgreSQL only (elsewhere ``generate-population`` is ``bulk.load`` as it is). The tests are
transactional: the fresh path is one transaction of its own, which a test's wrapping transaction
would turn off. ``FROM_PEOPLE`` and ``COPY_CHUNK`` are lowered so that a few hundred people take
the path in several chunks.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection

from prakerja.accounts.models import User
from prakerja.aptitude.models import Attempt
from prakerja.batches import actions
from prakerja.batches.models import Application, Batch
from prakerja.core import pii
from prakerja.registry import bulk, fresh_load
from prakerja.registry.models import CivilRegistryRecord, Declaration, Person
from prakerja.registry.population import people

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the fresh path is PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

NOW = dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC)  # 10:00 in Jakarta
TODAY = dt.date(2026, 11, 28)
MODELS = (CivilRegistryRecord, User, Person, Declaration, Attempt, Application)


@pytest.fixture
def small(monkeypatch, frozen_clock):
    frozen_clock(NOW)
    monkeypatch.setattr(fresh_load, "FROM_PEOPLE", 100)
    monkeypatch.setattr(bulk, "COPY_CHUNK", 70)


@pytest.fixture
def batch(small) -> Batch:
    actions.create_batch(
        number=1,
        quota=50,
        opens_at=NOW - dt.timedelta(hours=1),
        closes_at=NOW + dt.timedelta(days=7),
        allocation=Batch.Allocation.REGENCY,
    )
    return actions.open_batch(1)


@pytest.fixture
def set_aside(monkeypatch) -> list[fresh_load.SetAside]:
    """What the fresh path set aside (empty: it did not take the path)."""
    seen: list[fresh_load.SetAside] = []
    original = fresh_load.set_aside

    def spy(cursor, tables):
        seen.extend(original(cursor, tables))
        return seen

    monkeypatch.setattr(fresh_load, "set_aside", spy)
    return seen


def catalog() -> set[tuple]:
    """Every index and constraint of the loaded tables, as the catalog defines them (names included)."""
    tables = [m._meta.db_table for m in MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s)",
            [tables],
        )
        indexes = {("index", *row) for row in cursor.fetchall()}
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid), convalidated "
            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])",
            [tables],
        )
        constraints = {("constraint", *row) for row in cursor.fetchall()}
    return indexes | constraints


def snapshot() -> dict[str, list[tuple]]:
    """The rows, without database ids (foreign keys by natural key), numbers decrypted (nonces differ).

    Without the accounts' password (the command gives each run its own unusable hash)."""
    keys = {"user": "user__email", "person": "person__nik_index"}
    result = {}
    for model in MODELS:
        fields = [
            keys.get(f.name, f.attname)
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in ("date_joined", "last_login", "password")
        ]
        sealed = {n: name.split("_")[0] for n, name in enumerate(fields) if name.endswith("_ciphertext")}
        rows = [
            tuple(pii.decrypt(sealed[n], v) if n in sealed and v else v for n, v in enumerate(row))
            for row in model.objects.values_list(*fields)
        ]
        result[model.__name__] = sorted(rows, key=repr)
    return result


def applied_niks() -> list[str]:
    return [a.person.nik for a in Application.objects.order_by("id").select_related("person")]


def pending_people() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT person_id FROM reports_pending_change")
        return {row[0] for row in cursor.fetchall()}


def wipe() -> None:
    for model in reversed(MODELS):
        model.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_pending_change")


def test_the_fresh_path_writes_what_the_chunked_loader_writes(batch, set_aside):
    """Same rows, same key order, the change log fed, every index and constraint back and validated."""
    with connection.cursor() as cursor:  # what earlier tests logged (a flush empties Django's tables only)
        cursor.execute("DELETE FROM reports_pending_change")
    before = catalog()
    out = io.StringIO()
    call_command("generate_population", people=230, seed=3, apply_to_batch=1, stdout=out, stderr=io.StringIO())
    assert "230 new applicants and residents" in out.getvalue()
    tables = {item.table for item in set_aside}
    assert tables == {m._meta.db_table for m in MODELS}  # accounts too: there were none
    kinds = {item.kind for item in set_aside}
    assert kinds == {"foreign key", "unique constraint", "index"}
    # The residents' unique NIK stays live (their only unique key besides the primary key).
    assert not any(item.table == "registry_civilregistryrecord" and item.kind != "index" for item in set_aside)
    assert catalog() == before
    assert all(row[-1] for row in before if row[0] == "constraint")  # validated
    fresh, fresh_order = snapshot(), applied_niks()
    assert len(fresh["Person"]) == 230 and 150 < len(fresh_order) < 230
    # The change log's statement trigger saw every application, as on any insert.
    assert pending_people() == set(Application.objects.values_list("person_id", flat=True))

    wipe()
    chunked = bulk.load(people(3, 230, TODAY), seed=3, password_hash="h", batch=batch)
    assert chunked.key_checks != "set aside, validated at the end"
    assert snapshot() == fresh
    assert applied_niks() == fresh_order


def test_a_nik_drawn_twice_keeps_the_first_person(small, set_aside):
    """The residents' NIK index stays live, so a NIK met again in a later chunk is noticed and skipped."""
    generated = list(people(12, 200, TODAY))
    generated[150] = generated[150]._replace(nik=generated[10].nik)
    loaded = fresh_load.load(generated, expected=200, seed=12, password_hash="h")
    assert set_aside and loaded.key_checks == "set aside, validated at the end"
    assert loaded.people == 199 and loaded.retried_chunks == 1
    assert Person.objects.with_nik(generated[10].nik).get().user.email == bulk.email_of(12, 10)
    assert not User.objects.filter(email=bulk.email_of(12, 150)).exists()


def test_a_failure_leaves_the_registry_empty_with_its_indexes(small):
    before = catalog()

    def interrupted(done: int, added: int) -> None:
        if done > 100:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fresh_load.load(people(5, 300, TODAY), expected=300, seed=5, password_hash="h", progress=interrupted)
    assert not any(model.objects.exists() for model in MODELS)
    assert catalog() == before


def test_a_unique_key_broken_during_the_load_fails_the_whole_load(small, set_aside):
    """The accounts' unique email is rebuilt at the end: a duplicate there rolls everything back."""
    before = catalog()
    generated = list(people(6, 200, TODAY))
    generated[180] = generated[180]._replace(index=generated[20].index)  # same email and phone, another NIK
    with pytest.raises(IntegrityError):
        fresh_load.load(generated, expected=200, seed=6, password_hash="h")
    assert any(item.table == "accounts_user" for item in set_aside)
    assert not any(model.objects.exists() for model in MODELS)
    assert catalog() == before


def test_existing_accounts_keep_their_indexes(small, set_aside):
    """Staff accounts may exist before the first load: the accounts' indexes then stay live."""
    User.objects.create_user("pmo@prakerja.test", "Rahasia#2024x")
    before = catalog()
    loaded = fresh_load.load(people(7, 150, TODAY), expected=150, seed=7, password_hash="h")
    assert loaded.people == 150 and set_aside
    assert not any(item.table == "accounts_user" for item in set_aside)
    assert catalog() == before


def test_a_registry_with_people_or_a_small_load_takes_the_chunked_loader(small, set_aside):
    assert not fresh_load.applies(99)
    assert fresh_load.applies(100)
    fresh_load.load(people(8, 50, TODAY), expected=50, seed=8, password_hash="h")
    assert not set_aside and Person.objects.count() == 50
    assert not fresh_load.applies(1000)  # people are there now
    loaded = fresh_load.load(people(8, 300, TODAY), expected=300, seed=8, password_hash="h")
    assert not set_aside and loaded.people == 250


def test_the_fresh_path_keeps_the_program_s_people(small, set_aside):
    """What it writes, read back: NIKs that agree with region, birth date and gender, households, shares."""
    from collections import Counter

    from prakerja.regions.nik import check_kk, check_nik

    call_command("generate_population", people=3000, seed=4, stdout=io.StringIO(), stderr=io.StringIO())
    assert set_aside  # it took the fresh path
    rows = [
        (p.nik, p.kk_number, p.birth_date, p.gender, p.ktp_district_id, p.domicile_district_id, p)
        for p in Person.objects.all()
    ]
    assert len(rows) == 3000
    residents = {r.nik: r for r in CivilRegistryRecord.objects.all()}
    for nik, kk, birth_date, gender, ktp, domicile, person in rows:
        assert check_nik(nik, birth_date=birth_date, gender=gender, today=TODAY) == []
        assert check_kk(kk) == []
        assert nik[:6] == ktp == domicile and kk[:6] == ktp  # the household's district
        resident = residents[nik]  # the civil-registry double agrees with the person
        assert (resident.kk_number, resident.birth_date, resident.gender, resident.full_name) == (
            kk,
            birth_date,
            gender,
            person.full_name,
        )
    sizes = Counter(kk for _n, kk, *_ in rows)
    assert max(sizes.values()) <= 5 and sum(1 for n in sizes.values() if n > 1) > 500
    people_ = [row[-1] for row in rows]

    def share(test) -> float:
        return sum(1 for p in people_ if test(p)) / len(people_)

    assert 0.48 < share(lambda p: p.gender == "F") < 0.54
    assert 0.15 < share(lambda p: p.education in ("none", "sd")) < 0.21
    assert 0.57 < share(lambda p: p.employment_status in ("unemployed", "laid_off")) < 0.63
    assert 0.02 < share(lambda p: p.disability) < 0.04
    assert 0.02 < share(lambda p: p.former_migrant_worker) < 0.04
    assert 0.83 < share(lambda p: not p.prior_training) < 0.89


def test_a_role_that_does_not_own_the_tables_takes_the_chunked_loader(small):
    import os

    role = f"prakerja_fresh_load_test_{os.getpid()}"
    with connection.cursor() as cursor:
        assert fresh_load._may_alter(cursor)
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        try:
            cursor.execute(f"SET ROLE {role}")
            assert not fresh_load._may_alter(cursor)
        finally:
            cursor.execute("RESET ROLE")
            cursor.execute(f"DROP ROLE {role}")
