"""``prakerja rotate-pii-key``: every stored number moves under the current key; the old one can then go."""

from __future__ import annotations

import base64
import io
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from prakerja.accounts.models import User
from prakerja.core import pii
from prakerja.registry.models import Person

pytestmark = pytest.mark.django_db


def key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_pii_key", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_rotation_re_encrypts_everyone_under_the_new_key(settings):
    old, new = key(), key()
    settings.PII_ENCRYPTION_KEY = old
    users = User.objects.bulk_create([User(email=f"r{i}@contoh.id") for i in range(7)])
    numbers = [(f"32730154059600{i:02d}", f"32730105101800{i % 3:02d}") for i in range(6)]
    Person.objects.bulk_create(
        [Person(user=u, nik=nik, kk_number=kk) for u, (nik, kk) in zip(users, numbers, strict=False)]
        + [Person(user=users[6])]  # no identity: nothing to rotate
    )
    indexes = sorted(Person.objects.values_list("nik_index", "kk_index"), key=repr)

    settings.PII_ENCRYPTION_KEY, settings.PII_OLD_ENCRYPTION_KEYS = new, [old]
    assert run("--dry-run").startswith("6 people have numbers under a key other than the current")
    out = run("--chunk", "4")
    assert "6 people re-encrypted (12 numbers)" in out and "0 left under other keys" in out
    assert run("--dry-run").startswith("0 people")

    settings.PII_OLD_ENCRYPTION_KEYS = []  # the old key is gone: everything still opens
    current = pii.keys().current_id
    opened = [(p.nik, p.kk_number) for p in Person.objects.order_by("id")]
    assert opened == [*numbers, (None, "")]
    for person in Person.objects.exclude(nik_index=None):
        assert pii.token_key_id(person.nik_ciphertext) == current == pii.token_key_id(person.kk_ciphertext)
    # Blind indexes depend on the index key only: unchanged, so look-ups and the unique NIK still hold.
    assert sorted(Person.objects.values_list("nik_index", "kk_index"), key=repr) == indexes


def test_rotation_stops_on_a_number_no_key_opens(settings):
    settings.PII_ENCRYPTION_KEY = key()
    Person.objects.create(user=User.objects.create_user("x@contoh.id", "x" * 12), nik="3273015405960001")
    settings.PII_ENCRYPTION_KEY = key()  # the old key was dropped too early
    with pytest.raises(CommandError, match="does not open with any configured key"):
        run()
