"""NIK and KK numbers at rest: encrypted in every table of the platform, found by their blind index."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from pii_world import DURING, apply, open_batch, participant, select_and_announce

from conftest import codes
from prakerja.accounts.models import User
from prakerja.batches.facts import facts_for
from prakerja.batches.models import Application, Recipient
from prakerja.core import pii
from prakerja.registry.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def table_text(table: str) -> str:
    """Every column of every row, as the database returns it (no model in between)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return repr(cursor.fetchall())


def test_no_table_holds_a_participants_nik_or_kk_in_plain_text(frozen_clock, verified_api, resident):
    frozen_clock(DURING)
    open_batch(1)
    client, identity = participant(verified_api, resident)
    apply(client, 1)
    select_and_announce(frozen_clock, 1)
    nik, kk = identity["nik"], identity["kk_number"]
    assert Recipient.objects.count() == 1
    for table in ("registry_person", "batches_application", "batches_recipient", "core_auditevent"):
        text = table_text(table)
        assert nik not in text and kk not in text, table
        assert nik[4:12] not in text and kk[4:12] not in text, table  # nor the masked-away middle
    # The civil-registry double stands for Dukcapil, outside the platform: it holds them (ADR 0006).
    assert nik in table_text("registry_civilregistryrecord")

    # What the columns hold: tokens that open to the numbers, and their blind indexes.
    with connection.cursor() as cursor:
        cursor.execute("SELECT nik_ciphertext, nik_index, kk_ciphertext, kk_index FROM registry_person")
        nik_token, nik_index, kk_token, kk_index = cursor.fetchone()
    assert (pii.decrypt("nik", nik_token), pii.decrypt("kk", kk_token)) == (nik, kk)
    assert (nik_index, kk_index) == (pii.nik_index(nik), pii.kk_index(kk))
    assert Application.objects.get().kk_index == kk_index == Recipient.objects.get().kk_index
    # And the model reads them back, for the many readers of person.nik.
    person = Person.objects.get()
    assert (person.nik, person.kk_number) == (nik, kk)
    assert client.get("/me").json()["identity"]["nik"] == nik


def test_people_are_found_by_their_numbers_through_the_index(verified_api, resident):
    _client, first = participant(verified_api, resident, kk="3273010510180777")
    _other, second = participant(verified_api, resident, kk="3273010510180777")
    person = Person.objects.with_nik(first["nik"]).get()
    assert person.full_name == first["full_name"]
    spaced = " ".join(first["nik"][i : i + 4] for i in range(0, 16, 4))
    assert Person.objects.with_nik(spaced).get() == person
    assert Person.objects.with_nik("").count() == 0 and Person.objects.with_nik("3273019999999999").count() == 0
    household = set(Person.objects.with_kk("3273010510180777").values_list("nik_index", flat=True))
    assert household == {pii.nik_index(first["nik"]), pii.nik_index(second["nik"])}
    # A NIK's index is not the index of a family card with the same digits.
    assert not Person.objects.with_kk(first["nik"]).exists()


def test_the_database_refuses_one_nik_twice():
    users = [User.objects.create_user(f"dua{i}@contoh.id", "x" * 12) for i in range(2)]
    Person.objects.create(user=users[0], nik="3273015405960001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(user=users[1], nik="3273015405960001")
    Person.objects.create(user=users[1])  # many people without an identity yet
    assert Person.objects.filter(nik_index__isnull=True).count() == 1


def test_a_nik_taken_by_another_account_is_refused_by_index(verified_api, resident):
    _client, identity = participant(verified_api, resident)
    other = verified_api()
    assert codes(other.put("/me/identity", identity)) == ["NIK_ALREADY_REGISTERED"]


def test_family_card_recipients_are_counted_by_index(verified_api, resident):
    kk = "3273010510180555"
    _a, first = participant(verified_api, resident, kk=kk)
    _b, second = participant(verified_api, resident, kk=kk)
    _c, third = participant(verified_api, resident, kk=kk)
    Person.objects.with_nik(first["nik"]).update(program_status="recipient")
    Person.objects.with_nik(second["nik"]).update(program_status="recipient")
    facts = facts_for(Person.objects.with_nik(third["nik"]).get())
    assert facts.kk_recipients == 2


def test_clawback_finds_the_recipient_by_nik(frozen_clock, verified_api, resident):
    frozen_clock(DURING)
    open_batch(1)
    client, identity = participant(verified_api, resident)
    apply(client, 1)
    select_and_announce(frozen_clock, 1)
    officer = User.objects.create_user("keuangan@prakerja.test", "x" * 12, role=User.Role.PMO_FINANCE_MAKER)
    with pytest.raises(CommandError, match="PERSON_NOT_FOUND"):
        call_command("clawback", "--nik", "3273019999999999", "--reason", "Data palsu", "--by", officer.email)
    out = io.StringIO()
    spaced = f"{identity['nik'][:8]} {identity['nik'][8:]}"
    call_command("clawback", "--nik", spaced, "--reason", "Data palsu", "--by", officer.email, stdout=out)
    assert "Recovery recorded" in out.getvalue()
    assert Recipient.objects.get().status == "revoked"
