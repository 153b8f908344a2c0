"""The selection's outcome moves out of the application rows into ``batches_result`` (one narrow row per
application, written by one ``INSERT`` per batch instead of an ``UPDATE`` of every wide application row;
docs/decisions/0003-selection.md).

The dashboards' update trigger names ``eligible``: it is dropped first, and reports.0009 creates it
again without that column (on SQLite with the table's other triggers, which remaking it dropped), and
the result table's own triggers. Applications are
no longer rewritten, so their pages are filled again (new pages; old ones keep their layout until the
table is rewritten). Results already drawn are copied over unchanged, so old digests still verify.
"""

import django.db.models.deletion
from django.db import migrations, models


def drop_update_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS reports_log_update ON batches_application")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS reports_log_update_batches_application")


def copy_results(apps, schema_editor):
    schema_editor.execute(
        "INSERT INTO batches_result (application_id, status, eligible, tier, rank, reason) "
        "SELECT id, status, COALESCE(eligible, FALSE), tier, rank, reason FROM batches_application "
        "WHERE status <> 'applied'"
    )


def copy_results_back(apps, schema_editor):
    schema_editor.execute(
        "UPDATE batches_application SET status = r.status, eligible = r.eligible, tier = r.tier, rank = r.rank, "
        "reason = r.reason FROM batches_result r WHERE r.application_id = batches_application.id"
        if schema_editor.connection.vendor == "postgresql"
        else "UPDATE batches_application SET (status, eligible, tier, rank, reason) = (SELECT r.status, r.eligible, "
        "r.tier, r.rank, r.reason FROM batches_result r WHERE r.application_id = batches_application.id) "
        "WHERE id IN (SELECT application_id FROM batches_result)"
    )


def fill_pages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE batches_application RESET (fillfactor)")


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE batches_application SET (fillfactor = 40)")


class Migration(migrations.Migration):
    dependencies = [
        ("batches", "0008_application_fillfactor_40"),
        ("reports", "0008_change_log_switch"),
    ]

    operations = [
        migrations.CreateModel(
            name="Result",
            fields=[
                (
                    "application",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="result",
                        serialize=False,
                        to="batches.application",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("applied", "Applied"), ("selected", "Selected"), ("not_selected", "Not selected")],
                        max_length=14,
                    ),
                ),
                ("eligible", models.BooleanField()),
                ("tier", models.PositiveSmallIntegerField(null=True)),
                ("rank", models.PositiveIntegerField(help_text="place in its region's draw, eligible only", null=True)),
                ("reason", models.CharField(max_length=40)),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "selected")), fields=["application"], name="result_selected"
                    )
                ],
            },
        ),
        migrations.RunPython(drop_update_trigger, migrations.RunPython.noop),
        migrations.RunPython(copy_results, copy_results_back),
        # A default first, so that undoing this can add the column back to the rows that exist.
        migrations.AlterField(
            model_name="application", name="reason", field=models.CharField(default="", max_length=40)
        ),
        migrations.RemoveField(model_name="application", name="status"),
        migrations.RemoveField(model_name="application", name="eligible"),
        migrations.RemoveField(model_name="application", name="tier"),
        migrations.RemoveField(model_name="application", name="rank"),
        migrations.RemoveField(model_name="application", name="reason"),
        migrations.RunPython(fill_pages, leave_room),
    ]
