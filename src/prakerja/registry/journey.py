"""Where a participant stands in the registration journey, and what to do next.

The dashboard and ``GET /api/v1/me`` both read :func:`journey`, so the page
and the API never disagree about the state or the next step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connections, router

from prakerja.accounts import bearer
from prakerja.accounts.models import User
from prakerja.aptitude.actions import current_attempt, current_period, test_taken
from prakerja.batches import eligibility
from prakerja.batches.facts import current_rules, facts_for
from prakerja.core.errors import Problem
from prakerja.core.rows import Projection, column, fetch_one, table
from prakerja.registry.actions import current_declaration_version
from prakerja.registry.models import Declaration, Person, ProgramStatus

# (step code, URL name of the page that does it)
STEPS: tuple[tuple[str, str], ...] = (
    ("verify_email", "accounts:verify"),
    ("verify_phone", "accounts:verify"),
    ("identity", "registry:identity"),
    ("profile", "registry:profile"),
    ("declaration", "registry:declaration"),
    ("test", "aptitude:test"),
)


@dataclass
class Journey:
    state: str
    steps: dict[str, bool]
    next_step: str | None
    next_url_name: str | None
    eligible: bool
    reasons: list[Problem] = field(default_factory=list)
    test_score: int | None = None
    test_max_score: int | None = None
    application: Any = None  # the latest batches.Application
    recipient: Any = None  # batches.Recipient
    balance: int = 0
    deadlines: list[dict[str, str]] = field(default_factory=list)
    person: Any = None  # the registry.Person read for this journey, so callers need not read it again


def journey(user: User) -> Journey:
    # Read each record once (GET /api/v1/me is the API's busiest read): the person with its recipient,
    # current declaration, balance, family-card recipients, latest application and test attempts, in one
    # query written once (_JourneyQuery).
    return _journey(user, _query.run(user))


def journey_for_token(raw: str) -> tuple[User, Journey] | None:
    """The account of a bearer token and its journey, in the one query: what ``GET /api/v1/me`` needs,
    without reading the token first (accounts.bearer's checks apply: unexpired, active, no two factors).
    None when the token gives no account."""
    found = _query.run_for_token(raw)
    if found is None:
        return None
    user, read = found
    return user, _journey(user, read)


def _journey(user: User, read: _Read) -> Journey:
    person, declared, balance = read.person, read.declared, read.balance
    taken, test_score, test_max_score = read.taken, read.test_score, read.test_max_score
    done = {
        "verify_email": user.email_verified_at is not None,
        "verify_phone": user.phone_verified_at is not None,
        "identity": person.identity_verified_at is not None,
        "profile": person.profile_completed_at is not None,
        "declaration": declared,
        "test": taken,
    }
    pending = [(code, url) for code, url in STEPS if not done[code]]
    facts = facts_for(person, declaration_accepted=declared, tkd_taken=taken, kk_recipients=read.kk_recipients)
    reasons = eligibility.problems(facts, current_rules())
    application = read.application
    recipient = read.recipient
    if person.program_status == ProgramStatus.REVOKED:
        state = "revoked"
    elif person.program_status == ProgramStatus.RECIPIENT:
        state = "recipient"
    elif pending:
        state = "registering"
    elif application is not None and application.status == "applied":
        state = "applied"  # waiting for the selection
    else:
        state = "eligible" if not reasons else "ineligible"
    deadlines = []
    if recipient is not None and recipient.status == "active" and recipient.first_purchase_at is None:
        deadlines.append({"code": "FIRST_PURCHASE", "date": recipient.first_purchase_deadline.isoformat()})
    return Journey(
        state=state,
        steps=done,
        next_step=pending[0][0] if pending else {"eligible": "apply", "recipient": "buy_training"}.get(state),
        next_url_name=pending[0][1] if pending else None,
        eligible=not reasons,
        reasons=reasons,
        test_score=test_score,
        test_max_score=test_max_score,
        application=application,
        recipient=recipient,
        balance=balance,
        deadlines=deadlines,
        person=person,
    )


@dataclass
class _Read:
    person: Person
    declared: bool
    balance: int
    kk_recipients: int
    taken: bool
    test_score: int | None
    test_max_score: int | None
    application: Any  # batches.Application (with its batch) or None
    recipient: Any  # batches.Recipient or None


class _JourneyQuery:
    """The one query of :func:`journey`, written once per database connection (core.rows).

    It starts from the account's id, so it answers one row for an account without a person yet (just
    registered: every person column NULL, and the account's test attempts still counted); a read never
    writes. For ``GET /api/v1/me`` it starts from the bearer token instead, joined with its account as
    accounts.bearer joins them, so the token, the account and the journey are one round trip.

    It reads what these ORM queries would, each as the journey used them before:
    ``Person.objects.select_related("recipient").filter(user=user)``; whether the person accepted the current
    declaration; the balance of the person's first ledger account (by id); how many other people on the same
    family card (a non-empty ``kk_index``) are or were recipients; the latest application (by ``applied_at``)
    with its batch and its selection result; and the user's test attempts — how many, how many still open, and
    the current period's.
    """

    def __init__(self) -> None:
        from prakerja.aptitude.models import Attempt
        from prakerja.batches.models import Application, Batch, Recipient, Result
        from prakerja.payments.models import LedgerAccount

        self.models = (Person, Recipient, Application, Batch, Attempt, Declaration, LedgerAccount, Result)
        self.person = Projection(Person, "p")
        self.recipient = Projection(Recipient, "r")
        self.application = Projection(Application, "a")
        self.result = Projection(Result, "s")
        self.batch = Projection(Batch, "b")
        self._sql: dict[str, str] = {}

    def sql(self, connection: Any, by_token: bool = False) -> str:
        """Starting from the account's id (a parameter), or ``by_token`` from a bearer token with its account
        (accounts.bearer's join and condition, the account's columns first)."""
        key = f"{connection.alias}:{'token' if by_token else 'account'}"
        found = self._sql.get(key)
        if found is not None:
            return found
        person_m, recipient_m, application_m, batch_m, attempt_m, declaration_m, ledger_m, result_m = self.models

        def t(model: Any) -> str:
            return table(connection, model)

        def c(model: Any, name: str) -> str:
            return column(connection, model, name)

        pk = c(person_m, "id")
        user_col = c(person_m, "user")
        kk = c(person_m, "kk_index")
        status = c(person_m, "program_status")
        a_user, a_period, a_finished = c(attempt_m, "user"), c(attempt_m, "period"), c(attempt_m, "finished_at")
        app_pk, app_person = c(application_m, "id"), c(application_m, "person")
        applied_at = c(application_m, "applied_at")
        # Names from the models' _meta, quoted by the backend; the values are parameters.
        # LIMIT 1 in the EXISTS keeps PostgreSQL from turning it into a hash of every accepted declaration.
        if by_token:
            joined, condition = bearer.source(connection)
            start, uid, where = f"{bearer.USER.columns(connection)}, ", f"u.{c(User, 'id')}", f" WHERE {condition}"
        else:
            start, joined, uid, where = "", "(SELECT CAST(%s AS bigint) AS uid) me", "me.uid", ""
        found = (
            f"SELECT {start}{self.person.columns(connection)}, {self.recipient.columns(connection)}, "  # noqa: S608
            f"{self.application.columns(connection)}, {self.result.columns(connection)}, "
            f"{self.batch.columns(connection)}, "
            f"EXISTS (SELECT 1 FROM {t(declaration_m)} d WHERE d.{c(declaration_m, 'person')} = p.{pk} "
            f"AND d.{c(declaration_m, 'version')} = %s LIMIT 1), "
            f"(SELECT la.{c(ledger_m, 'balance')} FROM {t(ledger_m)} la WHERE la.{c(ledger_m, 'person')} = p.{pk} "
            f"ORDER BY la.{c(ledger_m, 'id')} LIMIT 1), "
            f"CASE WHEN p.{kk} <> '' THEN (SELECT COUNT(*) FROM {t(person_m)} k WHERE k.{kk} = p.{kk} "
            f"AND k.{status} IN (%s, %s) AND k.{pk} <> p.{pk}) ELSE 0 END, "
            f"(SELECT COUNT(*) FROM {t(attempt_m)} ta WHERE ta.{a_user} = {uid}), "
            f"(SELECT COUNT(*) FROM {t(attempt_m)} tb WHERE tb.{a_user} = {uid} "
            f"AND tb.{a_finished} IS NULL), "
            f"ca.{a_finished}, ca.{c(attempt_m, 'score')}, ca.{c(attempt_m, 'max_score')} "
            f"FROM {joined} "
            f"LEFT JOIN {t(person_m)} p ON p.{user_col} = {uid} "
            f"LEFT JOIN {t(recipient_m)} r ON r.{c(recipient_m, 'person')} = p.{pk} "
            f"LEFT JOIN {t(application_m)} a ON a.{app_pk} = (SELECT a2.{app_pk} FROM {t(application_m)} a2 "
            f"WHERE a2.{app_person} = p.{pk} ORDER BY a2.{applied_at} DESC LIMIT 1) "
            f"LEFT JOIN {t(result_m)} s ON s.{c(result_m, 'application')} = a.{app_pk} "
            f"LEFT JOIN {t(batch_m)} b ON b.{c(batch_m, 'id')} = a.{c(application_m, 'batch')} "
            f"LEFT JOIN {t(attempt_m)} ca ON ca.{a_user} = {uid} AND ca.{a_period} = %s{where}"
        )
        self._sql[key] = found
        return found

    def run(self, user: User) -> _Read:
        connection = connections[router.db_for_read(Person)]
        version, recipient, revoked, period = self._values()
        row = fetch_one(connection, self.sql(connection), (version, recipient, revoked, user.pk, period))
        assert row is not None  # one row per account, person or not
        return self._build(connection, row, user)

    def run_for_token(self, raw: str) -> tuple[User, _Read] | None:
        connection = connections[router.db_for_read(Person)]
        token = bearer.params(raw, connection)
        if token is None:
            return None
        row = fetch_one(connection, self.sql(connection, by_token=True), (*self._values(), *token))
        user = bearer.accepted(bearer.USER.build(connection, row) if row is not None else None)
        if user is None:
            return None
        assert row is not None
        return user, self._build(connection, row, user, at=bearer.USER.width)

    @staticmethod
    def _values() -> tuple[str, str, str, str]:
        """The query's own parameters: the declaration's version and the two recipient statuses (in the
        select list, before the starting point's parameters) and the test period (after them)."""
        return (
            current_declaration_version(),
            ProgramStatus.RECIPIENT.value,
            ProgramStatus.REVOKED.value,
            current_period(),
        )

    def _build(self, connection: Any, row: Any, user: User, at: int = 0) -> _Read:
        person = self.person.build(connection, row, at)
        at += self.person.width
        recipient = self.recipient.build(connection, row, at)
        at += self.recipient.width
        application = self.application.build(connection, row, at)
        at += self.application.width
        result = self.result.build(connection, row, at)
        at += self.result.width
        batch = self.batch.build(connection, row, at)
        at += self.batch.width
        declared, balance, kk_recipients, attempts, open_attempts, finished_at, score, max_score = row[at:]
        if person is None:
            # No person yet: the journey of an empty one (what ``person_of`` creates on the first write),
            # without writing it on a read.
            person = Person(user=user)
        # What select_related would have cached: no further query for person.recipient, application.batch
        Person._meta.get_field("recipient").set_cached_value(person, recipient)  # type: ignore[attr-defined,union-attr]
        if recipient is not None:
            recipient.person = person
        if application is not None:
            application.batch = batch  # type: ignore[assignment]
            application.person = person
            type(application).result.related.set_cached_value(application, result)  # type: ignore[attr-defined]
        person.user = user  # the account is at hand; eligibility facts need not read it again
        if open_attempts:
            # An open attempt may be overdue, and aptitude finishes it on reading: that rare case goes
            # through aptitude's own functions.
            taken = test_taken(user)
            current = current_attempt(user)
            finished_at = current.finished_at if current else None
            score, max_score = (current.score, current.max_score) if current else (None, None)
        else:
            taken = bool(attempts)
        done = finished_at is not None
        return _Read(
            person=person,
            declared=bool(declared),
            balance=balance or 0,
            kk_recipients=int(kk_recipients or 0),
            taken=taken,
            test_score=score if done else None,
            test_max_score=max_score if done else None,
            application=application,
            recipient=recipient,
        )


_query = _JourneyQuery()
