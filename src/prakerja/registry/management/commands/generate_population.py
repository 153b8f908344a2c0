import sys
import time

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError

from prakerja.core import clock
from prakerja.registry import bulk
from prakerja.registry.population import people


class Command(BaseCommand):
    help = "Generate synthetic residents (civil-registry double) and registered applicants, deterministic per seed."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--apply-to-batch", type=int, default=None)
        parser.add_argument("--password", default=None, help="a known password for every generated account")

    def handle(self, *args, **o):
        if o["people"] < 1:
            raise CommandError("--people must be at least 1")
        if o["password"] and settings.PRODUCTION:
            raise CommandError("--password is refused when PRAKERJA_ENV=production")
        if o["apply_to_batch"] is not None:
            raise CommandError("--apply-to-batch needs batches, which this version does not have yet")
        # One hash for everyone: hashing per person would dominate the run.
        password_hash = make_password(o["password"]) if o["password"] else make_password(None)
        total, started = o["people"], time.monotonic()

        def progress(done: int, added: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-6)
            bar = "#" * int(30 * done / total)
            sys.stderr.write(f"\r[{bar:<30}] {done:,}/{total:,} people ({added:,} new) {rate:,.0f}/s")
            sys.stderr.flush()

        added = bulk.load(
            people(o["seed"], total, clock.today()), seed=o["seed"], password_hash=password_hash, progress=progress
        )
        sys.stderr.write("\n")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{added:,} new applicants and residents ({total - added:,} already present) "
                f"in {elapsed:.1f} s, {total / max(elapsed, 1e-6):,.0f} people/s."
            )
        )
