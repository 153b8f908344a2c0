"""``prakerja batch create|open|close|select|announce|export|show``."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from prakerja.batches import actions
from prakerja.batches.explain import outcome_counts
from prakerja.batches.export import write_csv
from prakerja.batches.models import Batch
from prakerja.core import clock
from prakerja.core.errors import DomainError


def _when(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=clock.JAKARTA)


def _progress(label: str):
    started = time.monotonic()

    def show(done: int, total: int) -> None:
        bar = "#" * int(30 * done / max(total, 1))
        sys.stderr.write(f"\r{label} [{bar:<30}] {done:,}/{total:,} {time.monotonic() - started:.0f}s")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


class Command(BaseCommand):
    help = "Batches (gelombang): create, open, close, select, announce, export, show."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--number", type=int, required=True)
        create.add_argument("--quota", type=int, default=None)
        create.add_argument("--opens", type=_when, default=None, help="ISO time; default now")
        create.add_argument("--closes", type=_when, default=None, help="ISO time; default opens + 7 days")
        create.add_argument("--name", default="")
        create.add_argument("--allocation", choices=Batch.Allocation.values, default="national")
        create.add_argument("--method", choices=Batch.Method.values, default="proportional")
        create.add_argument("--quota-table", default=None, help='JSON {"3273": 120, …} for --method fixed')
        create.add_argument("--recovery", action="store_true", help="pool places revoked in earlier batches")
        for name in ("open", "close", "announce", "show"):
            sub.add_parser(name).add_argument("number", type=int)
        select = sub.add_parser("select")
        select.add_argument("number", type=int)
        select.add_argument("--verify", action="store_true", help="recompute and compare with the stored digest")
        export = sub.add_parser("export")
        export.add_argument("number", type=int)
        export.add_argument("--output", required=True)

    def handle(self, *args, **o):
        try:
            getattr(self, f"do_{o['action']}")(o)
        except DomainError as exc:
            raise CommandError("; ".join(f"{p.code}: {p.message('en')}" for p in exc.problems)) from None

    def do_create(self, o):
        opens = o["opens"] or clock.now()
        closes = o["closes"] or opens + dt.timedelta(days=7)
        try:
            table = json.loads(o["quota_table"]) if o["quota_table"] else None
        except json.JSONDecodeError as exc:
            raise CommandError(f"INVALID_JSON: --quota-table is not valid JSON ({exc})") from None
        if table is not None and not isinstance(table, dict):
            raise CommandError('INVALID_VALUE: --quota-table must be a JSON object {"3273": 120, ...}')
        batch = actions.create_batch(
            number=o["number"],
            quota=o["quota"],
            opens_at=opens,
            closes_at=closes,
            name=o["name"],
            allocation=o["allocation"],
            method=o["method"],
            quota_table=table,
            recovery=o["recovery"],
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Batch {batch.number} created (draft): quota {batch.quota:,}, {batch.allocation}/{batch.method}, "
                f"{batch.opens_at:%Y-%m-%d %H:%M} – {batch.closes_at:%Y-%m-%d %H:%M}."
            )
        )

    def do_open(self, o):
        actions.open_batch(o["number"])
        self.stdout.write(self.style.SUCCESS(f"Batch {o['number']} is open."))

    def do_close(self, o):
        actions.close_batch(o["number"])
        self.stdout.write(self.style.SUCCESS(f"Batch {o['number']} is closed."))

    def do_select(self, o):
        started = time.monotonic()
        if o["verify"]:
            stored = actions.get_batch(o["number"]).selection_digest
            digest = actions.select_batch(o["number"], dry_run=True)
            if digest != stored:
                raise CommandError(f"MISMATCH: recomputed {digest}, stored {stored}")
            self.stdout.write(self.style.SUCCESS(f"Selection reproduced: digest {digest}"))
            return
        digest = actions.select_batch(o["number"])
        self.stdout.write(self.style.SUCCESS(f"Batch {o['number']} selected in {time.monotonic() - started:.1f} s."))
        self.do_show(o)
        self.stdout.write(f"Audit digest (SHA-256): {digest}")

    def do_announce(self, o):
        count = actions.announce_batch(o["number"], progress=_progress("Announcing"))
        self.stdout.write(self.style.SUCCESS(f"Batch {o['number']} announced: {count:,} recipients named."))

    def do_export(self, o):
        batch = actions.get_batch(o["number"])
        with open(o["output"], "w", newline="", encoding="utf-8") as out:
            count = write_csv(batch, out)
        self.stdout.write(self.style.SUCCESS(f"{count:,} applications written to {o['output']}."))

    def do_show(self, o):
        batch = actions.get_batch(o["number"])
        seed = batch.seed_published or "(hidden until selection)"
        self.stdout.write(f"Batch {batch.number} ({batch.status}), quota {batch.quota:,}, seed {seed}")
        for row in outcome_counts(batch):
            self.stdout.write(f"  {row['status']:<13} {row['reason'] or '-':<24} {row['n']:>10,}")
