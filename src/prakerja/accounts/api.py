"""``/api/v1/auth/``: register, API tokens, email and phone verification."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from ninja.security import HttpBearer

from prakerja.accounts import actions
from prakerja.accounts.bearer import user_for_token
from prakerja.accounts.models import User
from prakerja.core.requests import client_ip


class BearerAuth(HttpBearer):
    """A participant's bearer token (accounts.bearer). ``lookup`` replaces the look-up for an endpoint that
    reads the token with more in one query (``GET /api/v1/me``); one class, so the API's description keeps
    one security scheme."""

    def __init__(self, lookup: Callable[[HttpRequest, str], User | None] | None = None) -> None:
        super().__init__()
        self.lookup = lookup

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if self.lookup is not None:
            return self.lookup(request, token)
        return user_for_token(token)


bearer = BearerAuth()
router = Router(tags=["auth"])


class RegisterIn(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=128)
    phone: str = Field(max_length=24)


class AccountOut(Schema):
    id: str
    email: str
    phone: str
    email_verified: bool
    phone_verified: bool


def account_out(user: User) -> AccountOut:
    return AccountOut(
        id=str(user.public_id),
        email=user.email,
        phone=user.phone or "",
        email_verified=user.email_verified_at is not None,
        phone_verified=user.phone_verified_at is not None,
    )


class TokenIn(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=128)


class TokenOut(Schema):
    token: str


class VerifyEmailIn(Schema):
    token: str = Field(max_length=500)


class VerifyPhoneIn(Schema):
    code: str = Field(max_length=12)


class ErrorItem(Schema):
    code: str
    field: str | None
    message: str


class ErrorsOut(Schema):
    errors: list[ErrorItem]


@router.post("/register", response={201: AccountOut, 422: ErrorsOut}, summary="Create a participant account")
def register(request: HttpRequest, payload: RegisterIn) -> Status[AccountOut]:
    """Sends a verification link by email and a 6-digit code by SMS."""
    user = actions.register(payload.email, payload.password, payload.phone, ip=client_ip(request))
    return Status(201, account_out(user))


@router.post("/token", response={200: TokenOut, 401: ErrorsOut, 429: ErrorsOut}, summary="Log in for a bearer token")
def token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    user = actions.log_in(request, payload.email, payload.password, client_ip(request))
    return TokenOut(token=actions.issue_token(user))


@router.post("/verify-email", response={200: AccountOut, 400: ErrorsOut}, summary="Confirm the emailed link's token")
def verify_email(request: HttpRequest, payload: VerifyEmailIn) -> AccountOut:
    return account_out(actions.verify_email(payload.token))


@router.post(
    "/verify-phone",
    auth=bearer,
    response={200: AccountOut, 422: ErrorsOut, 429: ErrorsOut},
    summary="Confirm the SMS code",
)
def verify_phone(request: HttpRequest, payload: VerifyPhoneIn) -> AccountOut:
    user: User = request.auth  # type: ignore[attr-defined]
    actions.verify_phone(user, payload.code)
    return account_out(user)


@router.post(
    "/resend-phone-code",
    auth=bearer,
    response={202: None, 429: ErrorsOut},
    summary="Send a new SMS code (one a minute)",
)
def resend_phone_code(request: HttpRequest) -> Status[None]:
    actions.resend_phone_otp(request.auth)  # type: ignore[attr-defined]
    return Status(202, None)
