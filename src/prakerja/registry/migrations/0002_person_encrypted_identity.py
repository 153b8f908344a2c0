"""Encrypted NIK and KK columns with their blind indexes, beside the plain-text ones (filled by 0003)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="person", name="nik_ciphertext", field=models.CharField(blank=True, max_length=128)
        ),
        migrations.AddField(
            model_name="person", name="nik_index", field=models.CharField(blank=True, max_length=32, null=True)
        ),
        migrations.AddField(
            model_name="person", name="kk_ciphertext", field=models.CharField(blank=True, max_length=128)
        ),
        migrations.AddField(model_name="person", name="kk_index", field=models.CharField(blank=True, max_length=32)),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(fields=("nik_index",), name="person_nik_index_unique"),
        ),
        migrations.AddIndex(model_name="person", index=models.Index(fields=["kk_index"], name="person_kk_index")),
    ]
