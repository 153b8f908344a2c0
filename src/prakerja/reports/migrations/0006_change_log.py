"""The change log and the per-person snapshot of the incremental refresh (reports.change_log)."""

from django.db import migrations

from prakerja.reports.change_log import create, drop


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_announcements"),
        # the tables as they stand today: on SQLite, a later migration that remakes one of them
        # drops its triggers (tests/reports/test_incremental_refresh.py checks they are all there)
        ("batches", "0007_drop_family_card_number"),
        ("learning", "0002_redeemcode_institution"),
        ("payments", "0006_payout_queues"),
        ("surveys", "0001_initial"),
        ("registry", "0004_drop_plaintext_identity"),
    ]

    operations = [migrations.RunPython(create, drop)]
