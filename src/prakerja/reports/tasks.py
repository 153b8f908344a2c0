"""Background work of the reports: keeping the aggregate tables up to date."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_aggregates_task() -> dict[str, object]:
    """Apply the logged changes to the dashboard figures (periodic, and on demand by the program office);
    it rebuilds them in full when that is needed or cheaper (reports.refresh)."""
    from prakerja.reports.refresh import changes

    result = changes()
    return result.as_dict() | {"as_of": result.as_of.isoformat()}
