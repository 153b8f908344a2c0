"""``prakerja rotate-pii-key [--dry-run] [--chunk N]``: re-encrypt stored NIK and KK numbers under the current key.

See ``registry/rotation.py`` for the procedure. Safe to interrupt and run again.
"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from prakerja.core import pii
from prakerja.registry.rotation import CHUNK, rotate


class Command(BaseCommand):
    help = "Re-encrypt every stored NIK and KK number still under an old key (PII_OLD_ENCRYPTION_KEYS)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only count the people still under an old key")
        parser.add_argument("--chunk", type=int, default=CHUNK, help="people per transaction")

    def handle(self, *args, **o):
        if o["chunk"] < 1:
            raise CommandError("--chunk must be at least 1")
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            bar = "#" * int(30 * done / max(total, 1))
            sys.stderr.write(f"\r[{bar:<30}] {done:,}/{total:,} people")
            sys.stderr.flush()

        try:
            result = rotate(chunk=o["chunk"], dry_run=o["dry_run"], progress=progress)
        except pii.DecryptionError as exc:
            raise CommandError(f"a stored number does not open with any configured key: {exc}") from None
        if result.people:
            sys.stderr.write("\n")
        key = pii.keys().current_id
        if o["dry_run"]:
            self.stdout.write(f"{result.remaining:,} people have numbers under a key other than the current ({key}).")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.people:,} people re-encrypted ({result.values:,} numbers) under key {key} "
                f"in {time.monotonic() - started:.1f} s; {result.remaining:,} left under other keys."
            )
        )
