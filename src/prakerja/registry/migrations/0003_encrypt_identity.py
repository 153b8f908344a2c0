"""Encrypt every stored NIK and KK number and compute their blind indexes (core.pii); reversible.

Uses the keys configured now (PII_ENCRYPTION_KEY, PII_INDEX_KEY, or in development the ones derived
from SECRET_KEY). Works in chunks of people so that memory stays flat on a large table.
"""

from django.db import migrations

CHUNK = 5000


def encrypt(apps, schema_editor):
    from prakerja.core import pii

    Person = apps.get_model("registry", "Person")
    rows = Person.objects.exclude(nik__isnull=True, kk_number="").order_by("id")
    last = 0
    while chunk := list(rows.filter(id__gt=last).only("id", "nik", "kk_number")[:CHUNK]):
        for person in chunk:
            nik, kk = person.nik or "", person.kk_number or ""
            person.nik_ciphertext = pii.encrypt("nik", nik) if nik else ""
            person.nik_index = pii.nik_index(nik) if nik else None
            person.kk_ciphertext = pii.encrypt("kk", kk) if kk else ""
            person.kk_index = pii.kk_index(kk) if kk else ""
        Person.objects.bulk_update(chunk, ["nik_ciphertext", "nik_index", "kk_ciphertext", "kk_index"])
        last = chunk[-1].id


def decrypt(apps, schema_editor):
    from prakerja.core import pii

    Person = apps.get_model("registry", "Person")
    rows = Person.objects.exclude(nik_ciphertext="", kk_ciphertext="").order_by("id")
    last = 0
    while chunk := list(rows.filter(id__gt=last).only("id", "nik_ciphertext", "kk_ciphertext")[:CHUNK]):
        for person in chunk:
            person.nik = pii.decrypt("nik", person.nik_ciphertext) if person.nik_ciphertext else None
            person.kk_number = pii.decrypt("kk", person.kk_ciphertext) if person.kk_ciphertext else ""
        Person.objects.bulk_update(chunk, ["nik", "kk_number"])
        last = chunk[-1].id


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_person_encrypted_identity")]
    operations = [migrations.RunPython(encrypt, decrypt)]
