import sys

from django.core.management.base import BaseCommand

from prakerja.batches.actions import enforce_deadlines


class Command(BaseCommand):
    help = "Revoke recipients who bought no first training within the deadline (also a periodic task)."

    def handle(self, *args, **options):
        def progress(done: int, total: int) -> None:
            sys.stderr.write(f"\rRevoking {done:,}/{total:,}")
            if done == total:
                sys.stderr.write("\n")

        count = enforce_deadlines(progress=progress)
        self.stdout.write(self.style.SUCCESS(f"{count:,} recipients revoked; their balances returned to the treasury."))
