"""Where a participant stands in the registration journey, and what to do next.

The dashboard and ``GET /api/v1/me`` both read :func:`journey`, so the page
and the API never disagree about the state or the next step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prakerja.accounts.models import User
from prakerja.aptitude.actions import current_attempt, test_taken
from prakerja.batches import eligibility
from prakerja.batches.facts import current_rules, facts_for
from prakerja.core.errors import Problem
from prakerja.registry.actions import has_current_declaration, person_of
from prakerja.registry.models import ProgramStatus

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


def journey(user: User) -> Journey:
    person = person_of(user)
    done = {
        "verify_email": user.email_verified_at is not None,
        "verify_phone": user.phone_verified_at is not None,
        "identity": person.identity_verified_at is not None,
        "profile": person.profile_completed_at is not None,
        "declaration": has_current_declaration(person),
        "test": test_taken(user),
    }
    pending = [(code, url) for code, url in STEPS if not done[code]]
    reasons = eligibility.problems(facts_for(person), current_rules())
    attempt = current_attempt(user)
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
        balance=_balance(person),
        deadlines=deadlines,
    )


def _balance(person: Any) -> int:
    """The training balance, from the ledger (0 before the person is named a recipient)."""
    from prakerja.payments.models import LedgerAccount

    account = LedgerAccount.objects.filter(person=person).first() if person.pk else None
    return account.balance if account else 0
