from django.db import migrations

from prakerja.core.audit_guard import create_triggers, drop_triggers


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
