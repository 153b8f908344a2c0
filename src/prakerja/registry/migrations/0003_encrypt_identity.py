"""Encrypt every stored NIK and KK number and compute their blind indexes (core.pii); reversible.

Uses the keys configured now (PII_ENCRYPTION_KEY, PII_INDEX_KEY, or in development the ones derived
from SECRET_KEY). Walks the people by id in chunks (flat memory on a large table) and writes each
chunk with one ``executemany`` (a pipeline on PostgreSQL: tens of thousands of rows a second).
"""

from django.db import migrations

CHUNK = 10_000


def _walk(schema_editor, table, columns, where):
    """Chunks of ``(id, *columns)`` rows, in id order."""
    quote = schema_editor.connection.ops.quote_name
    last = 0
    while True:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, {', '.join(quote(c) for c in columns)} FROM {quote(table)} "  # noqa: S608 (model names)
                f"WHERE id > %s AND ({where}) ORDER BY id LIMIT %s",
                [last, CHUNK],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def encrypt(apps, schema_editor):
    from prakerja.core import pii

    table = apps.get_model("registry", "Person")._meta.db_table
    for rows in _walk(schema_editor, table, ["nik", "kk_number"], "nik IS NOT NULL OR kk_number <> ''"):
        values = [
            (
                pii.encrypt("nik", nik) if nik else "",
                pii.nik_index(nik) if nik else None,
                pii.encrypt("kk", kk) if kk else "",
                pii.kk_index(kk) if kk else "",
                pk,
            )
            for pk, nik, kk in rows
        ]
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET nik_ciphertext = %s, nik_index = %s, kk_ciphertext = %s, kk_index = %s "  # noqa: S608
                "WHERE id = %s",
                values,
            )


def decrypt(apps, schema_editor):
    from prakerja.core import pii

    table = apps.get_model("registry", "Person")._meta.db_table
    where = "nik_ciphertext <> '' OR kk_ciphertext <> ''"
    for rows in _walk(schema_editor, table, ["nik_ciphertext", "kk_ciphertext"], where):
        values = [
            (pii.decrypt("nik", nik) if nik else None, pii.decrypt("kk", kk) if kk else "", pk) for pk, nik, kk in rows
        ]
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET nik = %s, kk_number = %s WHERE id = %s", values)  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_person_encrypted_identity")]
    operations = [migrations.RunPython(encrypt, decrypt)]
