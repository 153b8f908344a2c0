"""State changes of the reports: the program office asks for fresh figures; a regional officer records
their region's budget (APBD) for manpower affairs."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from prakerja.core import audit, clock, queue
from prakerja.core.access import region_scope
from prakerja.core.errors import DomainError, Problem, fail
from prakerja.reports import apbd
from prakerja.reports.models import RegionalBudget


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
        queue.after_commit(refresh_aggregates_task)


def _figures(budget: RegionalBudget) -> dict[str, Any]:
    return {"region": budget.region_code, "year": budget.year, "manpower": budget.manpower, "total": budget.total}


def record_regional_budget(actor: Any, region_code: str, year: int, manpower: int, total: int) -> RegionalBudget:
    """Record (or replace) a region's APBD for manpower affairs and its total APBD for one year.

    Only the regional officer of that very area may (``DUTY_REQUIRED``, 403, for anyone else); the figures
    must keep the rules of ``apbd.problems`` (``INVALID_VALUE`` per field). A replaced entry is audited with
    its figures before and after; the row is locked while it is replaced, so two officers saving at once
    leave one of their entries and two audit rows in the order they happened.
    """
    if not region_code or region_scope(actor) != region_code:
        raise fail("DUTY_REQUIRED", status=403)
    found = apbd.problems(year, manpower, total, clock.today().year)
    if found:
        raise DomainError([Problem("INVALID_VALUE", field) for field, _reason in found])
    with transaction.atomic():
        budget = RegionalBudget.objects.select_for_update().filter(region_code=region_code, year=year).first()
        if budget is None:
            try:
                with transaction.atomic():
                    budget = RegionalBudget.objects.create(
                        region_code=region_code,
                        year=year,
                        manpower=manpower,
                        total=total,
                        entered_by=actor,
                        entered_at=clock.now(),
                    )
            except IntegrityError:  # another entry for the same region and year committed meanwhile
                budget = RegionalBudget.objects.select_for_update().get(region_code=region_code, year=year)
            else:
                audit.record("reports.regional_budget_recorded", budget, actor=actor, after=_figures(budget))
                return budget
        before = _figures(budget)
        budget.manpower, budget.total = manpower, total
        budget.entered_by, budget.entered_at = actor, clock.now()
        budget.save(update_fields=["manpower", "total", "entered_by", "entered_at"])
        audit.record("reports.regional_budget_recorded", budget, actor=actor, before=before, after=_figures(budget))
    return budget
