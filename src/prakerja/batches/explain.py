"""Explaining a selection result to the applicant, in their language."""

from __future__ import annotations

from prakerja.batches.models import Application
from prakerja.core.errors import Problem
from prakerja.core.program import setting


def reason_problem(application: Application) -> Problem | None:
    if not application.reason:
        return None
    used = application.batch.selection_params or {}
    params = {
        "min_age": setting("min_age"),
        "max_age": setting("max_age"),
        "cap": used.get("kk_recipient_cap", setting("kk_recipient_cap")),
        "occupation": application.occupation,
    }
    return Problem(application.reason, None, params)
