"""``/api/v1/me``: the participant's state, identity, profile and declaration."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from prakerja.accounts.api import AccountOut, BearerAuth, ErrorsOut, account_out, bearer
from prakerja.accounts.models import User
from prakerja.core import pii
from prakerja.core.errors import language_of
from prakerja.core.requests import client_ip
from prakerja.registry import actions, declaration, subject_export
from prakerja.registry.journey import Journey, journey_for_token
from prakerja.registry.models import Person

router = Router(tags=["participant"], auth=bearer)


def mask_nik(nik: str | None) -> str | None:
    """Show region and serial only: ``3174********0001`` (``core.pii.mask``)."""
    return pii.mask(nik) if nik else None


class ReasonOut(Schema):
    code: str
    field: str | None
    message: str


class IdentityOut(Schema):
    verified: bool
    nik_masked: str | None
    nik: str | None = Field(description="the participant's own NIK, in full (only ever shown to its owner)")
    kk_number: str | None = Field(description="the participant's own family-card (KK) number, in full")
    full_name: str
    birth_date: dt.date | None
    gender: str
    district_code: str | None
    domicile_district_code: str | None


class ProfileOut(Schema):
    complete: bool
    education: str
    employment_status: str
    occupation: str
    in_formal_education: bool | None
    disability: bool | None
    former_migrant_worker: bool | None
    prior_training: bool | None
    marital_status: str
    dependents: int | None
    desired_topic: str


class TestOut(Schema):
    taken: bool
    score: int | None
    max_score: int | None


class MeOut(Schema):
    account: AccountOut
    state: str = Field(description="registering | eligible | ineligible | applied | recipient | revoked")
    next_step: str | None = Field(
        description="verify_email | verify_phone | identity | profile | declaration | test | apply | buy_training"
        " | null"
    )
    steps: dict[str, bool]
    eligible: bool
    reasons: list[ReasonOut] = Field(description="every failing eligibility rule")
    identity: IdentityOut
    profile: ProfileOut
    test: TestOut
    balance: int = Field(description="training balance in rupiah")
    deadlines: list[dict[str, str]]


# Built without validating again (``model_construct``): every value comes from the model with its field's
# type already (tests/api/test_me_payload.py validates GET /me's answer strictly against ``MeOut``).
def identity_out(person: Person) -> IdentityOut:
    return IdentityOut.model_construct(
        verified=person.identity_verified_at is not None,
        nik_masked=mask_nik(person.nik),
        nik=person.nik,
        kk_number=person.kk_number or None,
        full_name=person.full_name,
        birth_date=person.birth_date,
        gender=person.gender,
        district_code=person.ktp_district_id,
        domicile_district_code=person.domicile_district_id,
    )


def profile_out(person: Person) -> ProfileOut:
    return ProfileOut.model_construct(
        complete=person.profile_completed_at is not None,
        education=person.education,
        employment_status=person.employment_status,
        occupation=person.occupation,
        in_formal_education=person.in_formal_education,
        disability=person.disability,
        former_migrant_worker=person.former_migrant_worker,
        prior_training=person.prior_training,
        marital_status=person.marital_status,
        dependents=person.dependents,
        desired_topic=person.desired_topic,
    )


def _token_and_journey(request: HttpRequest, token: str) -> User | None:
    """The token's account and its journey in one query (registry.journey); the journey waits on the request."""
    found = journey_for_token(token)
    if found is None:
        return None
    user, state = found
    request.me_journey = state  # type: ignore[attr-defined]
    return user


@router.get(
    "",
    response=MeOut,
    auth=BearerAuth(lookup=_token_and_journey),
    summary="State, next step, eligibility, balance and deadlines",
)
def me(request: HttpRequest) -> MeOut:
    # Both read by this route's own look-up (_token_and_journey), in its one query.
    user: User = request.auth  # type: ignore[attr-defined]
    return me_out(user, request.me_journey, language_of(request))  # type: ignore[attr-defined]


def me_out(user: User, state: Journey, language: str) -> MeOut:
    """The answer of ``GET /api/v1/me``, built without validating it again (``model_construct``).

    It is the API's busiest read, and validating the nested schemas cost more than reading the database.
    Every value below already has its field's type (``tests/api/test_me_payload.py`` validates the result
    strictly against ``MeOut``); ninja serializes the instance as it is.
    """
    person = state.person  # read once, by the journey
    return MeOut.model_construct(
        account=account_out(user),  # accounts' own (validated: five fields)
        state=state.state,
        next_step=state.next_step,
        steps=dict(state.steps),
        eligible=state.eligible,
        reasons=[
            ReasonOut.model_construct(code=p.code, field=p.field, message=str(p.message(language)))
            for p in state.reasons
        ],
        identity=identity_out(person),
        profile=profile_out(person),
        test=TestOut.model_construct(taken=state.steps["test"], score=state.test_score, max_score=state.test_max_score),
        balance=int(state.balance),
        deadlines=[dict(d) for d in state.deadlines],
    )


class IdentityIn(Schema):
    nik: str = Field(max_length=32, examples=["3174014107990001"])
    kk_number: str = Field(max_length=32)
    full_name: str = Field(max_length=120)
    birth_date: dt.date
    gender: str = Field(max_length=10, description="M or F")
    mother_name: str = Field(max_length=120)
    district_code: str = Field(max_length=6, description="KTP address district (kecamatan) code")
    address: str = Field(max_length=300)
    domicile_district_code: str | None = Field(
        None, max_length=6, description="where the person lives now; defaults to the KTP district"
    )


@router.put(
    "/identity",
    response={200: IdentityOut, 409: ErrorsOut, 422: ErrorsOut, 503: ErrorsOut},
    summary="Submit the identity; checked against the civil registry and stored whole or not at all",
)
def put_identity(request: HttpRequest, payload: IdentityIn) -> IdentityOut:
    person = actions.submit_identity(request.auth, payload.dict(), ip=client_ip(request))  # type: ignore[attr-defined]
    return identity_out(person)


class ProfileIn(Schema):
    education: str = Field(max_length=20)
    employment_status: str = Field(max_length=20)
    occupation: str = Field(max_length=30)
    in_formal_education: bool
    disability: bool
    former_migrant_worker: bool
    prior_training: bool
    marital_status: str = Field(max_length=20)
    dependents: int = Field(ge=0, le=30)
    desired_topic: str = Field(max_length=100)


@router.put("/profile", response={200: ProfileOut, 409: ErrorsOut, 422: ErrorsOut}, summary="Save the profile")
def put_profile(request: HttpRequest, payload: ProfileIn) -> ProfileOut:
    person = actions.save_profile(request.auth, payload.dict(), ip=client_ip(request))  # type: ignore[attr-defined]
    return profile_out(person)


class DeclarationOut(Schema):
    version: str
    text: str
    accepted: bool
    accepted_at: dt.datetime | None


class DeclarationIn(Schema):
    version: str = Field(max_length=20)


@router.get("/declaration", response=DeclarationOut, summary="The current declaration and consent text")
def get_declaration(request: HttpRequest) -> DeclarationOut:
    person = actions.person_of(request.auth)  # type: ignore[attr-defined]
    version = actions.current_declaration_version()
    accepted = person.declarations.filter(version=version).first()
    return DeclarationOut(
        version=version,
        text=declaration.text_of(version, language_of(request)),
        accepted=accepted is not None,
        accepted_at=accepted.accepted_at if accepted else None,
    )


@router.post(
    "/declaration",
    response={200: DeclarationOut, 409: ErrorsOut, 422: ErrorsOut},
    summary="Accept the declaration and consent (the version read)",
)
def post_declaration(request: HttpRequest, payload: DeclarationIn) -> DeclarationOut:
    accepted = actions.accept_declaration(request.auth, payload.version, ip=client_ip(request))  # type: ignore[attr-defined]
    return DeclarationOut(
        version=accepted.version,
        text=declaration.text_of(accepted.version, language_of(request)),
        accepted=True,
        accepted_at=accepted.accepted_at,
    )


@router.get(
    "/data-export",
    response=dict[str, Any],
    summary="Everything the platform holds about me, as one JSON document (audited)",
    description=(
        "The data-subject export: account (without secrets), identity with the NIK and KK number in full, "
        "profile, declarations, tests, applications and results, recipient card, trainings, balance, payout "
        "account and payouts (account numbers masked), incentives, surveys, complaints and the audit trail "
        f"about me. `format` is `{subject_export.FORMAT}`."
    ),
)
def data_export(request: HttpRequest) -> dict[str, Any]:
    return subject_export.export(request.auth, ip=client_ip(request), channel="api")  # type: ignore[arg-type,attr-defined]
