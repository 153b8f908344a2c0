"""Compute the family-card blind index (core.pii) of every application and recipient; reversible.

Backwards, the number comes from the person's encrypted card number (an identity is locked once
verified, so it is the number the application froze).
"""

from django.db import migrations

CHUNK = 10_000


def index(apps, schema_editor):
    from prakerja.core import pii

    for name in ("Application", "Recipient"):
        model = apps.get_model("batches", name)
        rows = model.objects.order_by("id")
        last = 0
        while chunk := list(rows.filter(id__gt=last).only("id", "kk_number")[:CHUNK]):
            for row in chunk:
                row.kk_index = pii.kk_index(row.kk_number) if row.kk_number else ""
            model.objects.bulk_update(chunk, ["kk_index"])
            last = chunk[-1].id


def unindex(apps, schema_editor):
    from prakerja.core import pii

    Person = apps.get_model("registry", "Person")
    for name in ("Application", "Recipient"):
        model = apps.get_model("batches", name)
        rows = model.objects.order_by("id")
        last = 0
        while chunk := list(rows.filter(id__gt=last).only("id", "person_id", "kk_index")[:CHUNK]):
            tokens = dict(Person.objects.filter(id__in={r.person_id for r in chunk}).values_list("id", "kk_ciphertext"))
            for row in chunk:
                token = tokens.get(row.person_id) or ""
                kk = pii.decrypt("kk", token) if token else ""
                # Only the number the index stands for: a card changed since stays unknown rather than wrong.
                row.kk_number = kk if kk and pii.kk_index(kk) == row.kk_index else ""
            model.objects.bulk_update(chunk, ["kk_number"])
            last = chunk[-1].id


class Migration(migrations.Migration):
    dependencies = [
        ("batches", "0005_family_card_index"),
        # Forwards the people are encrypted before; backwards this runs while they still are.
        ("registry", "0003_encrypt_identity"),
    ]
    operations = [migrations.RunPython(index, unindex)]
