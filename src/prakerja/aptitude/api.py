"""``/api/v1/me/test``: the basic aptitude test (TKD)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from prakerja.accounts.api import ErrorsOut, bearer
from prakerja.aptitude import actions
from prakerja.aptitude.models import Attempt

router = Router(tags=["aptitude test"], auth=bearer)


class QuestionOut(Schema):
    code: str
    section: str
    text: str
    choices: list[str]


class AttemptOut(Schema):
    id: str
    period: str
    started_at: dt.datetime
    deadline_at: dt.datetime
    finished: bool
    seconds_left: int
    questions: list[QuestionOut]
    answers: dict[str, int]
    score: int | None
    max_score: int
    late: bool


class AnswersIn(Schema):
    answers: dict[str, int]


def attempt_out(attempt: Attempt) -> AttemptOut:
    from prakerja.core import clock

    finished = attempt.finished_at is not None
    return AttemptOut(
        id=str(attempt.public_id),
        period=attempt.period,
        started_at=attempt.started_at,
        deadline_at=attempt.deadline_at,
        finished=finished,
        seconds_left=0 if finished else max(0, int((attempt.deadline_at - clock.now()).total_seconds())),
        questions=[
            QuestionOut(code=q.code, section=q.section, text=q.text, choices=q.choices)
            for q in actions.questions_for(attempt)
        ],
        answers=attempt.answers,
        score=attempt.score if finished else None,
        max_score=attempt.max_score,
        late=attempt.late,
    )


@router.post("", response={200: AttemptOut, 409: ErrorsOut}, summary="Start (or resume) this period's attempt")
def start(request: HttpRequest) -> AttemptOut:
    return attempt_out(actions.start_attempt(request.auth))  # type: ignore[attr-defined]


@router.get("", response={200: AttemptOut, 404: ErrorsOut}, summary="This period's attempt")
def show(request: HttpRequest) -> AttemptOut:
    from prakerja.core.errors import fail

    attempt = actions.current_attempt(request.auth)  # type: ignore[attr-defined]
    if attempt is None:
        raise fail("TEST_NOT_STARTED", None, status=404)
    return attempt_out(attempt)


@router.put(
    "/answers", response={200: AttemptOut, 409: ErrorsOut, 422: ErrorsOut}, summary="Save answers while time remains"
)
def save(request: HttpRequest, payload: AnswersIn) -> AttemptOut:
    return attempt_out(actions.save_answers(request.auth, payload.answers))  # type: ignore[attr-defined]


@router.post(
    "/submit",
    response={200: AttemptOut, 409: ErrorsOut, 422: ErrorsOut},
    summary="Finish the attempt; answers after the deadline are not counted",
)
def submit(request: HttpRequest, payload: AnswersIn) -> AttemptOut:
    return attempt_out(actions.submit_attempt(request.auth, payload.answers))  # type: ignore[attr-defined]
