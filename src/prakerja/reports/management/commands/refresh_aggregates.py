"""``prakerja refresh-aggregates``: bring the dashboard and open-data figures up to date.

By default it applies the changes logged since the last refresh (reports.refresh.changes), which
rebuilds everything by itself when it has to; ``--full`` rebuilds everything anyway. One transaction
either way; safe to run at any time and again. The task ``prakerja.reports.tasks.refresh_aggregates_task``
does the same as the default."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from prakerja.reports import refresh


class Command(BaseCommand):
    help = "Update the pre-aggregated dashboard figures (per batch and regency/city) from the program's tables."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="rebuild every figure, not only what changed")

    def handle(self, *args, **options):
        started = time.monotonic()
        result = refresh.full() if options["full"] else refresh.changes()
        seconds = time.monotonic() - started
        what = "rebuilt in full" if result.mode == "full" else f"{result.people:,} people's figures updated"
        because = f" ({result.reason})" if result.reason else ""
        self.stdout.write(
            f"{what}{because}: {result.rows:,} rows (batch × regency/city) as of {result.as_of.isoformat()}, "
            f"in {seconds:.1f} s."
        )
        self.stdout.write(self.style.SUCCESS("Done."))
