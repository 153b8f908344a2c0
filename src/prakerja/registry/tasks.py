"""Periodic work of the registry: the retention rules (``registry/retention.py``)."""

from __future__ import annotations

from django_tasks import task


@task()
def purge_personal_data_task() -> dict[str, int | bool]:
    """Delete personal data past its retention (expired codes and tokens, never-verified accounts, sessions)."""
    from prakerja.registry.retention import purge

    return purge().as_dict()
