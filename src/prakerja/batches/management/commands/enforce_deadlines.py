import sys

from django.core.management.base import BaseCommand

from prakerja.batches.actions import enforce_deadlines


class Command(BaseCommand):
    help = (
        "Revoke recipients who bought no first training within the deadline, and return unused balances "
        "of those who let the next-training window pass (also periodic tasks)."
    )

    def handle(self, *args, **options):
        def progress(done: int, total: int) -> None:
            sys.stderr.write(f"\rRevoking {done:,}/{total:,}")
            if done == total:
                sys.stderr.write("\n")

        from prakerja.learning.actions import enforce_next_purchase_deadlines

        count = enforce_deadlines(progress=progress)
        self.stdout.write(self.style.SUCCESS(f"{count:,} recipients revoked; their balances returned to the treasury."))
        returned = enforce_next_purchase_deadlines(progress=progress)
        self.stdout.write(
            self.style.SUCCESS(f"{returned:,} unused balances returned: no next training within the window.")
        )
