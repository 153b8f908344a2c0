"""Model instances from a hand-written ``SELECT``, built exactly as the ORM builds them.

The busiest reads (a bearer token's account, ``GET /api/v1/me``'s journey) are one fixed query each. Built
through the ORM, most of their cost is compiling the same SQL again on every request (several hundred
microseconds per query for a model with forty fields). Here the SQL is written once, and a
:class:`Projection` gives the columns of one model in it and turns them back into an instance: the columns
are every concrete field of the model (``_meta``, so a new field is read without touching the query), and
each value goes through the converters the ORM would apply on this database (``connection.ops`` and the
field's own ``from_db_value``) before ``Model.from_db`` — the same instance, with the same types, as
``QuerySet`` would have given.

:func:`fetch_one` runs such a query. On PostgreSQL, when the settings allow prepared statements
(``prepare_threshold`` in the database options), it binds the parameters on the server, so psycopg
prepares the statement once per connection and PostgreSQL stops planning it on every request (planning
the journey's query cost more than running it). It goes through Django's cursor wrapper all the same
(errors, ``execute_wrapper``); where queries are logged (DEBUG, a test counting them) it uses Django's own
cursor, whose log holds the SQL with its values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper

M = TypeVar("M", bound=models.Model)
Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


class Projection(Generic[M]):
    """The columns of ``model`` under table alias ``alias`` in a ``SELECT``, and the instance built from them."""

    def __init__(self, model: type[M], alias: str) -> None:
        self.model = model
        self.alias = alias
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.width = len(self.fields)
        self._pk_at = self.fields.index(model._meta.pk)  # type: ignore[arg-type]
        self._converters: dict[str, list[tuple[int, list[Converter], Any]]] = {}

    def columns(self, connection: BaseDatabaseWrapper) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{quote(self.alias)}.{quote(f.column)}" for f in self.fields)

    def _converters_for(self, connection: BaseDatabaseWrapper) -> list[tuple[int, list[Converter], Any]]:
        found = self._converters.get(connection.alias)
        if found is None:
            found = []
            for i, field in enumerate(self.fields):
                col = field.get_col(self.alias)
                converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if converters:
                    found.append((i, converters, col))
            self._converters[connection.alias] = found
        return found

    def build(self, connection: BaseDatabaseWrapper, row: Sequence[Any], start: int = 0) -> M | None:
        """The instance from ``row[start:start + width]``; None when its primary key is NULL (an outer join
        that found nothing)."""
        values = list(row[start : start + self.width])
        if values[self._pk_at] is None:
            return None
        for i, converters, col in self._converters_for(connection):
            value = values[i]
            for convert in converters:
                value = convert(value, col, connection)
            values[i] = value
        return self.model.from_db(connection.alias, self.attnames, values)  # type: ignore[return-value]


def fetch_one(connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """The first row of ``sql`` (written with ``%s`` placeholders) with ``params``, or None."""
    with _cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()  # type: ignore[no-any-return]


def _cursor(connection: BaseDatabaseWrapper) -> Any:
    if (
        connection.vendor != "postgresql"
        or connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold") is None
        or connection.queries_logged  # DEBUG or a test counting queries: Django's cursor logs the full SQL
    ):
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]

    # What connection.cursor() does, with a server-binding cursor in place of the client-binding one.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = ServerBindingCursor(connection.connection)
    connection.validate_thread_sharing()
    return connection.make_cursor(raw)


def table(connection: BaseDatabaseWrapper, model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(connection: BaseDatabaseWrapper, model: type[models.Model], name: str) -> str:
    """The quoted column of field ``name`` (``person`` gives ``"person_id"``)."""
    return connection.ops.quote_name(model._meta.get_field(name).column)  # type: ignore[union-attr,arg-type]


def update_each(model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Write ``fields`` of each of ``objs`` (saved rows), one ``UPDATE … WHERE pk = …`` per object, sent as
    one batch (``executemany``: a single round trip on PostgreSQL, whose driver pipelines it).

    Django's ``bulk_update`` writes the same in one statement, but builds a ``CASE WHEN pk = … THEN …``
    expression per field and object and compiles it: for a disbursement worker's chunk of fifty payouts
    and seven fields, that took more than half of the worker's time (py-spy), more than the database and
    the gateway together. Each value goes through its field's ``get_db_prep_save``, so the database gets what
    ``save(update_fields=…)`` would send; like ``bulk_update``, no ``save()`` or signal runs.
    """
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    targets = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in targets)  # type: ignore[union-attr,arg-type]
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(pk.column)} = %s"  # noqa: S608 - names from _meta
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in targets]  # type: ignore[union-attr]
        + [pk.get_db_prep_save(obj.pk, connection)]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
