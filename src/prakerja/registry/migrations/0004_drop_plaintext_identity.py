"""Drop the plain-text NIK and KK columns (0003 encrypted them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_encrypt_identity")]

    operations = [
        migrations.RemoveField(model_name="person", name="nik"),
        migrations.RemoveField(model_name="person", name="kk_number"),
    ]
