"""Reconciliation: the gateway's daily statement against the platform's payouts.

:func:`import_statement` reads the statement CSV (``transfer_id,
idempotency_key, amount, status, settled_at``), matches every line by
idempotency key (:func:`prakerja.payments.payout_rules.reconcile`) and records
each difference as an open :class:`Mismatch` for the finance page. Importing
the same day again records only differences not already open.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from typing import Any

from django.db import transaction

from prakerja.core import audit, clock
from prakerja.core.errors import DomainError, Problem, fail
from prakerja.core.public_ids import get_by_public_id
from prakerja.payments import payout_rules
from prakerja.payments.models import Mismatch, Payout, StatementImport

COLUMNS = ("transfer_id", "idempotency_key", "amount", "status", "settled_at")
MAX_BYTES = 50 * 1024 * 1024


def parse_statement(content: bytes) -> list[payout_rules.StatementLine]:
    """The statement's lines, or STATEMENT_INVALID naming the first bad line (nothing is imported then)."""
    if len(content) > MAX_BYTES:
        raise fail("BODY_TOO_LARGE", "file", status=413)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise fail("STATEMENT_INVALID", "file", line=1, detail="not UTF-8") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise fail("STATEMENT_INVALID", "file", line=1, detail="missing columns: " + ", ".join(missing))
    lines = []
    for row in reader:
        key = (row.get("idempotency_key") or "").strip()
        amount = (row.get("amount") or "").strip()
        if not key or not amount.isdigit():
            raise fail("STATEMENT_INVALID", "file", line=reader.line_num, detail="idempotency_key/amount")
        lines.append(payout_rules.StatementLine(key, int(amount), (row.get("status") or "").strip()))
    return lines


def import_statement(statement_date: dt.date, content: bytes, *, actor: Any = None) -> StatementImport:
    lines = parse_statement(content)
    day_start = dt.datetime.combine(statement_date, dt.time.min, tzinfo=clock.JAKARTA)
    day_end = day_start + dt.timedelta(days=1)
    with transaction.atomic():
        confirmed_that_day = list(
            Payout.objects.filter(
                confirmed_at__gte=day_start, confirmed_at__lt=day_end, status__in=[Payout.Status.CONFIRMED]
            ).values_list("idempotency_key", flat=True)
        )
        keys = {line.idempotency_key for line in lines} | set(confirmed_that_day)
        book: dict[str, payout_rules.BookLine] = {}
        ids: dict[str, int] = {}
        key_list = list(keys)
        for start in range(0, len(key_list), 5000):
            for pk, key, amount, status in Payout.objects.filter(
                idempotency_key__in=key_list[start : start + 5000]
            ).values_list("pk", "idempotency_key", "amount", "status"):
                book[key] = payout_rules.BookLine(key, amount, status)
                ids[key] = pk
        differences = payout_rules.reconcile(lines, book, confirmed_that_day)
        statement = StatementImport.objects.create(
            statement_date=statement_date,
            digest=hashlib.sha256(content).hexdigest(),
            rows=len(lines),
            matched=sum(1 for line in lines if line.idempotency_key in book),
            imported_by=actor if getattr(actor, "pk", None) else None,
        )
        already_open = set(Mismatch.objects.filter(resolved_at__isnull=True).values_list("kind", "idempotency_key"))
        Mismatch.objects.bulk_create(
            Mismatch(
                statement=statement,
                kind=d.kind,
                payout_id=ids.get(d.idempotency_key),
                idempotency_key=d.idempotency_key,
                statement_amount=d.statement_amount,
                book_amount=d.book_amount,
            )
            for d in differences
            if (d.kind, d.idempotency_key) not in already_open
        )
        audit.record(
            "reconciliation.imported",
            statement,
            actor=actor,
            after={"date": statement_date.isoformat(), "rows": len(lines), "differences": len(differences)},
        )
    return statement


def fetch_and_import(statement_date: dt.date, *, actor: Any = None) -> StatementImport:
    """Download the day's statement from the gateway and import it."""
    from prakerja.payments.gateway import GatewayError, gateway

    try:
        content = gateway().statement(statement_date.isoformat())
    except GatewayError:
        raise fail("GATEWAY_UNAVAILABLE", status=503) from None
    return import_statement(statement_date, content, actor=actor)


def resolve(mismatch_public_id: Any, resolution: str, *, actor: Any, recheck: bool = False) -> Mismatch:
    """Close a mismatch with a written resolution. ``recheck`` first asks the gateway about the payout and
    applies its answer (the usual fix for "paid but not confirmed": a callback that never arrived)."""
    mismatch = get_by_public_id(Mismatch.objects.select_related("payout"), mismatch_public_id, "MISMATCH_NOT_FOUND")
    resolution = (resolution or "").replace("\x00", "").strip()
    problems = []
    if len(resolution) < 10:
        problems.append(Problem("RESOLUTION_REQUIRED", "resolution"))
    if mismatch.resolved_at is not None:
        problems.insert(0, Problem("MISMATCH_RESOLVED"))
    if problems:
        raise DomainError(problems, status=409 if problems[0].code == "MISMATCH_RESOLVED" else 422)
    if recheck and mismatch.payout is not None:
        from prakerja.payments.disbursement import apply_report
        from prakerja.payments.gateway import GatewayError, gateway

        try:
            transfer = gateway().status(mismatch.idempotency_key)
        except GatewayError:
            raise fail("GATEWAY_UNAVAILABLE", status=503) from None
        if transfer is not None:
            apply_report(transfer, via="reconciliation")
    with transaction.atomic():
        mismatch = Mismatch.objects.select_for_update().get(pk=mismatch.pk)
        if mismatch.resolved_at is not None:
            raise fail("MISMATCH_RESOLVED", status=409)
        mismatch.resolved_at = clock.now()
        mismatch.resolved_by = actor
        mismatch.resolution = resolution[:300]
        mismatch.save(update_fields=["resolved_at", "resolved_by", "resolution"])
        audit.record(
            "reconciliation.resolved",
            mismatch,
            actor=actor,
            after={"kind": mismatch.kind, "resolution": resolution[:300]},
        )
    return mismatch
