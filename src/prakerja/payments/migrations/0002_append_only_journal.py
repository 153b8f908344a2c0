"""Make the journal append-only in the database itself (PostgreSQL).

The models already refuse save-on-existing, delete and QuerySet.update/delete;
these triggers also stop raw SQL and any other client. They refuse row-level
UPDATE and DELETE on journal entries and postings with SQLSTATE 23001
(restrict_violation, an IntegrityError for Django). TRUNCATE is not a row
operation and stays possible for the table owner, which is how the test suite
empties the database between transactional tests.

SQLite, the embedded development database, gets no trigger: Django's flush
there is ``DELETE FROM``, which a trigger would block.
"""

from django.db import migrations

TABLES = ("payments_journalentry", "payments_posting")

FORWARD = [
    """
    CREATE FUNCTION payments_refuse_journal_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'ledger table % is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'restrict_violation',
                  HINT = 'Correct a mistake with a reversing journal entry.';
    END;
    $$;
    """,
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION payments_refuse_journal_change();"
        for table in TABLES
    ),
]
BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in TABLES),
    "DROP FUNCTION IF EXISTS payments_refuse_journal_change();",
]


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL that does nothing on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
    ]

    operations = [
        PostgreSQLOnly(sql=FORWARD, reverse_sql=BACKWARD),
    ]
