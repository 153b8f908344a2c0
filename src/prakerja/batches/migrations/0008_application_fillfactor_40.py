"""Room for the whole rewrite: a selected row is ~35 bytes longer than an applied one (status, reason, rank,
tier, eligible), so at half-full pages about one update in ten no longer fit in its page and touched every
index. At 40% each page holds both versions of all its rows. Pages written before keep their layout until
the table is rewritten (``VACUUM FULL``); new applications get the room."""

from django.db import migrations


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE batches_application SET (fillfactor = 40)")


def back_to_half(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE batches_application SET (fillfactor = 50)")


class Migration(migrations.Migration):
    dependencies = [("batches", "0007_drop_family_card_number")]
    operations = [migrations.RunPython(set_fillfactor, back_to_half)]
