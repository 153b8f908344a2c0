"""The change log's update triggers get a switch: a bulk writer turns them off for its transaction and
notes everyone once instead (reports.change_log.bulk_write)."""

from django.db import migrations

from prakerja.reports.change_log import recreate_update_triggers


class Migration(migrations.Migration):
    dependencies = [("reports", "0007_budget_coverage_apbd")]

    operations = [migrations.RunPython(recreate_update_triggers, migrations.RunPython.noop)]
