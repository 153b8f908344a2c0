"""The learning lifecycle: purchase, attendance by redeem code, completion with a certificate,
review, cancellation by the institution, and the next-purchase deadline.

Money: a purchase moves the price from the recipient's training balance into the holding
account; the settlement rule (a program setting: at completion, or at the first attended
session) moves it to the institution's payable account; a cancellation before settlement
returns it from holding, after settlement from the payable. Every movement has an idempotency
key derived from the purchase, so a retried request never moves money twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q

from prakerja.batches.models import Recipient
from prakerja.catalog import rules as catalog_rules
from prakerja.catalog.models import Institution, Program, TrainingClass
from prakerja.core import audit, clock
from prakerja.core.errors import DomainError, Problem, fail
from prakerja.core.program import setting
from prakerja.learning.models import Certificate, Purchase, RedeemCode, Review
from prakerja.payments import actions as ledger
from prakerja.payments import incentives
from prakerja.registry.models import Person

REVIEW_MIN_CHARS = 10


def _date(value: dt.date) -> str:
    return value.strftime("%d-%m-%Y")


def _jakarta(value: dt.datetime) -> str:
    return value.astimezone(clock.JAKARTA).strftime("%d-%m-%Y %H:%M")


# --- purchase -------------------------------------------------------------------------------------------
def purchase_problems(person: Person, recipient: Recipient | None, today: dt.date) -> list[Problem]:
    """Why this person cannot buy a training now (empty: may buy). Balance and seat come later."""
    if recipient is None:
        return [Problem("NOT_A_RECIPIENT")]
    if recipient.status != Recipient.Status.ACTIVE:
        return [Problem("RECIPIENT_REVOKED")]
    purchases = Purchase.objects.filter(person=person)
    if purchases.filter(status=Purchase.Status.ACTIVE).exists():
        return [Problem("PREVIOUS_TRAINING_NOT_COMPLETED")]
    if purchases.filter(status=Purchase.Status.COMPLETED, review__isnull=True).exists():
        return [Problem("REVIEW_REQUIRED")]
    if recipient.first_purchase_at is None and today > recipient.first_purchase_deadline:
        return [
            Problem("FIRST_PURCHASE_DEADLINE_PASSED", params={"deadline": _date(recipient.first_purchase_deadline)})
        ]
    if recipient.next_purchase_deadline is not None and today > recipient.next_purchase_deadline:
        deadline = _date(recipient.next_purchase_deadline)
        return [Problem("NEXT_PURCHASE_DEADLINE_PASSED", params={"deadline": deadline})]
    return []


def buy(person: Person, class_code: str, *, actor: Any = None) -> Purchase:
    """Buy a class with the training balance: a voucher, and a redeem code for each session.

    Serialized per person by a lock on the recipient row; the last seat is taken by a
    conditional UPDATE; the balance check is the ledger's, under its own row lock. Any refusal
    rolls everything back.
    """
    code = (class_code or "").strip().upper().replace("\x00", "")
    training_class = TrainingClass.objects.select_related("program", "program__institution").filter(code=code).first()
    if training_class is None:
        raise fail("CLASS_NOT_FOUND", "class_code", status=404)
    program = training_class.program
    now = clock.now()
    # The person's own situation first: it is what they can act on (review, wait, or nothing).
    problems = purchase_problems(person, Recipient.objects.filter(person=person).first(), clock.today())
    if problems:
        raise DomainError(problems, status=409)
    if program.status != Program.Status.APPROVED or program.institution.status != Institution.Status.ACTIVE:
        raise fail("PROGRAM_NOT_APPROVED", "class_code", status=409)
    if training_class.status == TrainingClass.Status.CANCELLED:
        raise fail("CLASS_CANCELLED", "class_code", status=409)
    if now >= training_class.enrollment_closes_at:
        raise fail("ENROLLMENT_CLOSED", "class_code", status=409, closed=_jakarta(training_class.enrollment_closes_at))
    with transaction.atomic():
        recipient = Recipient.objects.select_for_update().filter(person=person).first()
        problems = purchase_problems(person, recipient, clock.today())
        if problems:
            raise DomainError(problems, status=409)
        assert recipient is not None
        taken = TrainingClass.objects.filter(
            pk=training_class.pk, status=TrainingClass.Status.OPEN, seats_taken__lt=F("capacity")
        ).update(seats_taken=F("seats_taken") + 1)
        if not taken:
            raise fail("CLASS_FULL", "class_code", status=409)
        try:
            with transaction.atomic():
                purchase = Purchase.objects.create(
                    person=person, training_class=training_class, price=program.price, purchased_at=now
                )
        except IntegrityError:  # a concurrent purchase by the same person won the race
            raise fail("PREVIOUS_TRAINING_NOT_COMPLETED", status=409) from None
        RedeemCode.objects.bulk_create(
            RedeemCode(
                purchase=purchase,
                session=session,
                training_class=training_class,
                institution_id=program.institution_id,
                voucher_code=purchase.voucher_code,
                sequence=session.sequence,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
            )
            for session in training_class.sessions.all()
        )
        ledger.transfer(
            source=ledger.account_for_person(person),
            destination=ledger.system_account(ledger.TRAINING_HOLDING),
            amount=program.price,
            kind="training_purchase",
            idempotency_key=f"purchase:{purchase.public_id}",
            memo=f"{training_class.code} {program.title}"[:300],
            actor=actor,
        )
        changed = ["next_purchase_deadline"]
        if recipient.first_purchase_at is None:
            recipient.first_purchase_at = now
            changed.append("first_purchase_at")
        recipient.next_purchase_deadline = None
        recipient.save(update_fields=changed)
        audit.record(
            "purchase.created",
            purchase,
            actor=actor,
            after={"class": training_class.code, "price": program.price, "voucher": purchase.voucher_code},
        )
    return purchase


# --- settlement and cancellation -------------------------------------------------------------------------
def _settle(purchase: Purchase, *, actor: Any = None) -> None:
    """Move the held price to the institution's payable account (once)."""
    if purchase.settled_at is not None or purchase.status == Purchase.Status.CANCELLED:
        return
    institution = purchase.training_class.program.institution
    ledger.transfer(
        source=ledger.system_account(ledger.TRAINING_HOLDING),
        destination=ledger.account_for_institution(institution),
        amount=purchase.price,
        kind="training_settlement",
        idempotency_key=f"settle:{purchase.public_id}",
        memo=purchase.voucher_code,
        actor=actor,
    )
    purchase.settled_at = clock.now()
    purchase.save(update_fields=["settled_at"])


@transaction.atomic
def cancel_purchase(purchase: Purchase, reason: str, *, actor: Any = None) -> Purchase:
    """The institution cancels (the class will not run, or cannot take this participant): the
    seat is freed and the whole price returns to the participant's balance, who gets a fresh
    window to buy another training."""
    purchase = (
        Purchase.objects.select_for_update().select_related("training_class__program__institution").get(pk=purchase.pk)
    )
    if purchase.status != Purchase.Status.ACTIVE:
        raise fail("PURCHASE_NOT_ACTIVE", status=409)
    if not (reason or "").strip():
        raise fail("REJECTION_REASON_REQUIRED", "reason")
    source = (
        ledger.account_for_institution(purchase.training_class.program.institution)
        if purchase.settled_at
        else ledger.system_account(ledger.TRAINING_HOLDING)
    )
    ledger.transfer(
        source=source,
        destination=ledger.account_for_person(purchase.person),
        amount=purchase.price,
        kind="training_refund",
        idempotency_key=f"refund:{purchase.public_id}",
        memo=(reason or "")[:300],
        actor=actor,
    )
    purchase.status = Purchase.Status.CANCELLED
    purchase.cancelled_at = clock.now()
    purchase.cancel_reason = reason[:300]
    purchase.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    # On the codes too: a commit racing this cancellation waits for these rows and then loses.
    purchase.redeem_codes.filter(committed_at__isnull=True).update(cancelled_at=purchase.cancelled_at)
    TrainingClass.objects.filter(pk=purchase.training_class_id, seats_taken__gt=0).update(
        seats_taken=F("seats_taken") - 1
    )
    Recipient.objects.filter(person_id=purchase.person_id, status=Recipient.Status.ACTIVE).update(
        next_purchase_deadline=clock.today() + dt.timedelta(days=setting("next_purchase_days"))
    )
    audit.record("purchase.cancelled", purchase, actor=actor, after={"reason": reason})
    return purchase


def cancel_class(training_class: TrainingClass, reason: str, *, actor: Any = None) -> int:
    """Cancel a class and every active purchase of it; returns how many purchases were refunded."""
    if not reason.strip():
        raise fail("REJECTION_REASON_REQUIRED", "reason")
    active = Purchase.objects.select_for_update().filter(training_class=training_class, status=Purchase.Status.ACTIVE)
    # All or nothing: a class is never left cancelled with participants still waiting for their money.
    with transaction.atomic():
        # The purchases first, then the class: the order cancel_purchase takes them in (no deadlock).
        list(active.order_by("pk"))
        TrainingClass.objects.filter(pk=training_class.pk).update(status=TrainingClass.Status.CANCELLED)
        refunded = 0
        # Again: a purchase made while we waited for the class row is refunded too.
        for purchase in active.order_by("pk"):
            try:
                cancel_purchase(purchase, reason, actor=actor)
            except DomainError as error:
                # Completed or cancelled by someone else since the list was read: nothing to refund.
                if error.codes != ["PURCHASE_NOT_ACTIVE"]:
                    raise
                continue
            refunded += 1
        audit.record("class.cancelled", training_class, actor=actor, after={"reason": reason, "refunded": refunded})
    return refunded


# --- attendance (redeem codes) ------------------------------------------------------------------------------
def redeem_window(code: RedeemCode) -> tuple[dt.datetime, dt.datetime]:
    start = code.starts_at
    return (
        start - dt.timedelta(minutes=setting("redeem_minutes_before")),
        start + dt.timedelta(minutes=setting("redeem_minutes_after")),
    )


@dataclass(frozen=True)
class ClassFacts:
    """What a redeem code's answer says about its class: fixed once the class exists (a
    program is not edited after approval, a class never changes program)."""

    class_code: str
    program_id: str
    title: str
    mode: str
    institution_id: int


_class_facts: dict[int, ClassFacts] = {}


def forget_class_facts() -> None:
    """Between tests, whose databases reuse ids."""
    _class_facts.clear()


def class_facts(class_id: int) -> ClassFacts:
    """Kept per process: the partner API answers many codes of the same few classes, and the
    join to the program otherwise costs more to plan than to run."""
    facts = _class_facts.get(class_id)
    if facts is None:
        row = (
            TrainingClass.objects.select_related("program")
            .only("code", "program__public_id", "program__title", "program__mode", "program__institution_id")
            .get(pk=class_id)
        )
        facts = ClassFacts(
            row.code, str(row.program.public_id), row.program.title, row.program.mode, row.program.institution_id
        )
        if len(_class_facts) > 50_000:
            _class_facts.clear()
        _class_facts[class_id] = facts
    return facts


def find_redeem_code(institution: Institution, value: str, sequence: int | None) -> RedeemCode:
    value = (value or "").strip().upper()
    # A NUL byte cannot be sent to PostgreSQL; such a value is no code of ours anyway.
    # One row by its unique code; unordered, as .first() would add a sort to the busiest query.
    code = None if "\x00" in value else next(iter(RedeemCode.objects.filter(code=value)[:1]), None)
    if code is None:
        raise fail("REDEEM_CODE_NOT_FOUND", "redeem_code", status=404)
    if code.institution_id != institution.pk:
        raise fail("WRONG_INSTITUTION", "redeem_code", status=403)
    if sequence is not None and sequence != code.sequence:
        raise fail("SEQUENCE_MISMATCH", "sequence", status=422, sequence=code.sequence)
    return code


def redeem_schedule(purchase: Purchase) -> list[tuple[RedeemCode, dt.datetime, dt.datetime, str]]:
    """A purchase's codes in session order, each with its window and state (pages and API)."""
    now = clock.now()
    codes = sorted(purchase.redeem_codes.all(), key=lambda c: c.sequence)
    return [(code, *redeem_window(code), redeem_state(code, now)) for code in codes]


def redeem_state(code: RedeemCode, now: dt.datetime | None = None) -> str:
    """``used``, ``cancelled``, ``valid`` (inside its window), ``not_yet`` or ``expired``."""
    now = now or clock.now()
    if code.committed_at is not None:
        return "used"
    if code.cancelled_at is not None:  # set on every unused code when its purchase is cancelled
        return "cancelled"
    opens, closes = redeem_window(code)
    if now < opens:
        return "not_yet"
    if now > closes:
        return "expired"
    return "valid"


def commit_redeem(institution: Institution, value: str, sequence: int | None, *, actor: Any = None) -> RedeemCode:
    """Record attendance at one session. Idempotent per session: a second commit changes
    nothing and reports ``ALREADY_USED`` (409) — even when two commits race."""
    fast = _commit_in_one_statement(institution, value, sequence, actor)
    if fast is not None:
        return fast
    # Refused (or not PostgreSQL): find the code and say precisely why, or commit it.
    return commit_found(find_redeem_code(institution, value, sequence), actor=actor)


_COMMIT_IF_VALID = """
WITH done AS (
    UPDATE learning_redeemcode SET committed_at = %(now)s
    WHERE code = %(code)s AND institution_id = %(institution)s
      AND committed_at IS NULL AND cancelled_at IS NULL
      AND starts_at BETWEEN %(earliest)s AND %(latest)s
      AND (%(sequence)s::integer IS NULL OR sequence = %(sequence)s::integer)
    RETURNING id, purchase_id, session_id, code, training_class_id, institution_id, voucher_code, sequence,
              starts_at, ends_at, committed_at, cancelled_at
), logged AS (
    INSERT INTO core_auditevent (public_id, at, actor_id, action, object_type, object_id, after)
    SELECT %(event)s, %(now)s, %(actor)s, 'redeem.committed', 'learning.redeemcode', id::text,
           json_build_object('sequence', sequence)::jsonb
    FROM done
    RETURNING 1
)
SELECT * FROM done"""


def _commit_in_one_statement(
    institution: Institution, value: str, sequence: int | None, actor: Any
) -> RedeemCode | None:
    """The common case — a valid code inside its window, committed once — as one statement on
    PostgreSQL: the conditions of :func:`commit_found` in the UPDATE's WHERE, the audit row in
    the same statement. None when it did not commit (the slow path then explains why), when the
    settlement rule needs the ledger, or off PostgreSQL."""
    value = (value or "").strip().upper()
    if (
        connection.vendor != "postgresql"
        or connection.in_atomic_block
        or "\x00" in value
        or (sequence is not None and not 0 < sequence < 2**15)  # no such session: the slow path says so
        or setting("settlement_rule") == "first_session"
    ):
        return None
    now = clock.now()
    # Valid from `before` minutes before the start to `after` minutes after it.
    earliest = now - dt.timedelta(minutes=setting("redeem_minutes_after"))
    latest = now + dt.timedelta(minutes=setting("redeem_minutes_before"))
    params = {
        "now": now,
        "code": value,
        "institution": institution.pk,
        "earliest": earliest,
        "latest": latest,
        "sequence": sequence,
        "event": uuid.uuid4(),
        "actor": actor.pk if getattr(actor, "pk", None) else None,
    }
    with connection.cursor() as cursor:
        cursor.execute(_COMMIT_IF_VALID, params)
        row = cursor.fetchone()
        if row is None:
            return None
        columns = [c.name for c in cursor.description]
    return RedeemCode(**dict(zip(columns, row, strict=True)))


def commit_found(code: RedeemCode, *, actor: Any = None) -> RedeemCode:
    """:func:`commit_redeem` of a code already found (and checked) by :func:`find_redeem_code`."""
    state = redeem_state(code)
    if state == "used":
        raise fail("ALREADY_USED", "redeem_code", status=409)
    if state == "cancelled":
        raise fail("CANCELLED", "redeem_code", status=409)
    if state != "valid":
        opens, closes = redeem_window(code)
        raise fail("OUTSIDE_REDEEM_WINDOW", "redeem_code", status=422, start=_jakarta(opens), end=_jakarta(closes))
    if setting("settlement_rule") == "first_session":
        return _commit_and_settle(code, actor)
    now = clock.now()
    if not _mark_attended(code, now, actor):
        # Another commit, or a cancellation, took this code since it was read.
        code.refresh_from_db(fields=["committed_at", "cancelled_at"])
        if code.committed_at is None and code.cancelled_at is not None:
            raise fail("CANCELLED", "redeem_code", status=409)
        raise fail("ALREADY_USED", "redeem_code", status=409)
    code.committed_at = now
    return code


def _mark_attended(code: RedeemCode, now: dt.datetime, actor: Any) -> bool:
    """Set ``committed_at`` if the code is neither used nor cancelled, and write its audit row.

    The condition is on the code's own row, so a racing commit or cancellation waits for this
    row's lock and is then re-checked against the new row: exactly one of them wins. (The common
    case on PostgreSQL does not come here: :func:`_commit_in_one_statement`.)
    """
    after = {"sequence": code.sequence}
    with transaction.atomic():
        updated = RedeemCode.objects.filter(pk=code.pk, committed_at__isnull=True, cancelled_at__isnull=True).update(
            committed_at=now
        )
        if updated:
            audit.record("redeem.committed", code, actor=actor, after=after)
        return bool(updated)


def _commit_and_settle(code: RedeemCode, actor: Any) -> RedeemCode:
    """Settlement rule "first_session": attendance and the institution's payment together,
    under the purchase's lock (a cancellation cannot pay the institution as well)."""
    with transaction.atomic():
        purchase = (
            Purchase.objects.select_for_update()
            .select_related("training_class__program__institution")
            .get(pk=code.purchase_id)
        )
        if purchase.status == Purchase.Status.CANCELLED:
            raise fail("CANCELLED", "redeem_code", status=409)
        now = clock.now()
        if not _mark_attended(code, now, actor):
            raise fail("ALREADY_USED", "redeem_code", status=409)
        code.committed_at = now
        _settle(purchase, actor=actor)
    return code


# --- completion, certificate, review ----------------------------------------------------------------------
def find_purchase_for(institution: Institution, voucher_code: str) -> Purchase:
    voucher_code = (voucher_code or "").strip().upper()
    purchase = (
        None
        if "\x00" in voucher_code
        else (
            Purchase.objects.select_related("training_class__program__institution", "person")
            .filter(voucher_code=voucher_code)
            .first()
        )
    )
    if purchase is None:
        raise fail("VOUCHER_NOT_FOUND", "voucher_code", status=404)
    if purchase.training_class.program.institution_id != institution.pk:
        raise fail("WRONG_INSTITUTION", "voucher_code", status=403)
    return purchase


def complete(institution: Institution, voucher_code: str, *, actor: Any = None) -> Purchase:
    """The institution reports a participant's completion: every session attended. Issues the
    certificate and settles the price (settlement rule "completion"). Idempotent."""
    purchase = find_purchase_for(institution, voucher_code)
    with transaction.atomic():
        purchase = (
            Purchase.objects.select_for_update()
            .select_related("training_class__program__institution", "person")
            .get(pk=purchase.pk)
        )
        if purchase.status == Purchase.Status.COMPLETED:
            return purchase
        if purchase.status == Purchase.Status.CANCELLED:
            raise fail("CANCELLED", "voucher_code", status=409)
        sessions = purchase.redeem_codes.count()
        attended = purchase.redeem_codes.filter(committed_at__isnull=False).count()
        if attended < sessions:
            raise fail("ATTENDANCE_INCOMPLETE", "voucher_code", status=409, attended=attended, sessions=sessions)
        now = clock.now()
        purchase.status = Purchase.Status.COMPLETED
        purchase.completed_at = now
        purchase.save(update_fields=["status", "completed_at"])
        year = now.astimezone(clock.JAKARTA).year
        Certificate.objects.create(purchase=purchase, number=f"PKJ/{year}/{purchase.pk:09d}", issued_at=now)
        _settle(purchase, actor=actor)
        audit.record("purchase.completed", purchase, actor=actor)
    return purchase


def review(person: Person, purchase_id: Any, rating: Any, text: str, *, actor: Any = None) -> Review:
    """Rate (1-5) and review a completed training; opens the 15-day window for the next one."""
    purchase = Purchase.objects.filter(public_id=purchase_id, person=person).select_related("training_class").first()
    if purchase is None:
        raise fail("PURCHASE_NOT_FOUND", status=404)
    problems = []
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        problems.append(Problem("RATING_INVALID", "rating"))
    text = (text or "").replace("\x00", "")
    if len(text.strip()) < REVIEW_MIN_CHARS:
        problems.append(Problem("REVIEW_TOO_SHORT", "text", {"min": REVIEW_MIN_CHARS}))
    if purchase.status != Purchase.Status.COMPLETED:
        problems.insert(0, Problem("TRAINING_NOT_COMPLETED"))
    if problems:
        raise DomainError(problems, status=409 if problems[0].code == "TRAINING_NOT_COMPLETED" else 422)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = Review.objects.create(purchase=purchase, rating=rating, text=text.strip())
        except IntegrityError:
            raise fail("REVIEW_EXISTS", status=409) from None
        program_id = purchase.training_class.program_id
        Program.objects.filter(pk=program_id).update(
            rating_count=F("rating_count") + 1, rating_sum=F("rating_sum") + rating
        )
        program = Program.objects.only("rating_sum", "rating_count").get(pk=program_id)
        Program.objects.filter(pk=program_id).update(
            rating_x100=catalog_rules.rating_x100(program.rating_sum, program.rating_count)
        )
        Recipient.objects.filter(person=person, status=Recipient.Status.ACTIVE).update(
            next_purchase_deadline=clock.today() + dt.timedelta(days=setting("next_purchase_days"))
        )
        audit.record("purchase.reviewed", row, actor=actor, after={"rating": rating})
        # Completed and rated: the post-training incentive is earned (once per person; idempotent).
        incentives.grant_training_incentive(person, str(purchase.public_id), actor=actor)
    return row


# --- the next-purchase deadline ------------------------------------------------------------------------------
def enforce_next_purchase_deadlines(*, actor: Any = None, progress: Callable[[int, int], None] | None = None) -> int:
    """Return the remaining balance to the treasury for recipients who let the window after a
    completed and reviewed training pass without buying the next one. They stay recipients (the
    incentive still comes); only the unused balance goes back."""
    today = clock.today()
    due = list(
        Recipient.objects.filter(status=Recipient.Status.ACTIVE, next_purchase_deadline__lt=today)
        .filter(~Q(person__purchases__status=Purchase.Status.ACTIVE))
        # The deadline stays (it explains a refused purchase later); an emptied balance ends the matter.
        .filter(person__ledger_accounts__kind="training_balance", person__ledger_accounts__balance__gt=0)
        .distinct()
        .order_by("id")
        .values_list("id", flat=True)
    )
    treasury = ledger.system_account(ledger.TREASURY_RETURNS)
    for n, recipient_id in enumerate(due, start=1):
        with transaction.atomic():
            recipient = Recipient.objects.select_for_update().select_related("person").get(pk=recipient_id)
            deadline = recipient.next_purchase_deadline
            if deadline is None or deadline >= today or recipient.person.purchases.filter(status="active").exists():
                continue
            account = ledger.account_for_person(recipient.person)
            remaining = ledger.balance_of(account)
            if remaining > 0:
                ledger.transfer(
                    source=account,
                    destination=treasury,
                    amount=remaining,
                    kind="balance_return",
                    idempotency_key=f"next-deadline:{recipient.pk}:{deadline.isoformat()}",
                    memo="Tidak membeli pelatihan berikutnya dalam 15 hari",
                    actor=actor,
                )
            audit.record("recipient.balance_returned", recipient, actor=actor, after={"returned": remaining})
        if progress:
            progress(n, len(due))
    return len(due)
