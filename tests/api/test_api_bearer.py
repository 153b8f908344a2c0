"""The bearer-token look-up in one fixed query (accounts.bearer), and the same look-up inside ``GET /api/v1/me``'s
journey query (registry.journey), answer as the ORM query they replaced did."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from prakerja.accounts import actions, two_factor
from prakerja.accounts.bearer import user_for_token
from prakerja.accounts.models import ApiToken, User
from prakerja.core import clock
from prakerja.registry.journey import journey_for_token

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
    orm, fast = orm_user_for_token(raw), user_for_token(raw)
    # GET /api/v1/me reads the token inside its journey's query (registry.journey): the same account, or none.
    found = journey_for_token(raw)
    assert (found[0] if found else None) == fast
    if found:
        for field in User._meta.concrete_fields:
            assert getattr(found[0], field.attname) == getattr(fast, field.attname), field.name
            assert type(getattr(found[0], field.attname)) is type(getattr(fast, field.attname)), field.name
    return orm, fast


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


def test_me_answers_401_for_expired_inactive_and_staff_tokens(client):
    """``GET /api/v1/me`` reads the token in its own query: it refuses what every other endpoint refuses."""
    user = _account("tolak.me@contoh.id", phone="+6281200002222")
    raw = actions.issue_token(user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/me", **auth).status_code == 200
    for change in ({"is_active": False}, {"role": User.Role.PMO}):
        User.objects.filter(pk=user.pk).update(**change)
        assert client.get("/api/v1/me", **auth).status_code == 401
        assert client.get("/api/v1/me/declaration", **auth).status_code == 401  # the shared look-up agrees
        User.objects.filter(pk=user.pk).update(is_active=True, role=User.Role.PARTICIPANT)
    assert client.get("/api/v1/me", **auth).status_code == 200
    ApiToken.objects.filter(user=user).update(expires_at=clock.now() - dt.timedelta(seconds=1))
    r = client.get("/api/v1/me", **auth)
    assert r.status_code == 401 and r.json()["errors"][0]["code"] == "NOT_AUTHENTICATED"
