"""Explaining a selection result to the applicant, in their language."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Value
from django.db.models.functions import Coalesce

from prakerja.batches.models import Application, Batch
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


def outcome_counts(batch: Batch) -> Any:
    """How many of the batch's applications ended with each status and reason (``applied`` and no reason
    before the selection), as rows of ``status``, ``reason`` and ``n``."""
    return (
        batch.applications.values(
            status=Coalesce(F("result__status"), Value(Application.Status.APPLIED.value)),
            reason=Coalesce(F("result__reason"), Value("")),
        )
        .annotate(n=Count("id"))
        .order_by("status", "reason")
    )
