"""The frozen family-card fact of applications and recipients becomes the card's blind index (0006 fills it)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("batches", "0004_recipient_next_purchase_deadline")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="kk_index",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="recipient",
            name="kk_index",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
    ]
