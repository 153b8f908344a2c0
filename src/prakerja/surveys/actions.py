"""Sending the evaluation survey waves and recording answers (which earn the survey incentive)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Min

from prakerja.core import audit, clock, queue
from prakerja.core.errors import fail
from prakerja.core.program import setting
from prakerja.core.public_ids import get_by_public_id
from prakerja.registry.models import Person
from prakerja.surveys.models import Outcome, SurveyInvitation


def waves() -> list[int]:
    """Days after the first training's completion each wave is sent; at most two (two survey incentives)."""
    return [int(days) for days in setting("survey_days")][:2]


def send_due_surveys(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Invite everyone whose wave has come and who was not invited to it yet. Idempotent."""
    from prakerja.learning.models import Purchase
    from prakerja.surveys.tasks import notify_invitation

    now = clock.now()
    sent = 0
    for sequence, days in enumerate(waves(), start=1):
        cutoff = now - dt.timedelta(days=days)
        firsts = (
            Purchase.objects.filter(status=Purchase.Status.COMPLETED)
            .values("person_id")
            .annotate(first=Min("completed_at"))
            .filter(first__lte=cutoff)
            .exclude(person_id__in=SurveyInvitation.objects.filter(sequence=sequence).values("person_id"))
        )
        person_ids = [row["person_id"] for row in firsts]
        for n, person_id in enumerate(person_ids, start=1):
            try:
                with transaction.atomic():
                    invitation = SurveyInvitation.objects.create(
                        person_id=person_id, sequence=sequence, days_after=days
                    )
                    queue.after_commit(notify_invitation, invitation.pk)
            except IntegrityError:
                continue  # invited meanwhile by another run
            sent += 1
            if progress:
                progress(n, len(person_ids))
    return sent


def invitation_for(person: Person, public_id: Any) -> SurveyInvitation:
    return get_by_public_id(SurveyInvitation.objects.filter(person=person), public_id, "SURVEY_NOT_FOUND")


def answer(person: Person, public_id: Any, outcome: Any, note: str = "", *, actor: Any = None) -> SurveyInvitation:
    """Record the answer once; it earns the survey incentive of the wave's sequence."""
    from prakerja.payments import incentives

    invitation = invitation_for(person, public_id)
    if outcome not in Outcome.values:
        raise fail("OUTCOME_INVALID", "outcome")
    with transaction.atomic():
        invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.answered_at is not None:
            raise fail("SURVEY_ALREADY_ANSWERED", status=409)
        invitation.answered_at = clock.now()
        invitation.outcome = outcome
        invitation.note = (note or "").replace("\x00", "").strip()[:300]
        invitation.save(update_fields=["answered_at", "outcome", "note"])
        audit.record(
            "survey.answered", invitation, actor=actor, after={"sequence": invitation.sequence, "outcome": outcome}
        )
        incentives.grant_survey_incentive(person, invitation.sequence, str(invitation.public_id), actor=actor)
    return invitation
