"""``/api/v1/me/purchases``: buy a class, see one's trainings and codes, review a completed one."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from prakerja.accounts.api import ErrorsOut, bearer
from prakerja.core.errors import fail
from prakerja.learning import actions
from prakerja.learning.models import Purchase
from prakerja.registry.actions import person_of

router = Router(tags=["learning"])


class PurchaseIn(Schema):
    class_code: str = Field(max_length=20)


class RedeemCodeOut(Schema):
    sequence: int
    code: str
    session_starts_at: dt.datetime
    session_ends_at: dt.datetime
    valid_from: dt.datetime
    valid_until: dt.datetime
    state: str


class PurchaseOut(Schema):
    id: str
    voucher_code: str
    status: str
    class_code: str
    program_id: str
    program_title: str
    institution: str
    mode: str
    price: int
    purchased_at: dt.datetime
    completed_at: dt.datetime | None
    certificate_number: str | None
    certificate_url: str | None
    reviewed: bool
    redeem_codes: list[RedeemCodeOut]


def purchase_out(purchase: Purchase) -> dict:
    training_class = purchase.training_class
    program = training_class.program
    certificate = getattr(purchase, "certificate", None)
    codes = [
        {
            "sequence": code.sequence,
            "code": code.code,
            "session_starts_at": code.starts_at,
            "session_ends_at": code.ends_at,
            "valid_from": opens,
            "valid_until": closes,
            "state": state,
        }
        for code, opens, closes, state in actions.redeem_schedule(purchase)
    ]
    return {
        "id": str(purchase.public_id),
        "voucher_code": purchase.voucher_code,
        "status": purchase.status,
        "class_code": training_class.code,
        "program_id": str(program.public_id),
        "program_title": program.title,
        "institution": program.institution.legal_name,
        "mode": program.mode,
        "price": purchase.price,
        "purchased_at": purchase.purchased_at,
        "completed_at": purchase.completed_at,
        "certificate_number": certificate.number if certificate else None,
        "certificate_url": f"/sertifikat/{certificate.verify_token}/" if certificate else None,
        "reviewed": hasattr(purchase, "review"),
        "redeem_codes": codes,
    }


def _with_details(purchases):  # type: ignore[no-untyped-def]
    return purchases.select_related("training_class__program__institution", "certificate", "review").prefetch_related(
        "redeem_codes"
    )


def purchases_of(person) -> list[Purchase]:  # type: ignore[no-untyped-def]
    return list(_with_details(Purchase.objects.filter(person=person)).order_by("-purchased_at"))


@router.post(
    "/purchases",
    auth=bearer,
    response={201: PurchaseOut, 404: ErrorsOut, 409: ErrorsOut, 422: ErrorsOut},
    summary="Buy a class with the training balance",
)
def buy(request: HttpRequest, payload: PurchaseIn) -> Status:
    person = person_of(request.auth)  # type: ignore[attr-defined]
    purchase = actions.buy(person, payload.class_code, actor=request.auth)  # type: ignore[attr-defined]
    fresh = _with_details(Purchase.objects.filter(pk=purchase.pk)).get()
    return Status(201, purchase_out(fresh))


@router.get("/purchases", auth=bearer, response=list[PurchaseOut], summary="My trainings, vouchers and redeem codes")
def my_purchases(request: HttpRequest) -> list[dict]:
    return [purchase_out(p) for p in purchases_of(person_of(request.auth))]  # type: ignore[attr-defined]


class ReviewIn(Schema):
    rating: int
    text: str = Field(max_length=2000)


class ReviewOut(Schema):
    rating: int
    text: str
    created_at: dt.datetime


@router.post(
    "/purchases/{purchase_id}/review",
    auth=bearer,
    response={201: ReviewOut, 404: ErrorsOut, 409: ErrorsOut, 422: ErrorsOut},
    summary="Rate (1-5) and review a completed training",
)
def review(request: HttpRequest, purchase_id: str, payload: ReviewIn) -> Status:
    try:
        row = actions.review(person_of(request.auth), purchase_id, payload.rating, payload.text, actor=request.auth)  # type: ignore[attr-defined]
    except (ValueError, ValidationError):  # not a UUID
        raise fail("PURCHASE_NOT_FOUND", status=404) from None
    return Status(201, {"rating": row.rating, "text": row.text, "created_at": row.created_at})
