"""Payments in the API: the participant's payout account and payment history, the providers, and the
gateway's signed status callback."""

from __future__ import annotations

import datetime as dt
import hmac
import json

from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema

from prakerja.accounts.api import ErrorsOut, bearer
from prakerja.core.errors import fail
from prakerja.payments import payout_accounts
from prakerja.payments.disbursement import apply_report
from prakerja.payments.gateway import Transfer, callback_signature
from prakerja.payments.models import Entitlement, Payout, PayoutAccount
from prakerja.registry.actions import person_of

router = Router(tags=["payments"])


class ProviderOut(Schema):
    code: str
    name: str
    channel: str
    number_hint: str


@router.get("/payout-providers", response=list[ProviderOut], summary="Banks and e-wallets incentives can go to")
def providers(request: HttpRequest) -> list[dict]:
    return [
        {"code": p.code, "name": p.name, "channel": p.channel, "number_hint": p.number_hint}
        for p in payout_accounts.providers()
    ]


class PayoutAccountIn(Schema):
    channel: str = Field("", max_length=10)
    provider: str = Field(max_length=20)
    account_number: str = Field(max_length=40)
    holder_name: str = Field(max_length=200)


class PayoutAccountOut(Schema):
    channel: str
    provider: str
    provider_name: str
    account_number: str = Field(description="masked: only the last four digits")
    holder_name: str
    status: str
    verified_at: dt.datetime


def account_out(account: PayoutAccount) -> dict:
    return {
        "channel": account.provider.channel,
        "provider": account.provider.code,
        "provider_name": account.provider.name,
        "account_number": payout_accounts.masked(account.account_number),
        "holder_name": account.holder_name,
        "status": account.status,
        "verified_at": account.verified_at,
    }


@router.put(
    "/me/payout-account",
    auth=bearer,
    response={200: PayoutAccountOut, 409: ErrorsOut, 422: ErrorsOut, 503: ErrorsOut},
    summary="Name the bank account or e-wallet for incentives (ownership checked with the bank)",
)
def put_payout_account(request: HttpRequest, payload: PayoutAccountIn) -> dict:
    """The holder must be you: for a bank, the account's NIK and name; for an e-wallet, your verified
    phone number and name. Refused while a payout is in flight."""
    if "\x00" in payload.provider:  # no provider's code has one, and PostgreSQL cannot even look it up
        raise fail("PROVIDER_UNKNOWN", "provider")
    person = person_of(request.auth)  # type: ignore[attr-defined]
    account = payout_accounts.save_payout_account(
        person,
        payload.dict(),
        actor=request.auth,  # type: ignore[attr-defined]
        ip=request.META.get("REMOTE_ADDR"),
    )
    return account_out(account)


@router.get(
    "/me/payout-account", auth=bearer, response={200: PayoutAccountOut, 404: ErrorsOut}, summary="My payout account"
)
def get_payout_account(request: HttpRequest) -> dict:
    person = person_of(request.auth)  # type: ignore[attr-defined]
    account = PayoutAccount.objects.select_related("provider").filter(person=person).first()
    if account is None:
        raise fail("NOT_FOUND", status=404)
    return account_out(account)


class PaymentOut(Schema):
    status: str
    amount: int
    provider: str
    account_number: str
    sent_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    failure_code: str


class EntitlementOut(Schema):
    id: str
    kind: str
    sequence: int
    amount: int
    status: str
    earned_at: dt.datetime
    paid_at: dt.datetime | None
    payments: list[PaymentOut]


class PaymentsOut(Schema):
    payout_account: PayoutAccountOut | None
    total_paid: int
    entitlements: list[EntitlementOut]


def payments_of(person) -> dict:  # type: ignore[no-untyped-def]
    entitlements = list(
        Entitlement.objects.filter(person=person).prefetch_related("payouts").order_by("created_at", "id")
    )
    account = PayoutAccount.objects.select_related("provider").filter(person=person).first()
    out = []
    for entitlement in entitlements:
        payouts = sorted(entitlement.payouts.all(), key=lambda p: p.id)
        out.append(
            {
                "id": str(entitlement.public_id),
                "kind": entitlement.kind,
                "sequence": entitlement.sequence,
                "amount": entitlement.amount,
                "status": entitlement.status,
                "earned_at": entitlement.created_at,
                "paid_at": entitlement.paid_at,
                "payments": [
                    {
                        "status": p.status,
                        "amount": p.amount,
                        "provider": p.provider,
                        "account_number": payout_accounts.masked(p.account_number),
                        "sent_at": p.sent_at,
                        "confirmed_at": p.confirmed_at,
                        "failure_code": p.failure_code
                        if p.status in (Payout.Status.FAILED, Payout.Status.RETURNED)
                        else "",
                    }
                    for p in payouts
                ],
            }
        )
    return {
        "payout_account": account_out(account) if account else None,
        "total_paid": sum(e["amount"] for e in out if e["status"] == Entitlement.Status.PAID),
        "entitlements": out,
    }


@router.get("/me/payments", auth=bearer, response=PaymentsOut, summary="My incentives and their payments")
def my_payments(request: HttpRequest) -> dict:
    return payments_of(person_of(request.auth))  # type: ignore[attr-defined]


@router.post("/integration/gateway/callback", include_in_schema=False)
def gateway_callback(request: HttpRequest) -> JsonResponse:
    """The gateway's signed status report. Duplicates and stale reports are harmless: see apply_report."""
    signature = request.headers.get("X-Gateway-Signature", "")
    if not hmac.compare_digest(signature, callback_signature(request.body)):
        return JsonResponse({"errors": [{"code": "INVALID_SIGNATURE"}]}, status=401)
    try:
        transfer = Transfer.from_json(json.loads(request.body))
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"errors": [{"code": "INVALID_JSON"}]}, status=400)
    payout = apply_report(transfer, via="callback")
    return JsonResponse({"received": True, "known": payout is not None})
