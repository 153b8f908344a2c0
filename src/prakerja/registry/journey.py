"""Where a participant stands in the registration journey, and what to do next.

The dashboard and ``GET /api/v1/me`` both read :func:`journey`, so the page
and the API never disagree about the state or the next step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Subquery

from prakerja.accounts.models import User
from prakerja.aptitude.actions import current_attempt, current_period, test_taken
from prakerja.aptitude.models import Attempt
from prakerja.batches import eligibility
from prakerja.batches.facts import current_rules, facts_for
from prakerja.core.errors import Problem
from prakerja.registry.actions import current_declaration_version, has_current_declaration, person_of
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
    # current declaration and balance in one query, the test attempts in another.
    person, declared, balance = _person_of(user)
    taken, attempt = _test_of(user)
    done = {
        "verify_email": user.email_verified_at is not None,
        "verify_phone": user.phone_verified_at is not None,
        "identity": person.identity_verified_at is not None,
        "profile": person.profile_completed_at is not None,
        "declaration": declared,
        "test": taken,
    }
    pending = [(code, url) for code, url in STEPS if not done[code]]
    reasons = eligibility.problems(facts_for(person, declaration_accepted=declared, tkd_taken=taken), current_rules())
    from prakerja.batches.models import Application

    application = (
        Application.objects.filter(person=person).select_related("batch").order_by("-applied_at").first()
        if person.pk
        else None
    )
    recipient = getattr(person, "recipient", None) if person.pk else None
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
        test_score=attempt.score if attempt and attempt.finished_at else None,
        test_max_score=attempt.max_score if attempt and attempt.finished_at else None,
        application=application,
        recipient=recipient,
        balance=balance,
        deadlines=deadlines,
        person=person,
    )


def _person_of(user: User) -> tuple[Person, bool, int]:
    """The person (with its recipient row), whether the current declaration is accepted, and the balance."""
    from prakerja.payments.models import LedgerAccount

    person = (
        Person.objects.select_related("recipient")
        .annotate(
            declared=Exists(Declaration.objects.filter(person=OuterRef("pk"), version=current_declaration_version())),
            # _balance's account: the person's first ledger account
            ledger_balance=Subquery(
                LedgerAccount.objects.filter(person=OuterRef("pk")).order_by("pk").values("balance")[:1]
            ),
        )
        .filter(user=user)
        .first()
    )
    if person is None:  # first visit: the person is created empty (and may race another request)
        person = person_of(user)
        return person, has_current_declaration(person), _balance(person)
    person.user = user  # the account is at hand; eligibility facts need not read it again
    return person, bool(person.declared), person.ledger_balance or 0  # type: ignore[attr-defined]


def _test_of(user: User) -> tuple[bool, Any]:
    """Whether a test was taken (any period), and the current period's attempt — the attempts read once.

    While an attempt is still open it may be overdue, and aptitude finishes it on reading: that rare case
    goes through aptitude's own functions.
    """
    attempts = list(Attempt.objects.filter(user=user))  # one per period: a handful at most
    if any(a.finished_at is None for a in attempts):
        return test_taken(user), current_attempt(user)
    period = current_period()
    current = next((a for a in attempts if a.period == period), None)
    if current is not None:
        current.user = user
    return bool(attempts), current


def _balance(person: Any) -> int:
    """The training balance, from the ledger (0 before the person is named a recipient)."""
    from prakerja.payments.models import LedgerAccount

    account = LedgerAccount.objects.filter(person=person).first() if person.pk else None
    return account.balance if account else 0
