"""``prakerja purge-personal-data [--dry-run]``: apply the retention rules (``registry/retention.py``).

Safe to run at any time and again; also the periodic task
``prakerja.registry.tasks.purge_personal_data_task``.
"""

from django.core.management.base import BaseCommand

from prakerja.registry.retention import purge


class Command(BaseCommand):
    help = (
        "Delete personal data past its retention: expired phone codes and API tokens, accounts never verified "
        "within 30 days, expired sessions. Never the ledger or the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would be removed, change nothing")

    def handle(self, *args, **o):
        done = purge(dry_run=o["dry_run"])
        self.stdout.write(self.style.SUCCESS(done.summary()))
