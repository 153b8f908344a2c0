"""Compute the family-card blind index (core.pii) of every application and recipient; reversible.

Backwards, the number comes from the person's encrypted card number (an identity is locked once
verified, so it is the number the application froze); a card whose index differs stays empty
rather than wrong. Chunks by id, each written with one ``executemany``.
"""

from django.db import migrations

CHUNK = 10_000


def _chunks(schema_editor, sql, args=()):
    last = 0
    while True:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql, [*args, last, CHUNK])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def index(apps, schema_editor):
    from prakerja.core import pii

    for name in ("Application", "Recipient"):
        table = apps.get_model("batches", name)._meta.db_table
        sql = f"SELECT id, kk_number FROM {table} WHERE id > %s ORDER BY id LIMIT %s"  # noqa: S608 (a model's table)
        cache: dict[str, str] = {}
        for rows in _chunks(schema_editor, sql):
            values = []
            for pk, kk in rows:
                if kk and kk not in cache:
                    cache[kk] = pii.kk_index(kk)
                values.append((cache[kk] if kk else "", pk))
            if len(cache) > 200_000:
                cache.clear()
            with schema_editor.connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET kk_index = %s WHERE id = %s", values)  # noqa: S608


def unindex(apps, schema_editor):
    from prakerja.core import pii

    people = apps.get_model("registry", "Person")._meta.db_table
    for name in ("Application", "Recipient"):
        table = apps.get_model("batches", name)._meta.db_table
        sql = (
            f"SELECT t.id, t.kk_index, p.kk_ciphertext FROM {table} t JOIN {people} p ON p.id = t.person_id "  # noqa: S608
            "WHERE t.id > %s ORDER BY t.id LIMIT %s"
        )
        for rows in _chunks(schema_editor, sql):
            values = []
            for pk, index_, token in rows:
                kk = pii.decrypt("kk", token) if token else ""
                values.append((kk if kk and pii.kk_index(kk) == index_ else "", pk))
            with schema_editor.connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET kk_number = %s WHERE id = %s", values)  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("batches", "0005_family_card_index"),
        # Forwards the people are encrypted before; backwards this runs while they still are.
        ("registry", "0003_encrypt_identity"),
    ]
    operations = [migrations.RunPython(index, unindex)]
