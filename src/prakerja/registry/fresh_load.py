"""A big bulk load into an empty registry: indexes and foreign keys set aside, rebuilt at the end.

``registry/bulk.py`` writes people chunk by chunk, each chunk committed on its own, with every
index and foreign key of the six tables live. Into tables that already hold people that is the
right way: a rerun must meet the rows that are there, other writers may be about. Into an empty
registry (a fresh deployment's first load, a rehearsal, a benchmark) most of PostgreSQL's work
is then upkeep it could do far cheaper at once, as ``pg_restore`` does it:

- about 30 secondary index entries per person, most on random keys (public ids, blind indexes),
  inserted one by one into B-trees that outgrow the shared buffers at a million people, where
  building each index after the load is one sort;
- seven foreign-key checks per person (one query each, at commit), where adding the key after
  the load is one join that checks every row.

So when the registry is empty and the load is big (``FROM_PEOPLE``), :func:`load` runs the whole
load as ONE transaction that

1. locks the tables it loads (``ACCESS EXCLUSIVE``, accounts included: nobody logs in meanwhile;
   dropping a foreign key also takes the tables it points to, districts and batches). A load into
   an empty registry is not a live system's moment;
2. drops their foreign keys and secondary indexes, remembering each definition as the catalog
   gives it (``pg_get_constraintdef`` / ``pg_get_indexdef``). Kept live: primary keys (other
   tables' keys point at them; the loader's ids arrive in order, cheap to insert) and the
   residents' unique NIK, which is how a NIK drawn twice across chunks is noticed (that chunk is
   rolled back to its savepoint and redone by ``bulk``, with look-ups). Every other unique key holds by
   construction in an empty registry (emails and phones per person number, random 122-bit ids);
   the account indexes are only set aside when there are no accounts at all;
3. writes the people on one connection, a chunk per savepoint, as ``bulk``'s COPY path writes
   them: the same rows, keys from the same sequences in person order, the same eligibility
   (:func:`write`, leaner than ``bulk``'s chunk writer, which must also meet people already there;
   ``tests/registry/test_fresh_load.py`` holds the two equal). The change log's statement
   trigger on applications fires as on any insert;
4. re-creates every index and constraint from its definition, so PostgreSQL checks each unique
   key and validates each foreign key over all the rows; then ``ANALYZE``.

A failure anywhere, a duplicate found by a rebuilt unique index or an interruption rolls the
whole transaction back: the tables are empty again, with every index and key as before, and a
rerun starts over. Elsewhere (SQLite, a registry that holds people, a small load, a caller's
transaction, a role that does not own the tables) this is ``bulk.load`` as it is.

Measured on the 2-core bench machine (shared with other work, so CPU seconds are the steadier
figure), a million applicants: PostgreSQL's CPU from about 105 s to 45 s (rows about 20 s, the
rebuild about 20 s with its parallel workers), the loader's Python from about 39 s to 28 s; wall
time 124 s to 75 s back to back. One backend does all of PostgreSQL's row work here where ``bulk``
runs three, so on a machine busy with other work this path gets a smaller share of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, connection, transaction

from prakerja.batches.models import Batch
from prakerja.registry import bulk
from prakerja.registry.models import ProgramStatus
from prakerja.registry.population import Synthetic

# Below this, rebuilding ~35 indexes (a sync each) saves little (measured: even at 10,000, 1.5x faster at 20,000),
# and the chunked loader leaves the tables to others meanwhile.
FROM_PEOPLE = 20_000
# Unique indexes that stay live during the load, by table and columns: the residents' NIK (see above).
KEPT = {("registry_civilregistryrecord", ("nik",))}
# For the rebuild's sorts: a million people's largest keys sort in memory (PostgreSQL's default is 64MB).
MAINTENANCE_WORK_MEM = "256MB"

T = TypeVar("T")


@dataclass(frozen=True)
class SetAside:
    """An index or constraint dropped for the load, and the statement that puts it back."""

    table: str
    name: str
    kind: str  # "foreign key", "unique constraint" or "index"
    restore: str


def _tables() -> list[str]:
    return [model._meta.db_table for model in bulk.LOADED_MODELS]


def _accounts() -> str:
    from prakerja.accounts.models import User

    return User._meta.db_table


def _registry_empty(cursor: Any) -> bool:
    """No residents, people, declarations, tests or applications (accounts may exist: staff)."""
    accounts = _accounts()
    probes = " OR ".join(
        f"EXISTS (SELECT 1 FROM {connection.ops.quote_name(t)})"  # noqa: S608 (model table names)
        for t in _tables()
        if t != accounts
    )
    cursor.execute(f"SELECT NOT ({probes})")
    return bool(cursor.fetchone()[0])


def _may_alter(cursor: Any) -> bool:
    """Does this role own the tables (as the role that ran the migrations does) and may it point keys
    at the tables they refer to? Else it could not put back what it dropped."""
    cursor.execute(
        "SELECT (SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class WHERE oid = ANY(%s::regclass[])) "
        "AND (SELECT coalesce(bool_and(has_table_privilege(confrelid, 'REFERENCES')), true) FROM pg_constraint "
        "     WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]))",
        [_tables(), _tables()],
    )
    return bool(cursor.fetchone()[0])


def applies(expected: int) -> bool:
    """Would :func:`load` set the indexes aside for a load of ``expected`` people?"""
    if connection.vendor != "postgresql" or expected < FROM_PEOPLE or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        return _registry_empty(cursor) and _may_alter(cursor)


def set_aside(cursor: Any, tables: list[str]) -> list[SetAside]:
    """Drop the foreign keys and secondary indexes of ``tables``; return how to put each back.

    Foreign keys first (a unique constraint another table's key points at is kept: dropping it
    would need that key gone too), then indexes; the ones backing a unique constraint are dropped
    as the constraint, so they come back as one.
    """
    quote = connection.ops.quote_name
    aside: list[SetAside] = []
    for table in tables:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table],
        )
        for name, definition in cursor.fetchall():
            aside.append(
                SetAside(
                    table, name, "foreign key", f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
                )
            )
        cursor.execute(
            """
            SELECT ci.relname, pg_get_indexdef(i.indexrelid), c.conname, pg_get_constraintdef(c.oid), i.indisunique,
                   ARRAY(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
                         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n)
            FROM pg_index i
            JOIN pg_class ci ON ci.oid = i.indexrelid
            LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype <> 'f'
            WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
            ORDER BY ci.relname
            """,
            [table],
        )
        for index, definition, constraint, constraint_definition, unique, columns in cursor.fetchall():
            if unique and (table, tuple(columns)) in KEPT:
                continue
            if constraint:
                restore = f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(constraint)} {constraint_definition}"
                aside.append(SetAside(table, constraint, "unique constraint", restore))
            else:
                aside.append(SetAside(table, index, "index", definition))
    for item in aside:  # foreign keys before the unique constraints they might lean on
        if item.kind == "index":
            cursor.execute(f"DROP INDEX {quote(item.name)}")
        else:
            cursor.execute(f"ALTER TABLE {quote(item.table)} DROP CONSTRAINT {quote(item.name)}")
    return aside


def put_back(cursor: Any, aside: list[SetAside]) -> None:
    """Indexes and unique constraints first (each a sort), then the foreign keys (each validated in one join)."""
    cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [MAINTENANCE_WORK_MEM])
    for item in sorted(aside, key=lambda item: item.kind == "foreign key"):
        cursor.execute(item.restore)


def load(
    people: Iterable[Any],
    *,
    expected: int,
    seed: int,
    password_hash: str,
    batch: Batch | None = None,
    progress: bulk.Progress = lambda done, added: None,
    phase: Callable[[str], None] = lambda name: None,
) -> bulk.Loaded:
    """``bulk.load`` of ``expected`` people, with the indexes set aside when :func:`applies`."""
    if not applies(expected):
        return bulk.load(people, seed=seed, password_hash=password_hash, batch=batch, progress=progress)
    quote = connection.ops.quote_name
    tables = _tables()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {', '.join(quote(t) for t in tables)} IN ACCESS EXCLUSIVE MODE")
            aside: list[SetAside] = []
            if _registry_empty(cursor):  # still, now that nobody else can write: else a plain load, in this transaction
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(_accounts())})")  # noqa: S608 (a model table name)
                accounts_in_use = cursor.fetchone()[0]
                aside = set_aside(cursor, [t for t in tables if not (accounts_in_use and t == _accounts())])
        if not aside:  # people came in meanwhile: the chunked loader's way, inside this transaction
            return bulk.load(people, seed=seed, password_hash=password_hash, batch=batch, progress=progress)
        loaded = write(bulk.Run(seed=seed, password_hash=password_hash, batch=batch), people, progress)
        phase("indexes and keys")
        with connection.cursor() as cursor:
            put_back(cursor, aside)
            if loaded.people + loaded.applications >= bulk.ANALYZE_AFTER:  # as bulk.load does, for the same reason
                phase("statistics")
                for table in tables:
                    cursor.execute(f"ANALYZE {quote(table)}")
        loaded.key_checks = "set aside, validated at the end"
    return loaded


# --- the rows ------------------------------------------------------------------------------------
def _keys(cursor: Any, run: bulk.Run, count: int) -> tuple[list[int], list[int], list[int]]:
    """Keys of ``count`` accounts, persons (and applications) from their sequences, each ascending.

    What ``bulk._reserve`` takes, fetched as one text per sequence: turning 75,000 rows into ``Ids``
    tuples took about a seventh of the loader's Python time.
    """
    users, persons, applications = bulk._sequences(connection.alias)
    cursor.execute(
        "SELECT string_agg(u::text, ',' ORDER BY u), string_agg(p::text, ',' ORDER BY p), "
        "string_agg(a::text, ',' ORDER BY a) FROM (SELECT nextval(%s::regclass) AS u, nextval(%s::regclass) AS p, "
        "CASE WHEN %s THEN nextval(%s::regclass) ELSE 0 END AS a FROM generate_series(1, %s)) AS k",
        [users, persons, run.batch is not None, applications, count],
    )
    u, p, a = cursor.fetchone()
    return [int(n) for n in u.split(",")], [int(n) for n in p.split(",")], [int(n) for n in a.split(",")]


def _copy(cursor: Any, table: bulk.Table, lines: list[str], meanwhile: Callable[[], T]) -> T:
    """One COPY of ``lines``; ``meanwhile`` (what the next COPY needs) runs while the server inserts these.

    The lines go to psycopg's writer thread (``QueuedLibpqWriter``), and the COPY is only ended, which
    waits for the server to be done, once ``meanwhile`` has returned: Python formats the next table
    while PostgreSQL inserts this one, rather than each waiting for the other in turn.
    """
    from psycopg.copy import QueuedLibpqWriter

    with cursor.copy(table.sql, writer=QueuedLibpqWriter(cursor)) as copy:
        for start in range(0, len(lines), bulk.WRITE_EVERY):
            copy.write("".join(lines[start : start + bulk.WRITE_EVERY]))
        return meanwhile()


@dataclass
class Prepared:
    """A chunk made ready while the previous one was being inserted: its people, ids, residents' lines."""

    chunk: list[Synthetic]
    ids: list[bulk.Ids]
    fresh: list[int]  # positions in the chunk of the people to write, in NIK order (see bulk._copy_rows)
    residents: list[str]


class Ahead:
    """The next chunk, made at most once: while the current chunk's last COPY runs, or when asked."""

    def __init__(self, run: bulk.Run, people: Iterable[Synthetic]) -> None:
        self.run = run
        self.chunks = bulk._chunks(people, bulk.COPY_CHUNK)
        self.made = False
        self.next: Prepared | None = None

    def make(self) -> None:
        if self.made:
            return
        self.made = True
        chunk = next(self.chunks, None)
        if chunk is None:
            return
        ids = self.run.draw(len(chunk))  # chunk after chunk: the seeded streams stay in person order
        fresh = sorted(bulk._split(chunk, None), key=lambda position: chunk[position].nik)
        tail = self.run.tables["crr"].tail
        residents = [
            f"{p.nik}\t{p.kk_number}\t{p.full_name}\t{p.birth_date}\t{p.gender}\t{p.mother_name}{tail}"
            for p in (chunk[i] for i in fresh)
        ]
        self.next = Prepared(chunk, ids, fresh, residents)

    def take(self) -> Prepared | None:
        self.make()
        taken, self.next, self.made = self.next, None, False
        return taken


def _chunk(cursor: Any, run: bulk.Run, chunk: Prepared, keys: tuple[list[int], ...], ahead: Ahead) -> bulk.Loaded:
    """``bulk._copy_rows`` for a chunk that meets nobody (the registry was empty): the same rows and keys.

    The Python work is spread over the COPYs (each ``meanwhile``) roughly as the server's work is:
    sealing and the accounts during the residents, the persons during the accounts, the rest during
    the persons, the next chunk during the aptitude tests.
    """
    fresh, ids, seed, tables = chunk.fresh, chunk.ids, run.seed, run.tables
    people = [chunk.chunk[i] for i in fresh]
    users, persons, applications = ([column[i] for i in fresh] for column in keys)
    pids = [ids[i] for i in fresh]

    def accounts() -> tuple[list[bulk.Sealed], list[str]]:
        tail, phone = tables["user"].tail, f"+62899{seed % 1000:03d}"
        lines = [
            f"{u}\t{i.user}\tp{seed}-{p.index}@population.prakerja.test\t{phone}{p.index:07d}{tail}"
            for p, i, u in zip(people, pids, users, strict=True)
        ]
        return bulk.seal(people), lines

    sealed, lines = _copy(cursor, tables["crr"], chunk.residents, accounts)

    def persons_() -> list[str]:
        tail = tables["person"].tail
        return [
            f"{pk}\t{i.person}\t{u}\t{s.nik_ciphertext}\t{s.nik_index}\t{s.kk_ciphertext}\t{s.kk_index}\t"
            f"{p.full_name}\t{p.birth_date}\t{p.gender}\t{p.mother_name}\t{p.district_code}\t{p.address}\t"
            f"{p.district_code}\t{p.education}\t{p.employment_status}\t{p.occupation}\t"
            f"{'t' if p.disability else 'f'}\t{'t' if p.former_migrant_worker else 'f'}\t"
            f"{'t' if p.prior_training else 'f'}\t{p.marital_status}\t{p.dependents}\t{p.desired_topic}{tail}"
            for p, i, s, u, pk in zip(people, pids, sealed, users, persons, strict=True)
        ]

    lines = _copy(cursor, tables["user"], lines, persons_)

    def rest() -> tuple[list[str], list[str], list[str]]:  # the person rows are the server's longest: much to do
        tails = tables["declaration"].tail, tables["attempt"].tail
        declarations = [f"{pk}{tails[0]}" for pk in persons]
        attempts = [
            f"{i.attempt}\t{u}\t{bulk.score_of(p.index)}{tails[1]}" for p, i, u in zip(people, pids, users, strict=True)
        ]
        if run.batch is None:
            return declarations, attempts, []
        # The pure rules on each new person's facts (``Run.applicants``): nobody was a recipient before.
        eligible, cards, none, tail = run.eligible, run.kk_recipients, ProgramStatus.NONE, tables["application"].tail
        return (
            declarations,
            attempts,
            [
                f"{a}\t{i.application}\t{i.token}\t{pk}\t{p.district_code[:4]}\t{s.kk_index}\t{p.birth_date}\t"
                f"{p.gender}\t{p.occupation}\tf\t{p.employment_status}\t{'t' if p.prior_training else 'f'}\tf{tail}"
                for p, i, s, pk, a in zip(people, pids, sealed, persons, applications, strict=True)
                if eligible(p.birth_date, False, p.occupation, cards.get(s.kk_index, 0), none)
            ],
        )

    declarations, attempts, applicants = _copy(cursor, tables["person"], lines, rest)
    _copy(cursor, tables["declaration"], declarations, lambda: None)
    _copy(cursor, tables["attempt"], attempts, ahead.make)  # the next chunk: people, ids, residents' rows
    if applicants:
        _copy(cursor, tables["application"], applicants, lambda: None)
    return bulk.Loaded(people=len(people), applications=len(applicants))


def write(run: bulk.Run, people: Iterable[Synthetic], progress: bulk.Progress) -> bulk.Loaded:
    """Write every person in this transaction, chunk by chunk (a savepoint each), on one connection.

    A chunk that meets a NIK already written (drawn twice: the residents' unique index is live) is
    rolled back to its savepoint and redone by ``bulk``'s own chunk writer, with look-ups.
    """
    import psycopg

    conflicts = (IntegrityError, psycopg.errors.IntegrityError)
    loaded = run.loaded
    loaded.method, loaded.workers, loaded.key_checks = "copy", 1, "per row"
    bulk._tables(run)
    ahead = Ahead(run, people)
    done = 0
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor
        cursor.execute("SET LOCAL synchronous_commit TO OFF")  # one commit; a load lost in a crash is rerun
        if run.batch is not None:  # still open, and kept so until this transaction ends (see bulk._copy_rows)
            cursor.execute(
                f"SELECT status FROM {Batch._meta.db_table} WHERE id = %s FOR KEY SHARE",  # noqa: S608 (a model's table)
                (run.batch.pk,),
            )
            bulk._check_open(cursor.fetchone())
        while (chunk := ahead.take()) is not None:
            keys = _keys(cursor, run, len(chunk.chunk))
            try:
                with transaction.atomic():
                    added = _chunk(cursor, run, chunk, keys, ahead)
            except conflicts:
                reserved = [
                    i._replace(user_id=u, person_id=p, application_id=a)
                    for i, u, p, a in zip(chunk.ids, *keys, strict=True)
                ]
                added = bulk._copy_chunk(run, chunk.chunk, reserved)
                added.retried_chunks = 1
            loaded.add(added)
            done += len(chunk.chunk)
            progress(done, loaded.people)
    return loaded
