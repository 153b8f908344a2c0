"""Bulk-loading synthetic people as registry residents and registered applicants.

Two ways in, one set of values (``tests/cli/test_population_bulk.py`` checks
that both write the very same rows):

- **PostgreSQL**: ``COPY … FROM STDIN`` per table, streamed while the rows are
  formatted so that Python and the server work at the same time, by a few
  loader threads with a connection each (PostgreSQL's work per person — five
  rows, 31 index entries, five foreign keys — is most of the cost, and one
  backend uses at most one core).
- **SQLite** (and any other database): the ORM's ``bulk_create`` in batches.

Keys. Users, persons and applications get ids reserved from the tables' own
identity sequences, ``SELECT nextval(seq), … FROM generate_series(1, n)``, in
person order as the chunks are made: ``nextval`` never hands the same value
to two sessions, so this is safe next to other writers (the site registering
people at the same time), and the keys follow the person's number on both
backends and in every run, so rows sort alike everywhere (the selection's
digest reads applications in key order). Ids of skipped people or of a chunk
that is rolled back are never used (gaps, as after any rolled-back INSERT).
Reserving a block with ``setval(nextval() + n)`` would be cheaper but races
with concurrent ``nextval`` calls.

Foreign keys. Checking each row's foreign keys costs PostgreSQL about a fifth
of the load. Every key written here points to a row inserted in the same
transaction (user, person), or to a district, the batch or an existing
person that the chunk locks itself with ``FOR KEY SHARE`` — what the checks
would do, once per chunk instead of once per row. So when the role may set
``session_replication_role`` (a superuser, or PostgreSQL 15's ``GRANT SET ON
PARAMETER``) and the tables have no triggers of their own, a chunk runs with
``SET LOCAL session_replication_role = replica``, which skips the per-row
checks for that transaction only (as ``pg_restore --disable-triggers`` does).
Otherwise the database checks every row as usual; nothing else changes.

Interruptions. Each chunk is one transaction (people, their accounts,
declarations, tests and, with a batch, their applications), so an
interrupted run leaves whole chunks and can be run again: people already
present (same NIK, or same generated email) are skipped, and so are
applications already made. On PostgreSQL a chunk is first tried without
looking anything up; a unique-key conflict (a rerun, a NIK already taken)
rolls it back and it is redone with the look-ups, as the ORM path always does.

Determinism. The public ids and application tokens of person ``i`` come from
seeded random streams drawn in person order for every generated person, so
the same seed gives the same rows however a run was interrupted (database
ids, taken from sequences, may differ).

Personal data. The NIK and KK numbers of the people are written encrypted,
with their blind indexes (``core.pii``), computed here per chunk (about 8 µs
a person, in the loader threads); applications carry the family card's
index. The civil-registry double, which stands for the outside world, keeps
them in plain text. Encryption uses random nonces, so two loads of one seed
hold the same numbers under different ciphertexts (and the same indexes).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import queue
import random
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import Any, NamedTuple, cast

from django.db import IntegrityError, connection, connections, models, transaction
from django.db.models import Count, Q
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.aptitude.actions import current_period
from prakerja.aptitude.models import Attempt
from prakerja.batches import eligibility
from prakerja.batches.facts import current_rules
from prakerja.batches.models import Application, Batch
from prakerja.core import clock, pii
from prakerja.core.errors import fail
from prakerja.core.program import setting
from prakerja.regions.models import District
from prakerja.registry import declaration
from prakerja.registry.models import CivilRegistryRecord, Declaration, Person, ProgramStatus
from prakerja.registry.population import Synthetic

CHUNK = 2000  # ORM path: people per chunk (one transaction) and rows per INSERT
COPY_CHUNK = 25_000  # COPY path: people per chunk (one transaction)
WRITE_EVERY = 500  # COPY path: rows handed to the connection at a time, so the server starts early
# COPY path: loader threads, a connection each; one more than the cores, as a backend often waits
# (measured on 2 cores: 2 threads 12,600 applicants/s, 3 threads 16,500/s, 4 threads no better).
WORKERS = min(8, (os.cpu_count() or 1) + 1)
ANALYZE_AFTER = 50_000  # COPY path: rows added from which the tables are analysed at the end

Progress = Callable[[int, int], None]


@dataclass
class Loaded:
    people: int = 0  # new people (residents and applicants)
    applications: int = 0  # new applications to the batch
    method: str = ""  # "copy" or "orm"
    retried_chunks: int = 0  # COPY chunks redone with look-ups after a conflict
    key_checks: str = "per row"  # or "per chunk" (see the module's docstring)
    workers: int = 1

    def add(self, other: Loaded) -> None:
        self.people += other.people
        self.applications += other.applications
        self.retried_chunks += other.retried_chunks


def method_for(vendor: str | None = None) -> str:
    """``copy`` on PostgreSQL, ``orm`` elsewhere."""
    return "copy" if (vendor or connection.vendor) == "postgresql" else "orm"


# --- identifiers ----------------------------------------------------------------------------------
_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)


def uuid4_hex(bits: int) -> str:
    """128 random bits as a version-4 UUID in hex (what ``uuid.UUID(int=bits, version=4).hex`` gives)."""
    return f"{bits & _UUID_CLEAR | _UUID_SET:032x}"


def email_of(seed: int, index: int) -> str:
    return f"p{seed}-{index}@population.prakerja.test"


def phone_of(seed: int, index: int) -> str:
    return f"+62899{seed % 1000:03d}{index:07d}"


def score_of(index: int) -> int:
    return 10 + index % 11


class Ids(NamedTuple):
    """The identifiers of one person, drawn for every generated person in order (skipped ones too).

    Public ids and the application token come from seeded streams; on the COPY path the database
    keys of the user, person and application are reserved from their sequences, in person order.
    """

    user: str
    person: str
    attempt: str
    application: str = ""
    token: str = ""
    user_id: int = 0
    person_id: int = 0
    application_id: int = 0


class Sealed(NamedTuple):
    """A person's NIK and KK number as stored: encrypted, and their blind indexes (``core.pii``)."""

    nik_ciphertext: str
    nik_index: str
    kk_ciphertext: str
    kk_index: str


def seal(people: Sequence[Synthetic]) -> list[Sealed]:
    """Encrypt and index the numbers of a chunk of people (one family card's index computed once)."""
    niks = pii.encrypt_many("nik", [p.nik for p in people])
    kks = pii.encrypt_many("kk", [p.kk_number for p in people])
    nik_indexes = pii.blind_indexes("nik", [p.nik for p in people])
    card_index: dict[str, str] = {}
    kk_index = pii.kk_index
    out = []
    for p, nik, kk, nik_index in zip(people, niks, kks, nik_indexes, strict=True):
        card = card_index.get(p.kk_number)
        if card is None:
            card = card_index[p.kk_number] = kk_index(p.kk_number)
        out.append(Sealed(nik, nik_index, kk, card))
    return out


class Existing(NamedTuple):
    """One of this seed's people already in the database (an earlier, maybe interrupted, run)."""

    index: int  # type: ignore[assignment]  # the person's number, shadowing tuple.index
    person_id: int
    kk_index: str
    birth_date: dt.date
    gender: str
    occupation: str
    in_formal_education: bool
    employment_status: str
    prior_training: bool
    district_code: str
    program_status: str


class Present(NamedTuple):
    taken: set[str]  # NIKs that are someone else's
    ours: dict[int, Existing]  # person index -> this seed's person already loaded


class Applicant(NamedTuple):
    facts: Synthetic | Existing
    ids: Ids
    person_id: int
    in_formal_education: bool
    program_status: str
    kk_index: str


# --- a run ----------------------------------------------------------------------------------------
@dataclass
class Run:
    seed: int
    password_hash: str
    batch: Batch | None
    now: dt.datetime = field(default_factory=clock.now)
    joined: dt.datetime = field(default_factory=timezone.now)  # date_joined is auto_now_add: the real clock
    loaded: Loaded = field(default_factory=Loaded)
    tables: dict[str, Table] = field(default_factory=dict)  # COPY statements, built once per run

    def __post_init__(self) -> None:
        self.today = self.now.astimezone(clock.JAKARTA).date()
        self.version = str(setting("declaration_version"))
        self.digest = declaration.digest(self.version)
        self.period = current_period()
        self.rules = current_rules()
        self._ids = random.Random(f"prakerja-population:{self.seed}:ids")
        number = self.batch.number if self.batch else 0
        self._tokens = random.Random(f"prakerja-population:{self.seed}:batch:{number}")
        # Family cards (by blind index) that already hold recipients: the KK cap is a pure rule on this count.
        self.kk_recipients: dict[str, int] = {}
        if self.batch is not None:
            self.kk_recipients = dict(
                Person.objects.filter(program_status__in=[ProgramStatus.RECIPIENT, ProgramStatus.REVOKED])
                .exclude(kk_index="")
                .values("kk_index")
                .annotate(n=Count("id"))
                .values_list("kk_index", "n")
            )
        self.eligible = lru_cache(maxsize=None)(self._eligible)

    def draw(self, count: int) -> list[Ids]:
        bits = self._ids.getrandbits
        if self.batch is None:
            return [Ids(uuid4_hex(bits(128)), uuid4_hex(bits(128)), uuid4_hex(bits(128))) for _ in range(count)]
        tokens = self._tokens.getrandbits
        return [
            Ids(uuid4_hex(bits(128)), uuid4_hex(bits(128)), uuid4_hex(bits(128)), uuid4_hex(tokens(128)),
                f"{tokens(128):032x}")
            for _ in range(count)
        ]  # fmt: skip

    def _eligible(
        self, birth_date: dt.date, in_formal_education: bool, occupation: str, kk_recipients: int, status: str
    ) -> bool:
        """The pure rules (``eligibility.problems``) on the facts of a generated applicant, today."""
        facts = eligibility.Facts(
            on=self.today,
            birth_date=birth_date,
            in_formal_education=in_formal_education,
            occupation=occupation,
            kk_recipients=kk_recipients,
            prior_recipient=status == ProgramStatus.RECIPIENT,
            revoked=status == ProgramStatus.REVOKED,
            identity_verified=True,
            profile_complete=True,
            declaration_accepted=True,
            test_taken=True,
        )
        return not eligibility.problems(facts, self.rules)

    def applicants(
        self, chunk: Sequence[Synthetic], ids: Sequence[Ids], fresh: Sequence[int], person_ids: Sequence[int],
        sealed: Sequence[Sealed], present: Present | None,
    ) -> list[Applicant]:  # fmt: skip
        """Everyone of the chunk who joins the batch, in person order: the new people the rules accept,
        and this seed's people already loaded (an earlier run) who are eligible and have not applied yet.
        ``person_ids`` and ``sealed`` go with ``fresh``, position by position."""
        if self.batch is None:
            return []
        kk = self.kk_recipients
        eligible = self.eligible
        none = ProgramStatus.NONE
        rows = [
            Applicant(p, ids[position], person_id, False, none, s.kk_index)
            for position, person_id, s in zip(fresh, person_ids, sealed, strict=True)
            if eligible((p := chunk[position]).birth_date, False, p.occupation, kk.get(s.kk_index, 0), none)
        ]
        if present and present.ours:
            mine = Application.objects.filter(person_id__in=[e.person_id for e in present.ours.values()])
            # Already in this batch, or waiting for a result in another one (``apply``: one result at a time).
            pending = Q(result__isnull=True) | Q(result__status=Application.Status.SELECTED, recipient__isnull=True)
            applied = set(mine.filter(Q(batch=self.batch) | pending).values_list("person_id", flat=True))
            for position, p in enumerate(chunk):
                e = present.ours.get(p.index)
                if e is None or e.person_id in applied:
                    continue
                formal, status = e.in_formal_education, e.program_status
                if eligible(e.birth_date, formal, e.occupation, kk.get(e.kk_index, 0), status):
                    rows.append(Applicant(e, ids[position], e.person_id, formal, status, e.kk_index))
            rows.sort(key=lambda row: row.facts.index)
        return rows


def load(
    people: Iterable[Synthetic],
    *,
    seed: int,
    password_hash: str,
    batch: Batch | None = None,
    progress: Progress = lambda done, added: None,
    method: str | None = None,
    workers: int | None = None,
    key_checks: str | None = None,
) -> Loaded:
    """Insert people chunk by chunk (and apply the eligible ones to ``batch``); returns what was added.

    ``method`` (``copy``/``orm``), ``workers`` and ``key_checks`` (``per row``/``per chunk``) default
    to the fastest the database allows; tests set them to compare the ways.
    """
    run = Run(seed=seed, password_hash=password_hash, batch=batch)
    loaded = run.loaded
    loaded.method = method or method_for()
    if loaded.method == "orm":
        done = 0
        iterator = iter(people)
        while chunk := list(islice(iterator, CHUNK)):
            loaded.add(_orm_chunk(run, chunk, run.draw(len(chunk))))
            done += len(chunk)
            progress(done, loaded.people)
        return loaded
    _tables(run)
    loaded.key_checks = key_checks or ("per chunk" if _may_skip_key_checks() else "per row")
    # Other threads have other connections: outside this transaction, they would not see its rows.
    parallel = WORKERS if workers is None else workers
    loaded.workers = 1 if connection.in_atomic_block else max(1, parallel)
    chunks = ((chunk, _reserve(run, run.draw(len(chunk)))) for chunk in _chunks(people, COPY_CHUNK))
    if loaded.workers == 1:
        done = 0
        for chunk, ids in chunks:
            loaded.add(_copy_chunk(run, chunk, ids))
            done += len(chunk)
            progress(done, loaded.people)
    else:
        _in_threads(run, chunks, progress)
    if loaded.people + loaded.applications >= ANALYZE_AFTER and not connection.in_atomic_block:
        # Fresh planner statistics now rather than whenever autovacuum comes by: the next thing run on
        # a big load (a selection, a dashboard) would otherwise be planned for the tables' old sizes.
        with connection.cursor() as cursor:
            for model in LOADED_MODELS:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return loaded


def _chunks(people: Iterable[Synthetic], size: int) -> Iterator[list[Synthetic]]:
    iterator = iter(people)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _in_threads(run: Run, chunks: Iterator[tuple[list[Synthetic], list[Ids]]], progress: Progress) -> None:
    """Generate here, load in ``run.loaded.workers`` threads; the first error stops everything and is raised."""
    todo: queue.Queue[tuple[list[Synthetic], list[Ids]] | None] = queue.Queue(maxsize=1)
    results: queue.Queue[tuple[int, Loaded | BaseException]] = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        try:
            while (item := todo.get()) is not None and not stop.is_set():
                chunk, ids = item
                try:
                    results.put((len(chunk), _copy_chunk(run, chunk, ids)))
                except BaseException as exc:
                    stop.set()
                    results.put((0, exc))
        finally:
            connections.close_all()  # this thread's connections

    threads = [threading.Thread(target=work, name=f"bulk-load-{n}", daemon=True) for n in range(run.loaded.workers)]
    for thread in threads:
        thread.start()
    done = 0
    errors: list[BaseException] = []

    def collect() -> None:
        nonlocal done
        while True:
            try:
                count, outcome = results.get_nowait()
            except queue.Empty:
                return
            if isinstance(outcome, BaseException):
                errors.append(outcome)
            else:
                run.loaded.add(outcome)
                done += count
                progress(done, run.loaded.people)

    try:
        for item in chunks:
            while not stop.is_set():
                try:
                    todo.put(item, timeout=0.2)
                    break
                except queue.Full:
                    collect()
            collect()
            if stop.is_set():
                break
    except BaseException:
        stop.set()  # an interruption here: the workers finish the chunk they are in, and stop
        raise
    finally:
        sentinels = 0
        while any(thread.is_alive() for thread in threads):
            if sentinels < len(threads):
                with contextlib.suppress(queue.Full):
                    todo.put(None, timeout=0.2)
                    sentinels += 1
            else:
                threads[0].join(timeout=0.2)
            collect()
        collect()
    if errors:
        raise errors[0]


# --- what is there already ------------------------------------------------------------------------
def _present(run: Run, chunk: Sequence[Synthetic]) -> Present:
    """NIKs taken by anyone else, and this seed's people already loaded (found by generated email)."""
    niks = [p.nik for p in chunk]
    taken = set(CivilRegistryRecord.objects.filter(nik__in=niks).values_list("nik", flat=True))
    nik_of = dict(zip(pii.blind_indexes("nik", niks), niks, strict=True))
    found = Person.objects.filter(nik_index__in=list(nik_of)).values_list("nik_index", flat=True)
    taken |= {nik_of[i] for i in found if i}
    index_of = {email_of(run.seed, p.index): p.index for p in chunk}
    rows = Person.objects.filter(user__email__in=list(index_of)).values_list(
        "user__email",
        "id",
        "kk_index",
        "birth_date",
        "gender",
        "occupation",
        "in_formal_education",
        "employment_status",
        "prior_training",
        "domicile_district_id",
        "program_status",
    )
    ours = {
        index_of[email]: Existing(
            index_of[email], pid, kk, cast(dt.date, birth), gender, occ, bool(formal), emp, bool(trained), district,
            status,
        )
        for email, pid, kk, birth, gender, occ, formal, emp, trained, district, status in rows
    }  # fmt: skip
    # This seed's accounts without a person (not written by this loader): present too, never overwritten.
    mine = {email_of(run.seed, i) for i in ours}
    strays = User.objects.filter(email__in=[e for e in index_of if e not in mine]).values_list("email", flat=True)
    by_index = {p.index: p for p in chunk}
    taken |= {by_index[index_of[email]].nik for email in strays}
    return Present(taken, ours)


def _split(chunk: Sequence[Synthetic], present: Present | None) -> list[int]:
    """Positions (in the chunk) of the people to add: not present, and a NIK twice in a chunk keeps the first."""
    taken, ours = present if present is not None else (set(), {})
    seen: set[str] = set()
    fresh = []
    for position, p in enumerate(chunk):
        if p.index not in ours and p.nik not in taken and p.nik not in seen:
            fresh.append(position)
        seen.add(p.nik)
    return fresh


# --- the constant columns -------------------------------------------------------------------------
def _user_fields(run: Run) -> dict[str, Any]:
    return {
        "password": run.password_hash,
        "email_verified_at": run.now,
        "phone_verified_at": run.now,
        "role": User.Role.PARTICIPANT,
        "is_active": True,
        "is_staff": False,
        "is_superuser": False,
        "last_login": None,
    }


def _person_fields(run: Run) -> dict[str, Any]:
    return {
        "identity_verified_at": run.now,
        "in_formal_education": False,
        "profile_completed_at": run.now,
        "program_status": ProgramStatus.NONE,
    }


def _declaration_fields(run: Run) -> dict[str, Any]:
    return {"version": run.version, "text_sha256": run.digest, "accepted_at": run.now, "ip": None}


def _attempt_fields(run: Run) -> dict[str, Any]:
    return {
        "period": run.period,
        "started_at": run.now,
        "deadline_at": run.now,
        "finished_at": run.now,
        "question_codes": [],
        "answers": {},
        "max_score": 20,
        "late": False,
    }


def _application_fields(run: Run) -> dict[str, Any]:
    assert run.batch is not None
    return {
        "batch_id": run.batch.pk,
        "applied_at": run.now,
    }


# --- ORM path (SQLite) ----------------------------------------------------------------------------
def _check_open(row: tuple[str] | None) -> None:
    if row is None:
        raise fail("BATCH_NOT_FOUND", "number", status=404)
    if row[0] != Batch.Status.OPEN:
        raise fail("BATCH_NOT_OPEN", None, status=409)


def _orm_chunk(run: Run, chunk: list[Synthetic], ids: list[Ids]) -> Loaded:
    with transaction.atomic():
        if run.batch is not None:  # still open (SQLite writes one transaction at a time)
            _check_open(Batch.objects.filter(pk=run.batch.pk).values_list("status").first())
        present = _present(run, chunk)
        fresh = _split(chunk, present)
        people = [chunk[i] for i in fresh]
        pids = [ids[i] for i in fresh]
        sealed = seal(people)
        CivilRegistryRecord.objects.bulk_create(
            [
                CivilRegistryRecord(
                    nik=p.nik,
                    kk_number=p.kk_number,
                    full_name=p.full_name,
                    birth_date=p.birth_date,
                    gender=p.gender,
                    mother_name=p.mother_name,
                )
                for p in people
            ],
            batch_size=CHUNK,
        )
        user_fields = _user_fields(run)
        users = User.objects.bulk_create(
            [
                User(
                    public_id=uuid.UUID(i.user),
                    email=email_of(run.seed, p.index),
                    phone=phone_of(run.seed, p.index),
                    **user_fields,
                )
                for p, i in zip(people, pids, strict=True)
            ],
            batch_size=CHUNK,
        )
        person_fields = _person_fields(run)
        persons = Person.objects.bulk_create(
            [
                Person(
                    public_id=uuid.UUID(i.person),
                    user=user,
                    nik_ciphertext=s.nik_ciphertext,
                    nik_index=s.nik_index,
                    kk_ciphertext=s.kk_ciphertext,
                    kk_index=s.kk_index,
                    full_name=p.full_name,
                    birth_date=p.birth_date,
                    gender=p.gender,
                    mother_name=p.mother_name,
                    ktp_district_id=p.district_code,
                    address=p.address,
                    domicile_district_id=p.district_code,
                    education=p.education,
                    employment_status=p.employment_status,
                    occupation=p.occupation,
                    disability=p.disability,
                    former_migrant_worker=p.former_migrant_worker,
                    prior_training=p.prior_training,
                    marital_status=p.marital_status,
                    dependents=p.dependents,
                    desired_topic=p.desired_topic,
                    **person_fields,
                )
                for user, p, i, s in zip(users, people, pids, sealed, strict=True)
            ],
            batch_size=CHUNK,
        )
        declaration_fields = _declaration_fields(run)
        Declaration.objects.bulk_create(
            [Declaration(person=person, **declaration_fields) for person in persons], batch_size=CHUNK
        )
        attempt_fields = _attempt_fields(run)
        Attempt.objects.bulk_create(
            [
                Attempt(public_id=uuid.UUID(i.attempt), user=user, score=score_of(p.index), **attempt_fields)
                for user, p, i in zip(users, people, pids, strict=True)
            ],
            batch_size=CHUNK,
        )
        applicants = run.applicants(chunk, ids, fresh, [person.pk for person in persons], sealed, present)
        if applicants:
            application_fields = _application_fields(run)
            Application.objects.bulk_create(
                [
                    Application(
                        public_id=uuid.UUID(a.ids.application),
                        token=a.ids.token,
                        person_id=a.person_id,
                        regency_code=a.facts.district_code[:4],
                        kk_index=a.kk_index,
                        birth_date=a.facts.birth_date,
                        gender=a.facts.gender,
                        occupation=a.facts.occupation,
                        in_formal_education=a.in_formal_education,
                        employment_status=a.facts.employment_status,
                        prior_training=bool(a.facts.prior_training),
                        prior_recipient=a.program_status != ProgramStatus.NONE,
                        **application_fields,
                    )
                    for a in applicants
                ],
                batch_size=CHUNK,
            )
    return Loaded(people=len(people), applications=len(applicants))


# --- COPY path (PostgreSQL) -----------------------------------------------------------------------
def _copy_value(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        value = json.dumps(value)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


@dataclass(frozen=True)
class Table:
    """A COPY statement: the columns formatted per row, then the constant columns as one pre-rendered tail."""

    name: str
    sql: str
    tail: str


def _table(model: type[models.Model], per_row: Sequence[str], constant: dict[str, Any]) -> Table:
    """Every concrete column is written: per row, from ``constant``, or as the field's default.

    A field added to a model later is written with its default; one whose default is computed per
    row (a callable) must be handled here, so it is refused rather than loaded with one value for all.
    """
    names = list(per_row)
    tail = []
    for f in model._meta.concrete_fields:
        if f.attname in per_row or f.primary_key:  # the key: given per row, or the table's identity default
            continue
        if f.attname in constant:
            value = constant[f.attname]
        elif f.has_default() and callable(f.default):
            raise NotImplementedError(f"bulk loader: {model.__name__}.{f.name} needs a value per row")
        else:
            value = f.get_default()
        names.append(f.column)
        tail.append(_copy_value(value))
    quote = connection.ops.quote_name
    table = model._meta.db_table
    sql = f"COPY {quote(table)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    return Table(table, sql, "".join("\t" + v for v in tail) + "\n")


def _tables(run: Run) -> dict[str, Table]:
    """The COPY statements of a run (the constant columns are rendered once)."""
    if run.tables:
        return run.tables
    run.tables = {
        "crr": _table(
            CivilRegistryRecord, ["nik", "kk_number", "full_name", "birth_date", "gender", "mother_name"], {}
        ),
        "user": _table(User, ["id", "public_id", "email", "phone"], {**_user_fields(run), "date_joined": run.joined}),
        "person": _table(
            Person,
            ["id", "public_id", "user_id", "nik_ciphertext", "nik_index", "kk_ciphertext", "kk_index", "full_name",
             "birth_date", "gender", "mother_name", "ktp_district_id", "address", "domicile_district_id",
             "education", "employment_status", "occupation", "disability", "former_migrant_worker",
             "prior_training", "marital_status", "dependents", "desired_topic"],
            _person_fields(run),
        ),
        "declaration": _table(Declaration, ["person_id"], _declaration_fields(run)),
        "attempt": _table(Attempt, ["public_id", "user_id", "score"], _attempt_fields(run)),
    }  # fmt: skip
    if run.batch is not None:
        run.tables["application"] = _table(
            Application,
            ["id", "public_id", "token", "person_id", "regency_code", "kk_index", "birth_date", "gender", "occupation",
             "in_formal_education", "employment_status", "prior_training", "prior_recipient"],
            _application_fields(run),
        )  # fmt: skip
    return run.tables


@lru_cache(maxsize=4)
def _sequences(alias: str = "default") -> tuple[str, str, str]:
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, 'id'), pg_get_serial_sequence(%s, 'id'), "
            "pg_get_serial_sequence(%s, 'id')",
            [User._meta.db_table, Person._meta.db_table, Application._meta.db_table],
        )
        users, persons, applications = cursor.fetchone()
    return users, persons, applications


def _reserve(run: Run, ids: list[Ids]) -> list[Ids]:
    """Keys for the chunk's users, persons (and applications), taken from the sequences in person order.

    Done where the chunks are made, one chunk after the other, so keys grow with the person's
    number whichever loader thread writes the chunk: the rows sort the same way on every backend
    and every run (the selection's digest goes through applications in key order).
    """
    users, persons, applications = _sequences(connection.alias)
    with connection.cursor() as cursor:
        if run.batch is None:
            cursor.execute(
                "SELECT nextval(%s::regclass), nextval(%s::regclass), 0 FROM generate_series(1, %s)",
                [users, persons, len(ids)],
            )
        else:
            cursor.execute(
                "SELECT nextval(%s::regclass), nextval(%s::regclass), nextval(%s::regclass) "
                "FROM generate_series(1, %s)",
                [users, persons, applications, len(ids)],
            )
        keys = cursor.fetchall()
    # Each column ascending (with other writers about, a block need not be contiguous).
    columns = [sorted(column) for column in zip(*keys, strict=True)]
    return [i._replace(user_id=u, person_id=p, application_id=a) for i, u, p, a in zip(ids, *columns, strict=True)]


LOADED_MODELS: tuple[type[models.Model], ...] = (
    CivilRegistryRecord,
    User,
    Person,
    Declaration,
    Attempt,
    Application,
)


def _may_skip_key_checks() -> bool:
    """May this role skip per-row key checks in its own transactions, and do the tables have no own triggers?"""
    with connection.cursor() as cursor:
        if connection.pg_version >= 150000:  # type: ignore[attr-defined]
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        else:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        (allowed,) = cursor.fetchone()
        if not allowed:
            return False
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = ANY(%s::regclass[])",
            [[m._meta.db_table for m in LOADED_MODELS]],
        )
        (triggers,) = cursor.fetchone()
    return triggers == 0


def _copy(cursor: Any, table: Table, lines: Iterable[str]) -> None:
    """Stream ``lines`` into one COPY, a block at a time, so the server inserts while Python formats."""
    with cursor.copy(table.sql) as copy:
        iterator = iter(lines)
        while block := "".join(islice(iterator, WRITE_EVERY)):
            copy.write(block)


def _copy_chunk(run: Run, chunk: list[Synthetic], ids: list[Ids]) -> Loaded:
    """One chunk, optimistically; after a conflict (a rerun, a NIK taken, a race) again with look-ups."""
    import psycopg

    retried = 0
    conflicts = (IntegrityError, psycopg.errors.IntegrityError, psycopg.errors.TransactionRollback)
    nested = connection.in_atomic_block  # inside a caller's transaction: this chunk is a savepoint
    for attempt in range(4):
        try:
            with transaction.atomic():
                loaded = _copy_rows(run, chunk, ids, _present(run, chunk) if attempt else None, nested)
            loaded.retried_chunks = retried
            return loaded
        except conflicts:
            if attempt == 3:
                raise
            retried = 1
    raise AssertionError("unreachable")


def _copy_rows(
    run: Run, chunk: list[Synthetic], ids: list[Ids], present: Present | None, nested: bool = False
) -> Loaded:
    # In NIK order: NIK and KK numbers both start with the district, so the inserts into the registry
    # double's number indexes (and the district ones) sweep each index once per chunk instead of hitting
    # random pages. (The people's blind indexes are random by design: those inserts land anywhere.)
    fresh = sorted(_split(chunk, present), key=lambda position: chunk[position].nik)
    people = [chunk[i] for i in fresh]
    pids = [ids[i] for i in fresh]
    sealed = seal(people)
    seed, tables = run.seed, run.tables
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor
        if nested:
            cursor.execute("SELECT current_setting('synchronous_commit'), current_setting('session_replication_role')")
            settings_before = cursor.fetchone()
        cursor.execute("SET LOCAL synchronous_commit TO OFF")  # a chunk lost in a crash is redone by a rerun
        if run.batch is not None:
            # Still open? Locked FOR KEY SHARE, which ``close_batch``'s FOR UPDATE waits for: every chunk
            # committed before the batch closed, and none after.
            cursor.execute(
                f"SELECT status FROM {Batch._meta.db_table} WHERE id = %s FOR KEY SHARE",  # noqa: S608 (a model's table)
                (run.batch.pk,),
            )
            _check_open(cursor.fetchone())
        if run.loaded.key_checks == "per chunk":
            _lock_referenced(cursor, run, people, present)
        # Residents first: a rerun's conflict shows up here, before any id is reserved.
        t = tables["crr"]
        _copy(
            cursor,
            t,
            (
                f"{p.nik}\t{p.kk_number}\t{p.full_name}\t{p.birth_date}\t{p.gender}\t{p.mother_name}{t.tail}"
                for p in people
            ),
        )
        t = tables["user"]
        _copy(
            cursor,
            t,
            (
                f"{i.user_id}\t{i.user}\tp{seed}-{p.index}@population.prakerja.test\t{phone_of(seed, p.index)}{t.tail}"
                for p, i in zip(people, pids, strict=True)
            ),
        )
        t = tables["person"]
        _copy(
            cursor,
            t,
            (
                f"{i.person_id}\t{i.person}\t{i.user_id}\t{s.nik_ciphertext}\t{s.nik_index}\t{s.kk_ciphertext}\t"
                f"{s.kk_index}\t{p.full_name}\t{p.birth_date}\t{p.gender}\t"
                f"{p.mother_name}\t{p.district_code}\t{p.address}\t{p.district_code}\t{p.education}\t"
                f"{p.employment_status}\t{p.occupation}\t{'t' if p.disability else 'f'}\t"
                f"{'t' if p.former_migrant_worker else 'f'}\t{'t' if p.prior_training else 'f'}\t"
                f"{p.marital_status}\t{p.dependents}\t{p.desired_topic}{t.tail}"
                for p, i, s in zip(people, pids, sealed, strict=True)
            ),
        )
        t = tables["declaration"]
        _copy(cursor, t, (f"{i.person_id}{t.tail}" for i in pids))
        t = tables["attempt"]
        _copy(
            cursor,
            t,
            (f"{i.attempt}\t{i.user_id}\t{10 + p.index % 11}{t.tail}" for p, i in zip(people, pids, strict=True)),
        )
        applicants = run.applicants(chunk, ids, fresh, [i.person_id for i in pids], sealed, present)
        if applicants:
            t = tables["application"]
            _copy(
                cursor,
                t,
                (
                    f"{a.ids.application_id}\t{a.ids.application}\t{a.ids.token}\t{a.person_id}\t{a.facts.district_code[:4]}\t"
                    f"{a.kk_index}\t{a.facts.birth_date}\t{a.facts.gender}\t{a.facts.occupation}\t"
                    f"{'t' if a.in_formal_education else 'f'}\t{a.facts.employment_status}\t"
                    f"{'t' if a.facts.prior_training else 'f'}\t"
                    f"{'f' if a.program_status == ProgramStatus.NONE else 't'}{t.tail}"
                    for a in applicants
                ),
            )
        if nested:  # SET LOCAL outlives a released savepoint: give the caller's transaction its settings back
            cursor.execute(
                "SELECT set_config('synchronous_commit', %s, true), set_config('session_replication_role', %s, true)",
                settings_before,
            )
    return Loaded(people=len(people), applications=len(applicants))


def _lock_referenced(cursor: Any, run: Run, people: Sequence[Synthetic], present: Present | None) -> None:
    """Skip this transaction's per-row key checks, after locking what the rows point to, as the checks would.

    Users and persons are inserted by this very transaction; the batch is locked by the caller; districts
    and this seed's existing persons (who may join the batch) are locked here ``FOR KEY SHARE`` and must
    all exist.
    """
    cursor.execute("SET LOCAL session_replication_role = replica")
    if present and present.ours:
        ids = [e.person_id for e in present.ours.values()]
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {Person._meta.db_table} "  # noqa: S608 (a model's table name)
            "WHERE id = ANY(%s) FOR KEY SHARE) AS locked",
            (ids,),
        )
        (found,) = cursor.fetchone()
        if found != len(ids):
            raise Person.DoesNotExist("a person was deleted while loading")
    districts = sorted({p.district_code for p in people})
    if districts:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {District._meta.db_table} "  # noqa: S608 (a model's table name)
            "WHERE code = ANY(%s) FOR KEY SHARE) AS locked",
            (districts,),
        )
        (found,) = cursor.fetchone()
        if found != len(districts):
            raise District.DoesNotExist("districts missing: run `prakerja load-regions` first")
