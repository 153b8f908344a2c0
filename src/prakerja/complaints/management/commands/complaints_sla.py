"""``prakerja complaints-sla``: escalate complaints past their SLA and close those resolved long enough ago
(also the periodic task ``prakerja.complaints.tasks.run_sla_task``). Safe to interrupt and run again."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from prakerja.complaints.actions import run_sla
from prakerja.core.program import setting


class Command(BaseCommand):
    help = "Escalate complaints whose SLA is breached and auto-close complaints resolved long enough ago."

    def handle(self, *args, **options):
        labels = {"escalate": "Escalating", "close": "Closing"}

        def progress(step: str, done: int, total: int) -> None:
            sys.stderr.write(f"\r{labels[step]} {done:,}/{total:,}")
            if done == total:
                sys.stderr.write("\n")

        summary = run_sla(progress=progress)
        days = setting("complaint_auto_close_days")
        self.stdout.write(f"{summary.escalated:,} complaints escalated (SLA breached).")
        self.stdout.write(f"{summary.closed:,} resolved complaints closed after {days} days.")
        if summary.at_max_level:
            self.stdout.write(
                self.style.WARNING(f"{summary.at_max_level:,} breached complaints are at the highest escalation level.")
            )
        self.stdout.write(self.style.SUCCESS("Done."))
