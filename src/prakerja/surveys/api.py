"""``/api/v1/me/surveys``: the evaluation surveys sent to me, and my answers."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema

from prakerja.accounts.api import ErrorsOut, bearer
from prakerja.registry.actions import person_of
from prakerja.surveys import actions
from prakerja.surveys.models import SurveyInvitation

router = Router(tags=["surveys"])


class SurveyOut(Schema):
    id: str
    sequence: int
    days_after: int
    sent_at: dt.datetime
    answered_at: dt.datetime | None
    outcome: str


def survey_out(invitation: SurveyInvitation) -> dict:
    return {
        "id": str(invitation.public_id),
        "sequence": invitation.sequence,
        "days_after": invitation.days_after,
        "sent_at": invitation.sent_at,
        "answered_at": invitation.answered_at,
        "outcome": invitation.outcome,
    }


@router.get("/surveys", auth=bearer, response=list[SurveyOut], summary="My evaluation surveys")
def my_surveys(request: HttpRequest) -> list[dict]:
    person = person_of(request.auth)  # type: ignore[attr-defined]
    return [survey_out(s) for s in SurveyInvitation.objects.filter(person=person).order_by("sequence")]


class AnswerIn(Schema):
    outcome: str = Field(max_length=20, description="working | business | looking")
    note: str = Field("", max_length=300)


@router.post(
    "/surveys/{survey_id}",
    auth=bearer,
    response={200: SurveyOut, 404: ErrorsOut, 409: ErrorsOut, 422: ErrorsOut},
    summary="Answer an evaluation survey (earns the survey incentive)",
)
def answer(request: HttpRequest, survey_id: str, payload: AnswerIn) -> dict:
    person = person_of(request.auth)  # type: ignore[attr-defined]
    invitation = actions.answer(person, survey_id, payload.outcome, payload.note, actor=request.auth)  # type: ignore[attr-defined]
    return survey_out(invitation)
