"""Catalog search at national scale: an index for "newest first", and on PostgreSQL trigram
indexes so that a text search (``title`` or ``competencies`` containing the words, any case)
does not read every program. SQLite, the embedded default, keeps its plain scan."""

from django.db import migrations, models

TEXT_INDEXES = (
    ("program_title_trgm", "title"),
    ("program_competencies_trgm", "competencies"),
)


def create_text_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension: the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TEXT_INDEXES:
        # Django's icontains is UPPER(column) LIKE UPPER(%…%): index that expression.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON catalog_program USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_text_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in TEXT_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="program",
            index=models.Index(fields=["status", "-decided_at", "-id"], name="program_catalog_newest"),
        ),
        migrations.RunPython(create_text_indexes, drop_text_indexes),
    ]
