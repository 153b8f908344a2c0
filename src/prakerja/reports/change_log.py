"""Which people's figures changed since the last refresh: a change log the database itself keeps.

Triggers on the tables the dashboards count (applications, recipients, purchases, incentive
entitlements, survey invitations, and the registry's profile columns) append the person's id to
``reports_pending_change`` whenever a row that can move a figure is written. Database triggers
rather than hooks in the actions, because figures must follow *every* write: the set-based
selection, bulk loads, the admin, a fix run by hand in ``psql``.

Kept cheap for bulk writes:
- on PostgreSQL, inserts and deletes are logged by one *statement* trigger with a transition
  table (one ``INSERT … SELECT`` per statement, not one call per row: announcing a million
  recipients logs them in one go);
- updates are logged by a *row* trigger that names its columns and has a ``WHEN`` clause, so an
  update that does not change a counted column (the selection writing ranks and reasons) costs
  nothing but the clause.
SQLite has row triggers only, fine at its scale.

The selection's results (``batches_result``, whose ``eligible`` the dashboards count) name no person:
their row triggers note the application's person. A writer that changes a whole batch at once (the
selection inserting every application's result) would still pay one row trigger and one log row per
row. It may instead turn the row triggers off for its transaction (``bulk_write``, PostgreSQL) and note
``EVERYONE``: the next refresh rebuilds in full, which it would have done anyway above a few hundred
thousand people.

``reports_person_figures`` holds each person's last counted contribution per batch and regency,
so the incremental refresh can subtract the old and add the new (reports.aggregates).
"""

# ruff: noqa: S608 -- the SQL here is built from constants and model table names only, never from input.
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

PENDING = "reports_pending_change"
SNAPSHOT = "reports_person_figures"

# table -> (the column naming the person, columns whose change can move a figure)
WATCHED: dict[str, tuple[str, tuple[str, ...]]] = {
    "batches_application": ("person_id", ("batch_id", "regency_code")),
    "batches_recipient": ("person_id", ("batch_id", "application_id", "status")),
    "learning_purchase": ("person_id", ("status",)),
    "payments_entitlement": ("person_id", ("status", "amount")),
    "surveys_surveyinvitation": ("person_id", ("answered_at", "sequence", "outcome")),
    # The registry row is the person: only its profile columns count, and a new person counts nothing
    # until they apply, so only updates are watched.
    "registry_person": (
        "id",
        ("gender", "disability", "former_migrant_worker", "education", "employment_status", "prior_training"),
    ),
}
BULK_WATCHED = [t for t in WATCHED if t != "registry_person"]  # inserts and deletes matter here

# A log row for no person in particular: everyone's figures may have moved (ids start at 1).
EVERYONE = 0
# The transaction-local setting that turns the row triggers off (PostgreSQL): the writer logs for itself.
SWITCH = "prakerja.log_changes"

# The counted columns: reports.aggregates.COUNTS, in its order (a test holds them equal). A column added
# later needs its own migration to add it to the snapshot table.
SNAPSHOT_COUNTS = (
    "applicants",
    "eligible",
    "recipients",
    "revoked",
    "purchases",
    "completions",
    "incentives_paid",
    "paid_people",
    "women",
    "disability",
    "former_migrant_worker",
    "primary_or_less",
    "unemployed",
    "never_trained",
    "wave1_answers",
    "wave1_working",
    "wave1_business",
    "wave2_answers",
    "wave2_working",
    "wave2_business",
)


def _changed(columns: tuple[str, ...], person: str) -> str:
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in (*columns, person))
    # The switch first: a bulk writer's rows stop there.
    return f"current_setting('{SWITCH}', true) IS DISTINCT FROM 'off' AND ({changed})"


def _sqlite_changed(columns: tuple[str, ...], person: str) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in (*columns, person))


def _tables(vendor: str) -> list[str]:
    counts = ", ".join(f"{c} bigint NOT NULL DEFAULT 0" for c in SNAPSHOT_COUNTS)
    # Unlogged on PostgreSQL: rebuilt from the program's tables at will, so not worth WAL; a crash
    # empties it and the next refresh sees that and rebuilds in full (reports.aggregates).
    unlogged = "UNLOGGED " if vendor == "postgresql" else ""
    serial = "bigserial PRIMARY KEY" if vendor == "postgresql" else "integer PRIMARY KEY AUTOINCREMENT"
    return [
        f"CREATE TABLE {PENDING} (id {serial}, person_id bigint NOT NULL)",
        f"CREATE {unlogged}TABLE {SNAPSHOT} (person_id bigint NOT NULL, batch_id bigint NOT NULL, "
        f"regency_code varchar(4) NOT NULL, {counts})",
        f"CREATE INDEX reports_person_figures_person ON {SNAPSHOT} (person_id)",
    ]


def postgresql_create() -> list[str]:
    statements = _tables("postgresql")
    statements += [
        f"""CREATE FUNCTION reports_note_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO {PENDING} (person_id) SELECT person_id FROM new_rows; RETURN NULL; END $$""",
        f"""CREATE FUNCTION reports_note_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO {PENDING} (person_id) SELECT person_id FROM old_rows; RETURN NULL; END $$""",
        f"""CREATE FUNCTION reports_note_updated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {PENDING} (person_id) VALUES (NEW.person_id);
            IF NEW.person_id IS DISTINCT FROM OLD.person_id THEN
                INSERT INTO {PENDING} (person_id) VALUES (OLD.person_id);
            END IF;
            RETURN NULL;
        END $$""",
        f"""CREATE FUNCTION reports_note_person() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO {PENDING} (person_id) VALUES (NEW.id); RETURN NULL; END $$""",
    ]
    for table in BULK_WATCHED:
        statements += [
            f"""CREATE TRIGGER reports_log_insert AFTER INSERT ON {table}
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_note_inserted()""",
            f"""CREATE TRIGGER reports_log_delete AFTER DELETE ON {table}
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_note_deleted()""",
        ]
    return statements + postgresql_update_triggers()


def postgresql_update_triggers() -> list[str]:
    statements = []
    for table, (person, columns) in WATCHED.items():
        function = "reports_note_person" if person == "id" else "reports_note_updated"
        statements.append(
            f"""CREATE TRIGGER reports_log_update AFTER UPDATE OF {", ".join((*columns, person))} ON {table}
            FOR EACH ROW WHEN ({_changed(columns, person)}) EXECUTE FUNCTION {function}()"""
        )
    return statements


def recreate_update_triggers(apps: Any, schema_editor: Any) -> None:
    """Migration step: the update triggers as defined now (PostgreSQL; SQLite's have no switch)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in WATCHED:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS reports_log_update ON {table}", params=None)
    for sql in postgresql_update_triggers():
        schema_editor.execute(sql, params=None)


RESULTS = "batches_result"
# The result's person, through its application (none when the application is gone: its own delete noted them).
_RESULT_PERSON = "a.person_id FROM batches_application a WHERE a.id = {row}.application_id"


def result_triggers(vendor: str) -> list[str]:
    """Row triggers on the selection's results: every insert, delete and change of ``eligible`` notes the
    application's person (row triggers, not statement ones: with the switch off a bulk insert pays only
    the ``WHEN``, where a statement trigger would still collect every row)."""
    if vendor == "postgresql":
        statements = [
            f"""CREATE FUNCTION reports_note_result() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'DELETE' THEN
                    INSERT INTO {PENDING} (person_id) SELECT {_RESULT_PERSON.format(row="NEW")};
                END IF;
                IF TG_OP <> 'INSERT' THEN
                    INSERT INTO {PENDING} (person_id) SELECT {_RESULT_PERSON.format(row="OLD")};
                END IF;
                RETURN NULL;
            END $$"""
        ]
        on = f"current_setting('{SWITCH}', true) IS DISTINCT FROM 'off'"
        return [
            *statements,
            *(
                f"""CREATE TRIGGER reports_log_{op.lower()} AFTER {op} ON {RESULTS}
                FOR EACH ROW WHEN ({on}) EXECUTE FUNCTION reports_note_result()"""
                for op in ("INSERT", "DELETE")
            ),
            f"""CREATE TRIGGER reports_log_update AFTER UPDATE OF eligible, application_id ON {RESULTS}
            FOR EACH ROW WHEN ({on} AND (OLD.eligible IS DISTINCT FROM NEW.eligible
                OR OLD.application_id IS DISTINCT FROM NEW.application_id))
            EXECUTE FUNCTION reports_note_result()""",
        ]
    new, old = _RESULT_PERSON.format(row="NEW"), _RESULT_PERSON.format(row="OLD")
    return [
        f"""CREATE TRIGGER reports_log_insert_{RESULTS} AFTER INSERT ON {RESULTS}
        BEGIN INSERT INTO {PENDING} (person_id) SELECT {new}; END""",
        f"""CREATE TRIGGER reports_log_delete_{RESULTS} AFTER DELETE ON {RESULTS}
        BEGIN INSERT INTO {PENDING} (person_id) SELECT {old}; END""",
        f"""CREATE TRIGGER reports_log_update_{RESULTS} AFTER UPDATE OF eligible, application_id ON {RESULTS}
        WHEN OLD.eligible IS NOT NEW.eligible OR OLD.application_id IS NOT NEW.application_id
        BEGIN
            INSERT INTO {PENDING} (person_id) SELECT {new};
            INSERT INTO {PENDING} (person_id) SELECT {old};
        END""",
    ]


def drop_result_triggers(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            *(f"DROP TRIGGER IF EXISTS reports_log_{op} ON {RESULTS}" for op in ("insert", "delete", "update")),
            "DROP FUNCTION IF EXISTS reports_note_result()",
        ]
    return [f"DROP TRIGGER IF EXISTS reports_log_{op}_{RESULTS}" for op in ("insert", "delete", "update")]


@contextmanager
def bulk_write(connection: Any) -> Iterator[None]:
    """Inside a transaction: updates made in the block are not logged row by row (PostgreSQL) and
    everyone is noted once instead, so the next refresh is a full one. For writers that change so
    many people that a full rebuild is what the refresh would do anyway."""
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            cursor.execute("SELECT set_config(%s, 'off', true)", [SWITCH])
        # No ``finally``: after a database error PostgreSQL refuses every statement until the rollback
        # (which ends the transaction-local setting too), and a reset there would hide the real error.
        yield
        if postgresql:
            cursor.execute("SELECT set_config(%s, 'on', true)", [SWITCH])
        cursor.execute(f"INSERT INTO {PENDING} (person_id) VALUES (%s)", [EVERYONE])


def postgresql_drop() -> list[str]:
    statements = []
    for table in WATCHED:
        statements += [f"DROP TRIGGER IF EXISTS reports_log_{op} ON {table}" for op in ("insert", "delete", "update")]
    statements += [
        f"DROP FUNCTION IF EXISTS {f}()"
        for f in ("reports_note_inserted", "reports_note_deleted", "reports_note_updated", "reports_note_person")
    ]
    return [*statements, f"DROP TABLE IF EXISTS {SNAPSHOT}", f"DROP TABLE IF EXISTS {PENDING}"]


def sqlite_create() -> list[str]:
    statements = _tables("sqlite")
    for table in WATCHED:
        statements += sqlite_table_triggers(table)
    return statements


def sqlite_table_triggers(table: str) -> list[str]:
    """One watched table's SQLite triggers (a migration that remakes the table drops them)."""
    person, columns = WATCHED[table]
    statements = []
    if table in BULK_WATCHED:
        statements += [
            f"""CREATE TRIGGER reports_log_insert_{table} AFTER INSERT ON {table}
            BEGIN INSERT INTO {PENDING} (person_id) VALUES (NEW.{person}); END""",
            f"""CREATE TRIGGER reports_log_delete_{table} AFTER DELETE ON {table}
            BEGIN INSERT INTO {PENDING} (person_id) VALUES (OLD.{person}); END""",
        ]
    statements.append(
        f"""CREATE TRIGGER reports_log_update_{table} AFTER UPDATE OF {", ".join((*columns, person))}
        ON {table} WHEN {_sqlite_changed(columns, person)}
        BEGIN
            INSERT INTO {PENDING} (person_id) VALUES (NEW.{person});
            INSERT INTO {PENDING} (person_id) SELECT OLD.{person} WHERE OLD.{person} IS NOT NEW.{person};
        END"""
    )
    return statements


def sqlite_drop() -> list[str]:
    statements = [
        f"DROP TRIGGER IF EXISTS reports_log_{op}_{table}" for table in WATCHED for op in ("insert", "delete", "update")
    ]
    return [*statements, f"DROP TABLE IF EXISTS {SNAPSHOT}", f"DROP TABLE IF EXISTS {PENDING}"]


def create(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": postgresql_create, "sqlite": sqlite_create}[vendor]():
        schema_editor.execute(sql, params=None)


def drop(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": postgresql_drop, "sqlite": sqlite_drop}[vendor]():
        schema_editor.execute(sql, params=None)
