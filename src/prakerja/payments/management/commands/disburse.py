"""``prakerja disburse``: run due incentive payouts (also a periodic task).

Without options: one pass — send what approved batches hold, ask the gateway
about what went unanswered, close finished batches. ``--prepare`` and
``--approve`` are the finance officers' two steps from the command line.
Safe to interrupt and run again, and to run in several processes at once.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from prakerja.accounts.models import User
from prakerja.core import roles
from prakerja.core.access import has_duty
from prakerja.core.errors import DomainError
from prakerja.payments import disbursement


class Command(BaseCommand):
    help = "Send due incentive payouts; --prepare/--approve a disbursement batch (maker and checker)."

    def add_arguments(self, parser):
        parser.add_argument("--prepare", action="store_true", help="Prepare a batch of every due incentive")
        parser.add_argument("--limit", type=int, default=None, help="With --prepare: at most this many payouts")
        parser.add_argument("--approve", metavar="BATCH_ID", help="Approve a prepared batch")
        parser.add_argument("--by", metavar="EMAIL", help="The finance officer acting (--prepare, --approve)")
        parser.add_argument("--until-done", action="store_true", help="Keep going until no payout is open")
        parser.add_argument("--max-seconds", type=float, default=None)
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **o):
        try:
            if o["prepare"] or o["approve"]:
                return self._officer_step(o)
            return self._run(o)
        except DomainError as exc:
            raise CommandError("; ".join(f"{p.code}: {p.message('en')}" for p in exc.problems)) from None

    def _officer_step(self, o) -> None:
        officer = User.objects.filter(email__iexact=o["by"] or "").first()
        if officer is None or not has_duty(officer, roles.FINANCE_MAKER, roles.FINANCE_CHECKER):
            raise CommandError("--by must name a finance officer's email (maker to prepare, checker to approve)")
        if o["prepare"]:
            batch = disbursement.prepare_batch(actor=officer, limit=o["limit"])
            self.stdout.write(
                self.style.SUCCESS(
                    f"Batch {batch.public_id} prepared: {batch.payout_count:,} payouts, Rp {batch.total_amount:,}. "
                    "Another officer must approve it."
                )
            )
        else:
            batch = disbursement.approve_batch(o["approve"], actor=officer)
            self.stdout.write(self.style.SUCCESS(f"Batch {batch.public_id} approved: {batch.payout_count:,} payouts."))

    def _run(self, o) -> None:
        def progress(summary: disbursement.Summary) -> None:
            if not o["quiet"]:
                sys.stderr.write(
                    f"\rsent {summary.sent:,}  polled {summary.polled:,}  confirmed {summary.confirmed:,}  "
                    f"failed {summary.failed:,}  unanswered {summary.unanswered:,}"
                )

        summary = disbursement.disburse(until_done=o["until_done"], max_seconds=o["max_seconds"], progress=progress)
        if not o["quiet"]:
            sys.stderr.write("\n")
        statuses = ", ".join(f"{status} {count:,}" for status, count in sorted(summary.by_status.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent {summary.sent:,}, confirmed {summary.confirmed:,}, failed {summary.failed:,}. "
                f"Payouts by status: {statuses or 'none'}."
            )
        )
