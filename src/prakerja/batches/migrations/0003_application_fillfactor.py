"""Leave room in each PostgreSQL page for the selection's rewrite of every application (HOT updates)."""

from django.db import migrations


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE batches_application SET (fillfactor = 50)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE batches_application RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("batches", "0002_drop_status_index")]
    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
