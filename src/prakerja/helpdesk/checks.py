"""System checks of the help desks' settings (run by ``manage.py check`` and at start-up)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, Warning, register

from prakerja.helpdesk import photos


@register()
def photo_retention(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """The consent read to residents promises an ID photo is gone within 24 hours; the purge runs
    hourly, so the limit must leave an hour's margin."""
    problems: list[Any] = []
    try:
        hours = photos.max_hours()
    except (TypeError, ValueError):
        return [Error("HELPDESK_PHOTO_MAX_HOURS must be a number of hours", id="helpdesk.E001")]
    if not 0 < hours <= 23:
        problems.append(
            Warning(
                f"HELPDESK_PHOTO_MAX_HOURS={hours:g}: the help-desk consent promises deletion within 24 hours",
                hint="Keep it between 1 and 23 (the purge runs hourly).",
                id="helpdesk.W001",
            )
        )
    return problems
