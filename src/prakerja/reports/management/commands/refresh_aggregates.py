"""``prakerja refresh-aggregates``: rebuild the dashboard and open-data figures (one transaction).

Also the task ``prakerja.reports.tasks.refresh_aggregates_task``. Safe to run at any time and again."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from prakerja.reports.aggregates import refresh


class Command(BaseCommand):
    help = "Rebuild the pre-aggregated dashboard figures (per batch and regency/city) from the program's tables."

    def handle(self, *args, **options):
        fresh = refresh()
        self.stdout.write(f"{fresh.rows:,} rows (batch × regency/city) as of {fresh.as_of.isoformat()}.")
        self.stdout.write(self.style.SUCCESS("Done."))
