"""``/api/v1/batches`` and the participant's applications."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from prakerja.accounts.api import ErrorsOut, bearer
from prakerja.batches import actions
from prakerja.batches.explain import reason_problem
from prakerja.batches.models import Application, Batch
from prakerja.core.errors import language_of

router = Router(tags=["batches"])


class BatchOut(Schema):
    number: int
    name: str
    status: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    quota: int
    accepting_applications: bool
    seed: str | None
    selection_digest: str | None


def batch_out(batch: Batch) -> BatchOut:
    from prakerja.core import clock

    now = clock.now()
    return BatchOut(
        number=batch.number,
        name=batch.name,
        status=batch.status,
        opens_at=batch.opens_at,
        closes_at=batch.closes_at,
        quota=batch.quota,
        accepting_applications=batch.status == Batch.Status.OPEN and batch.opens_at <= now < batch.closes_at,
        seed=batch.seed_published,
        selection_digest=batch.selection_digest or None,
    )


class ApplicationOut(Schema):
    id: str
    batch: int
    applied_at: dt.datetime
    status: str
    eligible: bool | None
    rank: int | None
    reason: str | None
    reason_message: str | None


def application_out(application: Application, language: str) -> ApplicationOut:
    reason = application.reason or None
    problem = reason_problem(application)
    message = problem.message(language) if problem else None
    return ApplicationOut(
        id=str(application.public_id),
        batch=application.batch.number,
        applied_at=application.applied_at,
        status=application.status,
        eligible=application.eligible,
        rank=application.rank,
        reason=reason,
        reason_message=message,
    )


@router.get("/batches", response=list[BatchOut], summary="Open, upcoming and past batches")
def batches(request: HttpRequest) -> list[BatchOut]:
    return [batch_out(b) for b in Batch.objects.exclude(status=Batch.Status.DRAFT).order_by("-number")[:50]]


@router.post(
    "/batches/{number}/applications",
    auth=bearer,
    response={201: ApplicationOut, 404: ErrorsOut, 409: ErrorsOut, 422: ErrorsOut},
    summary="Join an open batch; 422 lists every failing eligibility rule",
)
def apply(request: HttpRequest, number: int) -> Status[ApplicationOut]:
    application = actions.apply(request.auth, number)  # type: ignore[attr-defined]
    return Status(201, application_out(application, language_of(request)))


@router.get("/me/applications", auth=bearer, response=list[ApplicationOut], summary="My applications and results")
def my_applications(request: HttpRequest) -> list[ApplicationOut]:
    language = language_of(request)
    mine = Application.objects.filter(person__user=request.auth)  # type: ignore[attr-defined]
    rows = mine.select_related("batch", "result").order_by("-applied_at")
    return [application_out(a, language) for a in rows]
