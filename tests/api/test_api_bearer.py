"""The bearer-token look-up in one fixed query (accounts.bearer) answers as the ORM query it replaced did."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from prakerja.accounts import actions, two_factor
from prakerja.accounts.bearer import user_for_token
from prakerja.accounts.models import ApiToken, User
from prakerja.core import clock

pytestmark = pytest.mark.django_db


def orm_user_for_token(raw: str) -> User | None:
    """The look-up as the ORM wrote it before (the reference the fixed query must agree with)."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hashlib.sha256(raw.encode()).hexdigest(), expires_at__gt=clock.now())
        .first()
    )
    if token is None or not token.user.is_active or two_factor.needs_second_factor(token.user):
        return None
    return token.user


def _both(raw: str) -> tuple[User | None, User | None]:
    return orm_user_for_token(raw), user_for_token(raw)


def _account(email: str, **fields: object) -> User:
    return User.objects.create_user(email=email, password="x" * 12, **fields)  # type: ignore[arg-type]


def test_same_answers_as_the_accounts_lookup():
    participant = _account("peserta.bearer@contoh.id", phone="+6281200001111")
    raw = actions.issue_token(participant)
    orm, fast = _both(raw)
    assert orm == fast == participant
    assert fast is not None
    for field in User._meta.concrete_fields:  # every field, with the ORM's own types
        assert getattr(fast, field.attname) == getattr(orm, field.attname), field.name
        assert type(getattr(fast, field.attname)) is type(getattr(orm, field.attname)), field.name
    assert not fast._state.adding and fast._state.db == "default"

    for refused in ("", "nope", raw + "x", raw[:-1], "x" * 201):
        assert _both(refused) == (None, None)

    ApiToken.objects.filter(user=participant).update(expires_at=clock.now() - dt.timedelta(seconds=1))
    assert _both(raw) == (None, None)  # expired


@pytest.mark.parametrize(
    "change", [{"is_active": False}, {"is_staff": True}, {"is_superuser": True}, {"role": User.Role.PMO}]
)
def test_inactive_and_staff_accounts_are_refused_alike(change):
    user = _account("berubah.bearer@contoh.id")
    raw = actions.issue_token(user)  # issued while a participant; the account changes afterwards
    assert _both(raw) == (user, user)
    User.objects.filter(pk=user.pk).update(**change)
    assert _both(raw) == (None, None)


def test_me_answers_401_with_a_json_error_for_a_bad_token(client):
    r = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer salah", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 401 and r["WWW-Authenticate"] == "Bearer"
    assert r.json()["errors"][0]["code"] == "NOT_AUTHENTICATED"
    r = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer salah")
    assert r.json()["errors"][0]["message"] != ""
