"""State changes of the reports: the program office asks for fresh figures."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from prakerja.core import audit


def request_refresh(actor: Any) -> None:
    """Queue a rebuild of the aggregate tables (after this transaction commits), with an audit row
    (on the officer who asked: the figures themselves are no one's object)."""
    from prakerja.reports.aggregates import TABLE, as_of
    from prakerja.reports.tasks import refresh_aggregates_task

    with transaction.atomic():
        before = as_of()
        audit.record(
            "reports.refresh_requested",
            actor,
            actor=actor,
            after={"table": TABLE, "as_of_before": before.isoformat() if before else None},
        )
        transaction.on_commit(refresh_aggregates_task.enqueue)
