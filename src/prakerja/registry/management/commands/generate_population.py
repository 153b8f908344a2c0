"""``prakerja generate-population --people N --seed S [--apply-to-batch NUMBER] [--password P]``.

Loads synthetic residents and registered applicants (``registry/population.py``
makes them, ``registry/bulk.py`` writes them: ``COPY`` on PostgreSQL, batched
INSERTs elsewhere; a big load into an empty registry on PostgreSQL goes through
``registry/fresh_load.py``, which sets indexes and foreign keys aside until the
end). With ``--apply-to-batch``, every generated applicant whom
the eligibility rules accept today (the platform clock) joins that batch with
the same frozen facts ``batches.actions.apply`` writes. The batch must exist
and be open; unlike ``apply``, the clock may be outside its application
window, so that a benchmark or a rehearsal can fill a batch whose dates are
elsewhere. Safe to interrupt and run again: people and applications already
present are skipped.
"""

import sys
import time

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError

from prakerja.accounts.models import User
from prakerja.batches.models import Batch
from prakerja.core import audit, clock
from prakerja.core.errors import DomainError, fail
from prakerja.registry import bulk, fresh_load
from prakerja.registry.population import people


def _batch(number: int) -> Batch:
    try:
        batch = Batch.objects.filter(number=number).first()
        if batch is None:
            raise fail("BATCH_NOT_FOUND", "number", status=404)
        if batch.status != Batch.Status.OPEN:
            raise fail("BATCH_NOT_OPEN", None, status=409)
    except DomainError as exc:
        raise CommandError("; ".join(f"{p.code}: {p.message('en')}" for p in exc.problems)) from None
    return batch


class Command(BaseCommand):
    help = "Generate synthetic residents (civil-registry double) and registered applicants, deterministic per seed."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--apply-to-batch",
            type=int,
            default=None,
            metavar="NUMBER",
            help="every generated applicant the eligibility rules accept joins this open batch",
        )
        parser.add_argument("--password", default=None, help="a known password for every generated account")

    def handle(self, *args, **o):
        if o["people"] < 1:
            raise CommandError("--people must be at least 1")
        if o["password"] and settings.PRODUCTION:
            raise CommandError("--password is refused when PRAKERJA_ENV=production")
        # Phone numbers hold the seed modulo 1000 (E.164 allows 15 digits): two seeds 1000 apart
        # would collide, which the database would refuse halfway through.
        prefix = bulk.phone_of(o["seed"], 0)[:-7]
        clash = User.objects.filter(phone__startswith=prefix).exclude(email__startswith=f"p{o['seed']}-").first()
        if clash is not None:
            raise CommandError(
                f"seed {o['seed']} shares phone numbers with the people of {clash.email.split('-')[0][1:]}: "
                "choose a seed that differs from it modulo 1000"
            )
        batch = _batch(o["apply_to_batch"]) if o["apply_to_batch"] is not None else None
        # One hash for everyone: hashing per person would dominate the run.
        password_hash = make_password(o["password"]) if o["password"] else make_password(None)
        total, started = o["people"], time.monotonic()

        def progress(done: int, added: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-6)
            bar = "#" * int(30 * done / total)
            sys.stderr.write(f"\r[{bar:<30}] {done:,}/{total:,} people ({added:,} new) {rate:,.0f}/s")
            sys.stderr.flush()

        def phase(name: str) -> None:  # after the rows: the bar is full, this says what is left
            sys.stderr.write(f" — {name}…")
            sys.stderr.flush()

        try:
            loaded = fresh_load.load(
                people(o["seed"], total, clock.today()),
                expected=total,
                seed=o["seed"],
                password_hash=password_hash,
                batch=batch,
                progress=progress,
                phase=phase,
            )
        except DomainError as exc:  # the batch closed while loading: what was loaded before stays
            sys.stderr.write("\n")
            raise CommandError("; ".join(f"{p.code}: {p.message('en')}" for p in exc.problems)) from None
        sys.stderr.write("\n")
        elapsed = time.monotonic() - started
        summary = (
            f"{loaded.people:,} new applicants and residents ({total - loaded.people:,} already present) "
            f"in {elapsed:.1f} s, {total / max(elapsed, 1e-6):,.0f} people/s"
            f" ({'COPY' if loaded.method == 'copy' else 'batched INSERTs'})."
        )
        if batch is not None:
            summary += f" {loaded.applications:,} new applications to batch {batch.number}."
            if loaded.applications:
                audit.record(
                    "batch.applied_in_bulk",
                    batch,
                    after={"applications": loaded.applications, "seed": o["seed"], "people": total},
                )
        self.stdout.write(self.style.SUCCESS(summary))
