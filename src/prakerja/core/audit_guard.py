"""The audit log is append-only, enforced by the database itself (triggers), not only by the code.

``UPDATE`` of an audit row is always refused. ``DELETE`` (and ``TRUNCATE`` on
PostgreSQL) is refused unless the connection says the audit log is erasable,
which only the test environment does, so that a test database can be emptied
between tests; the append-only test switches it off again to prove the guard.
In production the application's database role should in addition hold only
``INSERT`` and ``SELECT`` on ``core_auditevent`` (docs/decisions/0009-audit-log.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

TABLE = "core_auditevent"

# SQLite cannot read a session setting in a trigger; it asks this function, registered on each connection.
_erasable = {"on": False}

PG_CREATE = [
    """CREATE OR REPLACE FUNCTION prakerja_audit_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP <> 'UPDATE' AND current_setting('prakerja.audit_erasable', true) = 'on' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER audit_no_update BEFORE UPDATE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION prakerja_audit_append_only()""",
    # A row trigger returning NULL would skip the delete silently; an AFTER ... statement trigger cannot undo it.
    # So deletes are checked per row BEFORE, and allowed by returning OLD when erasable (see below).
    """CREATE OR REPLACE FUNCTION prakerja_audit_no_delete() RETURNS trigger AS $$
    BEGIN
        IF current_setting('prakerja.audit_erasable', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'the audit log is append-only (DELETE refused)' USING ERRCODE = 'insufficient_privilege';
    END $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER audit_no_delete BEFORE DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION prakerja_audit_no_delete()""",
    f"""CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION prakerja_audit_append_only()""",
]
PG_DROP = [
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_no_delete ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_no_update ON {TABLE}",
    "DROP FUNCTION IF EXISTS prakerja_audit_no_delete()",
    "DROP FUNCTION IF EXISTS prakerja_audit_append_only()",
]
SQLITE_CREATE = [
    f"""CREATE TRIGGER audit_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only (UPDATE refused)'); END""",
    f"""CREATE TRIGGER audit_no_delete BEFORE DELETE ON {TABLE} WHEN NOT prakerja_audit_erasable()
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only (DELETE refused)'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_no_delete", "DROP TRIGGER IF EXISTS audit_no_update"]


def erasable_by_environment() -> bool:
    return settings.PRAKERJA_ENV == "test"


def set_erasable(connection: Any, on: bool) -> None:
    """Tests only: let (or stop) this connection empty the audit table."""
    _erasable["on"] = on
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('prakerja.audit_erasable', %s, false)", ["on" if on else "off"])


def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "prakerja_audit_erasable", 0, lambda: int(_erasable["on"]), deterministic=False
        )
    if erasable_by_environment():
        set_erasable(connection, True)


def create_triggers(apps: Any, schema_editor: Any) -> None:
    statements = {"postgresql": PG_CREATE, "sqlite": SQLITE_CREATE}.get(schema_editor.connection.vendor, [])
    if schema_editor.connection.vendor == "sqlite":
        on_connection_created(None, schema_editor.connection)
    for sql in statements:
        schema_editor.execute(sql, params=None)


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    for sql in {"postgresql": PG_DROP, "sqlite": SQLITE_DROP}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)
