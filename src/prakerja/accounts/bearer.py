"""Bearer-token authentication: the account behind an API token, on every participant API call.

:func:`user_for_token` gives the account of an unexpired token (only its SHA-256 is stored), if the account
is active and is not one that logs in with two factors (staff and operators never use bearer tokens). The
token and its account are read by one fixed ``SELECT`` (core.rows) instead of a query the ORM compiles anew
on every request; ``tests/api/test_api_bearer.py`` holds it to the same answers as the ORM query it replaced.
"""

from __future__ import annotations

import hashlib

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper

from prakerja.accounts import two_factor
from prakerja.accounts.models import ApiToken, User
from prakerja.core import clock
from prakerja.core.rows import Projection, column, fetch_one, table

USER = Projection(User, "u")  # the account's columns in :func:`source`'s join
_sql: dict[str, str] = {}


def source(connection: BaseDatabaseWrapper) -> tuple[str, str]:
    """The ``FROM`` and ``WHERE`` of a token's look-up: the token ``t`` joined with its account ``u``, and the
    condition on :func:`params` (the token's digest and now). Another fixed query that starts from a token
    (``GET /api/v1/me``'s journey, registry.journey) reads the same rows with them."""
    t, u = "t", "u"
    return (
        # Names from the models' _meta, quoted by the backend; the values are parameters.
        f"{table(connection, ApiToken)} {t} "
        f"INNER JOIN {table(connection, User)} {u} ON {u}.{column(connection, User, 'id')} = "
        f"{t}.{column(connection, ApiToken, 'user')}",
        f"{t}.{column(connection, ApiToken, 'token_hash')} = %s "
        f"AND {t}.{column(connection, ApiToken, 'expires_at')} > %s",
        # token_hash is unique: one row at most
    )


def params(raw: str, connection: BaseDatabaseWrapper) -> tuple[str, object] | None:
    """The parameters of :func:`source`'s condition for the token ``raw``; None when it cannot be a token."""
    if not raw or len(raw) > 200:
        return None
    now = ApiToken._meta.get_field("expires_at").get_db_prep_value(clock.now(), connection)
    return hashlib.sha256(raw.encode()).hexdigest(), now


def accepted(user: User | None) -> User | None:
    """The account, if a bearer token may act for it: active, and not one that logs in with two factors
    (staff and operators never use bearer tokens)."""
    if user is None or not user.is_active or two_factor.needs_second_factor(user):
        return None
    return user


def _query(connection: BaseDatabaseWrapper) -> str:
    alias = connection.alias
    found = _sql.get(alias)
    if found is None:
        joined, condition = source(connection)
        found = _sql[alias] = f"SELECT {USER.columns(connection)} FROM {joined} WHERE {condition}"  # noqa: S608
    return found


def user_for_token(raw: str) -> User | None:
    connection = connections[router.db_for_read(ApiToken)]
    values = params(raw, connection)
    if values is None:
        return None
    row = fetch_one(connection, _query(connection), values)
    return accepted(USER.build(connection, row) if row is not None else None)
