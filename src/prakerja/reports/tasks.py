"""Background work of the reports: rebuilding the aggregate tables."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_aggregates_task() -> dict[str, object]:
    """Rebuild the dashboard figures (periodic, and on demand by the program office)."""
    from prakerja.reports.aggregates import refresh

    fresh = refresh()
    return {"as_of": fresh.as_of.isoformat(), "rows": fresh.rows}
