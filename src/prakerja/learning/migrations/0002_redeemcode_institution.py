"""Redeem codes carry their institution, so that a commit checks it on the code's own row."""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    RedeemCode = apps.get_model("learning", "RedeemCode")
    for code in RedeemCode.objects.select_related("training_class__program").iterator():
        code.institution_id = code.training_class.program.institution_id
        code.save(update_fields=["institution"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_catalog_newest_and_text_search"), ("learning", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="redeemcode",
            name="institution",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="catalog.institution"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="redeemcode",
            name="institution",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="catalog.institution"
            ),
        ),
    ]
