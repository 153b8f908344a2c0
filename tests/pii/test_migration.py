"""The data migrations: existing plain-text numbers are encrypted and indexed, and back again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from prakerja.batches.models import Application, Recipient
from prakerja.core import pii
from prakerja.registry.models import Person

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("registry", "0001_initial"), ("batches", "0004_recipient_next_purchase_deadline")]
NIK, KK = "3273015405960001", "3273010510180004"
AT = dt.datetime(2026, 7, 1, 3, 0, tzinfo=dt.UTC)


def migrate(targets):
    """Migrate to ``targets``; the models as the whole database then stands (other apps at their latest)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    applied = executor.loader.applied_migrations
    return executor.loader.project_state(
        [n for n in executor.loader.graph.leaf_nodes() if n in applied]
        + [t for t in targets if t not in executor.loader.graph.leaf_nodes()]
    ).apps


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_numbers_are_encrypted_forwards_and_restored_backwards():
    head = latest()
    apps = migrate(BEFORE)
    user_model = apps.get_model("accounts", "User")
    person_model = apps.get_model("registry", "Person")
    batch_model = apps.get_model("batches", "Batch")
    users = [user_model.objects.create(email=f"m{i}@contoh.id", password="!") for i in range(3)]
    verified = person_model.objects.create(user=users[0], nik=NIK, kk_number=KK, full_name="Siti")
    person_model.objects.create(user=users[1])  # no identity yet
    person_model.objects.create(user=users[2], nik="3273011102970006", kk_number=KK, full_name="Dedi")
    batch = batch_model.objects.create(number=1, opens_at=AT, closes_at=AT + dt.timedelta(days=7), quota=1)
    application = apps.get_model("batches", "Application").objects.create(
        batch=batch, person=verified, applied_at=AT, regency_code="3273", kk_number=KK, birth_date=dt.date(1996, 5, 14),
        gender="F", occupation="not_working", in_formal_education=False, employment_status="unemployed",
        prior_training=False,
    )  # fmt: skip
    apps.get_model("batches", "Recipient").objects.create(
        person=verified, batch=batch, application=application, kk_number=KK, card_number="5000000000000001",
        named_at=AT, first_purchase_deadline=dt.date(2026, 7, 16),
    )  # fmt: skip

    migrate(head)
    person = Person.objects.with_nik(NIK).get()
    assert (person.nik, person.kk_number, person.full_name) == (NIK, KK, "Siti")
    assert NIK not in person.nik_ciphertext and person.kk_index == pii.kk_index(KK)
    assert Person.objects.with_kk(KK).count() == 2
    assert Person.objects.filter(nik_index=None, kk_index="", nik_ciphertext="").count() == 1
    assert Application.objects.get().kk_index == pii.kk_index(KK) == Recipient.objects.get().kk_index

    apps = migrate(BEFORE)
    restored = apps.get_model("registry", "Person").objects.order_by("id")
    assert [(p.nik, p.kk_number) for p in restored] == [(NIK, KK), (None, ""), ("3273011102970006", KK)]
    assert apps.get_model("batches", "Application").objects.get().kk_number == KK
    assert apps.get_model("batches", "Recipient").objects.get().kk_number == KK
    migrate(head)
