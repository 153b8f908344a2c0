"""Entitlements: the incentives a person has earned, each a ledger liability from the moment it exists.

The post-training incentive is earned when the first training is completed
and rated; a survey incentive when an evaluation survey is answered. Either
is *due* (ready for a disbursement batch) once the person has a verified
payout account, else it waits for one. The unique ``(person, kind,
sequence)`` constraint makes granting idempotent and holds the program's
limits (one post-training incentive ever, two survey incentives) even if two
requests race.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from prakerja.core import audit
from prakerja.core.program import setting
from prakerja.payments import actions as ledger
from prakerja.payments.models import Entitlement, PayoutAccount
from prakerja.registry.models import Person


def grant(person: Person, kind: str, sequence: int, source: str, *, actor: Any = None) -> Entitlement | None:
    """Create the entitlement and its liability, or return the one that exists (idempotent). Nothing for
    someone found ineligible (a clawback exists): they earn nothing more."""
    from prakerja.payments.models import Clawback

    if Clawback.objects.filter(person=person).exists():
        return None
    amount = int(setting("training_incentive" if kind == Entitlement.Kind.TRAINING else "survey_incentive"))
    has_account = PayoutAccount.objects.filter(person=person, status=PayoutAccount.Status.VERIFIED).exists()
    with transaction.atomic():
        try:
            with transaction.atomic():
                entitlement = Entitlement.objects.create(
                    person=person,
                    kind=kind,
                    sequence=sequence,
                    amount=amount,
                    source=source,
                    status=Entitlement.Status.DUE if has_account else Entitlement.Status.AWAITING_ACCOUNT,
                )
        except IntegrityError:
            return Entitlement.objects.get(person=person, kind=kind, sequence=sequence)
        ledger.transfer(
            source=ledger.system_account(ledger.STATE_FUNDING),
            destination=ledger.system_account(ledger.INCENTIVES_PAYABLE),
            amount=amount,
            kind="incentive_earned",
            idempotency_key=f"incentive:{person.public_id}:{kind}:{sequence}",
            memo=f"{kind} #{sequence}",
            actor=actor,
        )
        audit.record("entitlement.granted", entitlement, actor=actor, after={"kind": kind, "amount": amount})
    return entitlement


def cancel(entitlement: Entitlement, idempotency_key: str, *, actor: Any = None) -> None:
    """An incentive that will not be paid (its earner was found ineligible): the liability goes back to
    the treasury and the entitlement is cancelled. Under ``idempotency_key``, so doing it twice moves nothing."""
    ledger.transfer(
        source=ledger.system_account(ledger.INCENTIVES_PAYABLE),
        destination=ledger.system_account(ledger.TREASURY_RETURNS),
        amount=entitlement.amount,
        kind="incentive_cancelled",
        idempotency_key=idempotency_key,
        actor=actor,
    )
    Entitlement.objects.filter(pk=entitlement.pk).update(status=Entitlement.Status.CANCELLED, paid_at=None)
    entitlement.status = Entitlement.Status.CANCELLED


def grant_training_incentive(person: Person, purchase_public_id: str, *, actor: Any = None) -> Entitlement | None:
    """After the first training is completed and rated (called by the review action)."""
    return grant(person, Entitlement.Kind.TRAINING, 1, f"purchase:{purchase_public_id}", actor=actor)


def grant_survey_incentive(
    person: Person, sequence: int, survey_public_id: str, *, actor: Any = None
) -> Entitlement | None:
    return grant(person, Entitlement.Kind.SURVEY, sequence, f"survey:{survey_public_id}", actor=actor)


def grant_missing_training_incentives(*, actor: Any = None) -> int:
    """Safety net run before each disbursement: anyone with a completed and rated training but no
    post-training entitlement (e.g. rated before this module existed) gets it now."""
    from prakerja.learning.models import Purchase

    missing = (
        Purchase.objects.filter(status=Purchase.Status.COMPLETED, review__isnull=False)
        .exclude(person__entitlements__kind=Entitlement.Kind.TRAINING)
        .exclude(person__clawback__isnull=False)
        .select_related("person")
        .order_by("person_id", "completed_at")
    )
    granted: set[int] = set()
    for purchase in missing.iterator():
        if purchase.person_id not in granted:
            grant_training_incentive(purchase.person, str(purchase.public_id), actor=actor)
            granted.add(purchase.person_id)
    return len(granted)
