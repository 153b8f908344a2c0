"""``prakerja purge-id-photos``: delete ID photos kept too long without verification (also a periodic task)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from prakerja.helpdesk import photos
from prakerja.helpdesk.actions import purge_id_photos


class Command(BaseCommand):
    help = (
        "Delete help-desk ID photos older than --hours (default HELPDESK_PHOTO_MAX_HOURS, 12) that were not "
        "verified, and mark their registrations. Verified photos are already deleted at verification."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=None)

    def handle(self, *args, **o):
        hours = photos.max_hours() if o["hours"] is None else o["hours"]
        if hours < 0:
            raise CommandError("--hours must not be negative")
        purged = purge_id_photos(hours)
        self.stdout.write(self.style.SUCCESS(f"{purged:,} ID photos older than {hours:g} hours deleted."))
