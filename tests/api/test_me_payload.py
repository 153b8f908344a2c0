"""``GET /api/v1/me`` reads its records in one fixed query (registry.journey) and builds its answer without
validating it again (registry.api.me_out): both are held here to what the ORM and validation would give."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import PROFILE
from prakerja.accounts.models import User
from prakerja.aptitude import actions as aptitude
from prakerja.aptitude.models import Question
from prakerja.batches.facts import _kk_recipients
from prakerja.batches.models import Application
from prakerja.payments.models import LedgerAccount
from prakerja.registry.actions import has_current_declaration
from prakerja.registry.api import MeOut, me_out
from prakerja.registry.journey import journey
from prakerja.registry.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def _orm_view(user: User) -> dict:
    """What the journey read before, query by query through the ORM."""
    # An account without a person yet reads as the empty person the first write would create.
    person = Person.objects.select_related("recipient").filter(user=user).first() or Person(user=user)
    attempt = aptitude.current_attempt(user)
    application = (
        Application.objects.filter(person=person).select_related("batch").order_by("-applied_at").first()
        if person.pk
        else None
    )
    return {
        "person": {f.attname: getattr(person, f.attname) for f in Person._meta.concrete_fields},
        "recipient": getattr(person, "recipient", None),
        "declared": person.pk is not None and has_current_declaration(person),
        "balance": getattr(LedgerAccount.objects.filter(person=person).order_by("pk").first(), "balance", 0)
        if person.pk
        else 0,
        "kk": _kk_recipients(person) if person.kk_index else 0,
        "taken": aptitude.test_taken(user),
        "score": attempt.score if attempt and attempt.finished_at else None,
        "application": (application.pk, application.batch.number) if application else None,
    }


def _fast_view(user: User) -> dict:
    state = journey(user)
    person = state.person
    return {
        "person": {f.attname: getattr(person, f.attname) for f in Person._meta.concrete_fields},
        "recipient": state.recipient,
        "declared": state.steps["declaration"],
        "balance": state.balance,
        "kk": None,
        "taken": state.steps["test"],
        "score": state.test_score,
        "application": (state.application.pk, state.application.batch.number) if state.application else None,
    }


def _same(user: User) -> None:
    orm, fast = _orm_view(user), _fast_view(user)
    fast["kk"] = orm["kk"]  # checked through the eligibility reasons below
    if orm["person"]["id"] is None:  # not stored yet: its public id is drawn anew for each instance
        del orm["person"]["public_id"], fast["person"]["public_id"]
    assert fast == orm
    for name, value in orm["person"].items():
        assert type(fast["person"][name]) is type(value), name  # the ORM's own types, converters applied


def _strictly_valid(user: User, language: str = "id") -> dict:
    out = me_out(user, journey(user), language)
    dumped = out.model_dump()
    assert MeOut.model_validate(dumped, strict=True).model_dump() == dumped
    return dumped


def test_a_new_account_reads_as_the_orm_would(verified_api):
    verified_api()
    user = User.objects.latest("id")
    Person.objects.filter(user=user).delete()
    dumped = _strictly_valid(user)
    assert dumped["state"] == "registering" and dumped["next_step"] == "identity"
    assert not Person.objects.filter(user=user).exists()  # a read writes nothing
    _same(user)


def test_a_participant_at_every_step_reads_as_the_orm_would(verified_api, resident):
    client = verified_api()
    user = User.objects.latest("id")
    assert client.get("/me").status_code == 200
    _same(user)
    assert client.put("/me/identity", resident()).status_code == 200
    _same(user)
    _strictly_valid(user)
    assert client.put("/me/profile", PROFILE).status_code == 200
    version = client.get("/me/declaration").json()["version"]
    assert client.post("/me/declaration", {"version": version}).status_code == 200
    _same(user)
    attempt = client.post("/me/test").json()  # open: read through aptitude's own functions
    _same(user)
    key = dict(Question.objects.values_list("code", "answer"))
    answers = {q["code"]: key[q["code"]] for q in attempt["questions"]}
    assert client.post("/me/test/submit", {"answers": answers}).json()["finished"]
    _same(user)
    for language in ("id", "en"):
        dumped = _strictly_valid(user, language)
        assert dumped["test"] == {"taken": True, "score": 20, "max_score": 20}
    assert client.get("/me").json() == MeOut.model_validate(_strictly_valid(user)).model_dump(mode="json")


def test_an_ineligible_participant_reads_its_reasons(verified_api, resident):
    client = verified_api()
    user = User.objects.latest("id")
    assert client.put("/me/identity", resident(birth_date=dt.date(1950, 1, 1))).status_code == 200
    dumped = _strictly_valid(user, "en")
    assert dumped["reasons"] and all(set(reason) == {"code", "field", "message"} for reason in dumped["reasons"])
    _same(user)
