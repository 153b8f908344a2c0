"""Drop the plain-text family-card numbers of applications and recipients (0006 indexed them).

The columns first get a default ('') so that undoing this migration can add them back to rows that
exist (0006's reverse then fills them from the people's encrypted numbers).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("batches", "0006_fill_family_card_index")]

    operations = [
        migrations.AlterField(
            model_name="application", name="kk_number", field=models.CharField(default="", max_length=16)
        ),
        migrations.AlterField(
            model_name="recipient", name="kk_number", field=models.CharField(db_index=True, default="", max_length=16)
        ),
        migrations.RemoveField(model_name="application", name="kk_number"),
        migrations.RemoveField(model_name="recipient", name="kk_number"),
        migrations.AddIndex(model_name="recipient", index=models.Index(fields=["kk_index"], name="recipient_kk_index")),
    ]
