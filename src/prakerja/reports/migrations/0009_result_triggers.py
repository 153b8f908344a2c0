"""The change log follows the selection's results in their own table (batches.0009): the applications'
update trigger without ``eligible``, and row triggers on ``batches_result``."""

from django.db import migrations

from prakerja.reports import change_log


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        change_log.recreate_update_triggers(apps, schema_editor)
    else:
        # Remaking the table (batches.0009) dropped its triggers on SQLite.
        for op in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS reports_log_{op}_batches_application", params=None)
        for sql in change_log.sqlite_table_triggers("batches_application"):
            schema_editor.execute(sql, params=None)
    for sql in change_log.result_triggers(vendor):
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    for sql in change_log.drop_result_triggers(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("reports", "0008_change_log_switch"), ("batches", "0009_results_table")]

    operations = [migrations.RunPython(forwards, backwards)]
