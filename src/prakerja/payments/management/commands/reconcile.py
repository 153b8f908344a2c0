"""``prakerja reconcile --date YYYY-MM-DD [--file statement.csv]``: match the gateway's daily statement."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from prakerja.core.errors import DomainError
from prakerja.payments import reconciliation


class Command(BaseCommand):
    help = "Import the gateway's statement of a day (downloaded, or --file) and list every mismatch."

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, help="Statement date, YYYY-MM-DD (Asia/Jakarta)")
        parser.add_argument("--file", help="A statement CSV already downloaded; default: ask the gateway")

    def handle(self, *args, **o):
        try:
            day = dt.date.fromisoformat(o["date"])
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        try:
            if o["file"]:
                statement = reconciliation.import_statement(day, Path(o["file"]).read_bytes())
            else:
                statement = reconciliation.fetch_and_import(day)
        except DomainError as exc:
            raise CommandError("; ".join(f"{p.code}: {p.message('en')}" for p in exc.problems)) from None
        except OSError as exc:
            raise CommandError(str(exc)) from None
        mismatches = list(statement.mismatches.order_by("kind", "idempotency_key"))
        for m in mismatches:
            self.stdout.write(f"{m.kind:28} {m.idempotency_key}  statement={m.statement_amount}  books={m.book_amount}")
        style = self.style.WARNING if mismatches else self.style.SUCCESS
        self.stdout.write(
            style(
                f"{day}: {statement.rows:,} statement lines, {statement.matched:,} matched, "
                f"{len(mismatches):,} new mismatches."
            )
        )
