"""Bearer-token authentication: the account behind an API token, on every participant API call.

:func:`user_for_token` gives the account of an unexpired token (only its SHA-256 is stored), if the account
is active and is not one that logs in with two factors (staff and operators never use bearer tokens). The
token and its account are read by one fixed ``SELECT`` (core.rows) instead of a query the ORM compiles anew
on every request; ``tests/api/test_api_bearer.py`` holds it to the same answers as the ORM query it replaced.
"""

from __future__ import annotations

import hashlib

from django.db import connections, router

from prakerja.accounts import two_factor
from prakerja.accounts.models import ApiToken, User
from prakerja.core import clock
from prakerja.core.rows import Projection, column, fetch_one, table

_user = Projection(User, "u")
_sql: dict[str, str] = {}


def _query(connection: object) -> str:
    alias = connection.alias  # type: ignore[attr-defined]
    found = _sql.get(alias)
    if found is None:
        found = _sql[alias] = (
            # Names from the models' _meta, quoted by the backend; the values are parameters.
            f"SELECT {_user.columns(connection)} FROM {table(connection, ApiToken)} t "  # type: ignore[arg-type]  # noqa: S608
            f"INNER JOIN {table(connection, User)} u ON u.{column(connection, User, 'id')} = "  # type: ignore[arg-type]
            f"t.{column(connection, ApiToken, 'user')} "  # type: ignore[arg-type]
            f"WHERE t.{column(connection, ApiToken, 'token_hash')} = %s "  # type: ignore[arg-type]
            f"AND t.{column(connection, ApiToken, 'expires_at')} > %s"  # type: ignore[arg-type]
            # token_hash is unique: one row at most
        )
    return found


def user_for_token(raw: str) -> User | None:
    if not raw or len(raw) > 200:
        return None
    connection = connections[router.db_for_read(ApiToken)]
    now = ApiToken._meta.get_field("expires_at").get_db_prep_value(clock.now(), connection)
    row = fetch_one(connection, _query(connection), (hashlib.sha256(raw.encode()).hexdigest(), now))
    user = _user.build(connection, row) if row is not None else None
    if user is None or not user.is_active or two_factor.needs_second_factor(user):
        return None
    return user
