"""Clawback: a recipient found ineligible after the fact owes back what they used.

Steps of :func:`claw_back`, in one transaction:

1. refuse while a payout is in flight (its outcome changes what was paid);
2. cancel a training in progress (its price back to the balance), then revoke the card; the unused
   training balance returns to the treasury;
3. cancel incentives earned but not paid, reversing their liability;
4. compute what was used: the training balance spent (the credit, less what
   is left or was returned) and the incentives paid (confirmed payouts);
5. book it as a receivable: ``recovery_receivable:<person>`` up by the total,
   the ``recoveries_pending`` contra account down by the same.

Recorded once per person (a unique row and a ledger idempotency key).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Sum

from prakerja.core import audit
from prakerja.core.errors import fail
from prakerja.payments import actions as ledger
from prakerja.payments import incentives
from prakerja.payments.models import Clawback, Entitlement, Payout, Posting
from prakerja.payments.payout_accounts import payout_in_flight
from prakerja.registry.models import Person


def training_spent(person: Person) -> int:
    """What the person's training balance paid for: every purchase out of it, less refunds."""
    account = ledger.account_for_person(person)
    spent = Posting.objects.filter(account=account, amount__lt=0, entry__kind="training_purchase").aggregate(
        total=Sum("amount")
    )["total"]
    refunded = Posting.objects.filter(account=account, amount__gt=0, entry__kind="training_refund").aggregate(
        total=Sum("amount")
    )["total"]
    return max(0, -(spent or 0) - (refunded or 0))


def claw_back(person: Person, reason: str, *, actor: Any = None) -> Clawback:
    reason = (reason or "").replace("\x00", "").strip()
    if len(reason) < 5:
        raise fail("REASON_REQUIRED", "reason")
    if Clawback.objects.filter(person=person).exists():
        raise fail("CLAWBACK_EXISTS", status=409)
    from prakerja.batches.actions import revoke_recipient

    with transaction.atomic():
        Person.objects.select_for_update().get(pk=person.pk)
        if payout_in_flight(person):
            raise fail("PAYOUT_IN_FLIGHT", status=409)
        if Clawback.objects.filter(person=person).exists():
            raise fail("CLAWBACK_EXISTS", status=409)
        # A training in progress is cancelled first: its price returns to the balance, and with the rest of
        # the balance to the treasury, so "used" counts only trainings actually delivered or under way no more.
        from prakerja.learning import actions as learning
        from prakerja.learning.models import Purchase

        for purchase in Purchase.objects.filter(person=person, status=Purchase.Status.ACTIVE):
            learning.cancel_purchase(purchase, reason, actor=actor)
        revoke_recipient(person, reason, actor=actor)
        for entitlement in Entitlement.objects.select_for_update().filter(
            person=person, status__in=[Entitlement.Status.AWAITING_ACCOUNT, Entitlement.Status.DUE]
        ):
            incentives.cancel(entitlement, f"incentive:{entitlement.public_id}:cancelled", actor=actor)
        paid = (
            Payout.objects.filter(entitlement__person=person, status=Payout.Status.CONFIRMED).aggregate(
                total=Sum("amount")
            )["total"]
            or 0
        )
        used = training_spent(person)
        clawback = Clawback.objects.create(
            person=person,
            training_used=used,
            incentives_paid=paid,
            total=used + paid,
            reason=reason[:300],
            created_by=actor,
        )
        if clawback.total > 0:
            ledger.transfer(
                source=ledger.system_account(ledger.RECOVERIES_PENDING),
                destination=ledger.receivable_for_person(person),
                amount=clawback.total,
                kind="recovery_receivable",
                idempotency_key=f"clawback:{person.public_id}",
                memo=reason[:300],
                actor=actor,
            )
        audit.record(
            "clawback.recorded",
            clawback,
            actor=actor,
            after={"training_used": used, "incentives_paid": paid, "reason": reason[:300]},
        )
    return clawback
