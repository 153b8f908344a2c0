"""Periodic work of the learning lifecycle."""

from __future__ import annotations

from django_tasks import task


@task()
def enforce_next_purchase_deadlines_task() -> int:
    """Return unused balances of recipients past the window for their next training."""
    from prakerja.learning.actions import enforce_next_purchase_deadlines

    return enforce_next_purchase_deadlines()


@task()
def purge_seen_requests_task() -> int:
    """Forget partner-API requests too old to be replayed (their timestamp is refused anyway)."""
    from prakerja.integrations.api import purge_seen_requests

    return purge_seen_requests()
