"""Disbursement: batches of payouts, prepared by one officer, approved by another, sent exactly once.

The life of a payout (see :func:`prakerja.payments.payout_rules.next_status`)::

    due ──send──▶ sent ──success──▶ confirmed ──returned──▶ returned
                   │ ▲  ──failed───▶ failed
       no answer / │ │ resend under the same key
       not created ▼ │
                 retrying

Exactly once rests on three things:

1. **One key per payout, frozen.** The idempotency key is derived from the
   entitlement and a generation number, stored with a unique constraint and
   sent with every attempt; the gateway never makes two transfers for one key.
   A new payout (a new key) for the same entitlement is only ever created after
   the gateway said the previous one *failed* or was *returned*, never on
   silence.
2. **Claim, then call.** A worker claims rows in a short transaction
   (``SELECT … FOR UPDATE SKIP LOCKED``, then marks them ``sent`` with a time
   to look again) and calls the gateway *after* committing. A worker killed at
   any point leaves either a ``due`` row (not yet claimed) or a ``sent`` row
   that the next pass asks the gateway about: found → its state is applied;
   not found → resent under the same key.
3. **Reports are applied under a row lock, forward only.** Callbacks, poll
   answers and send answers all go through :func:`apply_report`, which locks
   the payout, drops reports older than the newest applied (``event_seq``),
   and moves the ledger with an idempotency key derived from the payout's, so
   a duplicate callback racing a poll cannot post twice.

The ledger: an entitlement moved the amount from state funding to
``incentives_payable`` when it was granted; confirmation moves it to
``incentives_paid``; a return moves it back.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Count, F, Sum

from prakerja.core import audit, clock, queue, roles
from prakerja.core.access import has_duty
from prakerja.core.errors import fail
from prakerja.core.program import setting
from prakerja.core.public_ids import get_by_public_id
from prakerja.core.rows import update_each
from prakerja.payments import actions as ledger
from prakerja.payments import payout_rules
from prakerja.payments.gateway import GatewayRefused, GatewayUnknown, Transfer, TransferRequest, gateway
from prakerja.payments.models import DisbursementBatch, Entitlement, Payout, PayoutAccount
from prakerja.payments.payout_accounts import reject_account

logger = logging.getLogger(__name__)

CLAIM_CHUNK = 50


# --- preparing and approving ------------------------------------------------------------------------------
def prepare_batch(*, actor: Any, limit: int | None = None) -> DisbursementBatch:
    """Freeze every due entitlement (up to ``limit``) with its verified account into a new batch awaiting
    approval. Entitlements already paid or with a payout in flight are never taken twice."""
    from prakerja.payments.incentives import grant_missing_training_incentives

    if not has_duty(actor, roles.FINANCE_MAKER):
        raise fail("DUTY_REQUIRED", status=403)
    grant_missing_training_incentives(actor=actor)
    with transaction.atomic():
        candidates = (
            Entitlement.objects.filter(status=Entitlement.Status.DUE)
            .filter(person__payout_account__status=PayoutAccount.Status.VERIFIED)
            .exclude(payouts__status__in=[*Payout.OPEN, Payout.Status.CONFIRMED])
            .order_by("id")
        )
        # Two officers preparing at once take disjoint sets: rows one has locked, the other skips.
        locked = candidates.select_for_update(of=("self",), skip_locked=True).values_list("id", "person_id")
        pairs = list(locked[:limit] if limit else locked)
        if not pairs:
            raise fail("NOTHING_DUE", status=409)
        ids = [entitlement_id for entitlement_id, _person in pairs]
        person_ids = sorted({person_id for _entitlement, person_id in pairs})
        # The accounts are locked while frozen: a participant changing theirs waits, then sees the payout in flight.
        accounts = {}
        for start in range(0, len(person_ids), 5000):
            for account in (
                PayoutAccount.objects.select_for_update()
                .filter(person_id__in=person_ids[start : start + 5000])
                .order_by("id")
            ):
                accounts[account.person_id] = account
        batch = DisbursementBatch.objects.create(created_by=actor)
        rows = []
        total = 0
        for start in range(0, len(ids), 5000):
            chunk = (
                Entitlement.objects.filter(id__in=ids[start : start + 5000])
                .annotate(generation=Count("payouts"))
                .order_by("id")
            )
            for entitlement in chunk:
                account = accounts[entitlement.person_id]
                rows.append(
                    Payout(
                        batch=batch,
                        entitlement=entitlement,
                        idempotency_key=payout_rules.payout_key(
                            str(entitlement.public_id),
                            entitlement.generation + 1,  # type: ignore[attr-defined]
                        ),
                        amount=entitlement.amount,
                        provider=account.provider_id,
                        account_number=account.account_number,
                        holder_name=account.holder_name,
                    )
                )
                total += entitlement.amount
        Payout.objects.bulk_create(rows, batch_size=2000)
        batch.payout_count = len(rows)
        batch.total_amount = total
        batch.save(update_fields=["payout_count", "total_amount"])
        audit.record("disbursement.prepared", batch, actor=actor, after={"payouts": len(rows), "total": total})
    return batch


def get_batch(public_id: Any) -> DisbursementBatch:
    return get_by_public_id(DisbursementBatch.objects.all(), public_id, "DISBURSEMENT_BATCH_NOT_FOUND")


def approve_batch(public_id: Any, *, actor: Any) -> DisbursementBatch:
    """The checker's approval: never the maker's own batch (the database refuses it too)."""
    batch = get_batch(public_id)
    with transaction.atomic():
        batch = DisbursementBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != DisbursementBatch.Status.AWAITING_APPROVAL:
            raise fail("BATCH_NOT_AWAITING_APPROVAL", status=409)
        if getattr(actor, "pk", None) is None or actor.pk == batch.created_by_id:
            raise fail("SELF_APPROVAL", status=403)
        if not has_duty(actor, roles.FINANCE_CHECKER):
            raise fail("DUTY_REQUIRED", status=403)
        batch.status = DisbursementBatch.Status.APPROVED
        batch.approved_by = actor
        batch.approved_at = clock.now()
        batch.save(update_fields=["status", "approved_by", "approved_at"])
        audit.record(
            "disbursement.approved",
            batch,
            actor=actor,
            after={
                "payouts": batch.payout_count,
                "total": batch.total_amount,
                "prepared_by": str(batch.created_by.public_id),
            },
        )
        from prakerja.payments.tasks import disburse_task

        queue.after_commit(disburse_task)
    return batch


def due_summary() -> dict[str, int]:
    """What the next batch would hold, and what waits for participants' accounts."""
    due = Entitlement.objects.filter(status=Entitlement.Status.DUE).exclude(
        payouts__status__in=[*Payout.OPEN, Payout.Status.CONFIRMED]
    )
    waiting = Entitlement.objects.filter(status=Entitlement.Status.AWAITING_ACCOUNT)
    return {
        "due_count": due.count(),
        "due_amount": int(due.aggregate(total=Sum("amount"))["total"] or 0),
        "awaiting_account": waiting.count(),
    }


def progress_of(batch: DisbursementBatch) -> dict[str, int]:
    """Payouts of the batch per status, with zeros for the statuses none is in."""
    counts = _status_counts(batch.payouts.all())
    return {status: counts.get(status, 0) for status in Payout.Status.values}


def _status_counts(payouts: Any) -> dict[str, int]:
    return dict(payouts.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n"))


# --- the worker ---------------------------------------------------------------------------------------------
@dataclass
class Summary:
    sent: int = 0
    polled: int = 0
    confirmed: int = 0
    failed: int = 0
    unanswered: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def disburse(
    *,
    until_done: bool = False,
    max_seconds: float | None = None,
    progress: Callable[[Summary], None] | None = None,
) -> Summary:
    """Send what is due, ask the gateway about what went unanswered, close finished batches.

    One pass handles everything claimable now. ``until_done`` keeps going (waiting briefly when
    nothing is claimable yet) until no payout of an approved batch is open, or ``max_seconds`` pass.
    Safe to run in several processes at once and to kill at any moment.
    """
    summary = Summary()
    started = time.monotonic()
    send_cursor, poll_cursor = [0], [0]  # where this worker's walks through the queue stand
    while True:
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            break
        # Between chunks, as between requests, a connection past CONN_MAX_AGE (or broken) is replaced; never
        # inside a caller's transaction. A session keeps its plans: one that began while the journal was
        # nearly empty checked each posting's foreign key with a scan of the whole journal, and without an
        # ANALYZE nothing replanned it (a 100,000-payout run slowed from 480 to 45 payouts/s; bench/README.md).
        if not transaction.get_connection().in_atomic_block:
            close_old_connections()
        worked = _send_some(summary, send_cursor) + _poll_some(summary, poll_cursor)
        if progress:
            progress(summary)
        if worked:
            continue
        # Look first, then close: a callback may finish the last payout in between, and payouts never reopen,
        # so "nothing open" seen before closing means the closing below sees the batch finished too.
        nothing_open = not _open_payouts_exist()
        _finish_batches()
        if not until_done or nothing_open:
            break
        time.sleep(0.05)
    summary.by_status = _status_counts(Payout.objects.all())
    return summary


def _open_payouts_exist() -> bool:
    return Payout.objects.filter(status__in=Payout.OPEN, batch__status=DisbursementBatch.Status.APPROVED).exists()


def _claim(statuses: list[str], lease_seconds: float, sending: bool, cursor: list[int]) -> list[Payout]:
    """Claim up to a chunk of payouts in one short transaction; other workers skip the locked rows.

    The worker walks the queue by id from where it stopped (``cursor``, wrapping around at the end)
    rather than re-reading it from the start: every claimed row leaves a dead index entry behind until
    the table is vacuumed, and a scan from the start would wade through all of them each time.
    """
    now = clock.now()
    with transaction.atomic():
        ids: list[int] = []
        for after in dict.fromkeys((cursor[0], 0)):
            ids = list(
                Payout.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    id__gt=after,
                    status__in=statuses,
                    next_attempt_at__lte=now,
                    batch__status=DisbursementBatch.Status.APPROVED,
                )
                .order_by("id")
                .values_list("id", flat=True)[:CLAIM_CHUNK]
            )
            if ids:
                break
        if not ids:
            cursor[0] = 0
            return []
        cursor[0] = ids[-1]
        look_again = now + dt.timedelta(seconds=lease_seconds)
        if sending:
            Payout.objects.filter(id__in=ids).update(
                status=Payout.Status.SENT, attempts=F("attempts") + 1, sent_at=now, next_attempt_at=look_again
            )
        else:
            Payout.objects.filter(id__in=ids).update(next_attempt_at=look_again)
    return list(Payout.objects.filter(id__in=ids).order_by("id"))


def _lease_seconds() -> float:
    """How long claimed payouts stay out of other workers' reach: the time to look at them again, plus
    the time a chunk of sends may take when every one of them times out."""
    return float(setting("payout_poll_seconds")) + CLAIM_CHUNK * float(settings.PAYMENT_GATEWAY_TIMEOUT)


def _send_some(summary: Summary, cursor: list[int]) -> int:
    payouts = _claim([Payout.Status.DUE, Payout.Status.RETRYING], _lease_seconds(), True, cursor)
    callback_url = _callback_url()
    answered: list[Transfer] = []
    for payout in payouts:
        request = TransferRequest(
            idempotency_key=payout.idempotency_key,
            amount=payout.amount,
            provider=payout.provider,
            account_number=payout.account_number,
            holder_name=payout.holder_name,
            callback_url=callback_url,
        )
        summary.sent += 1
        try:
            answered.append(gateway().send(request))
        except GatewayUnknown:
            # Maybe sent, maybe not: ask about it after the backoff instead of sending blind.
            summary.unanswered += 1
            _look_again_later(payout)
        except GatewayRefused as exc:
            # Refused outright (malformed, or the key clashes): nothing to resend blindly; the poll
            # tells whether the key exists, and a person looks at the failure code meanwhile.
            summary.unanswered += 1
            _look_again_later(payout, failure_code=exc.code)
    for applied in apply_reports(answered, via="send", look_again_seconds=float(setting("payout_poll_seconds"))):
        _count(summary, applied)
    return len(payouts)


def _poll_some(summary: Summary, cursor: list[int]) -> int:
    payouts = _claim([Payout.Status.SENT], _lease_seconds(), False, cursor)
    found: list[Transfer] = []
    for payout in payouts:
        summary.polled += 1
        try:
            transfer = gateway().status(payout.idempotency_key)
        except (GatewayUnknown, GatewayRefused):
            summary.unanswered += 1
            _look_again_later(payout)
            continue
        if transfer is None:
            _not_created(payout)
        else:
            found.append(transfer)
    for applied in apply_reports(found, via="poll", look_again_seconds=float(setting("payout_poll_seconds"))):
        _count(summary, applied)
    return len(payouts)


def _count(summary: Summary, payout: Payout) -> None:
    if payout.status == Payout.Status.CONFIRMED:
        summary.confirmed += 1
    elif payout.status == Payout.Status.FAILED:
        summary.failed += 1


def _look_again_later(payout: Payout, failure_code: str = "") -> None:
    delay = payout_rules.retry_delay(
        payout.attempts, float(setting("payout_retry_seconds")), float(setting("payout_retry_max_seconds"))
    )
    changes: dict[str, Any] = {"next_attempt_at": clock.now() + dt.timedelta(seconds=delay)}
    if failure_code:
        changes["failure_code"] = failure_code[:40]
    Payout.objects.filter(pk=payout.pk, status=Payout.Status.SENT).update(**changes)


def _not_created(payout: Payout) -> None:
    """The gateway has no transfer under the key: the send never arrived. Resend it (same key) after the
    backoff. Never give the key up for a new one: a request delayed somewhere could still land, and a
    second key would then pay twice. After ``payout_max_attempts`` the payout is flagged for finance
    (``GATEWAY_UNREACHABLE``) and keeps trying at the longest interval."""
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        if payout.status != Payout.Status.SENT:
            return
        delay = payout_rules.retry_delay(
            payout.attempts, float(setting("payout_retry_seconds")), float(setting("payout_retry_max_seconds"))
        )
        payout.status = Payout.Status.RETRYING
        payout.next_attempt_at = clock.now() + dt.timedelta(seconds=delay)
        if payout.attempts >= int(setting("payout_max_attempts")):
            payout.failure_code = "GATEWAY_UNREACHABLE"
        payout.save(update_fields=["status", "next_attempt_at", "failure_code"])


def _callback_url() -> str:
    base = settings.PAYMENT_CALLBACK_BASE_URL.rstrip("/")
    return f"{base}/api/v1/integration/gateway/callback" if base else ""


def _finish_batches() -> None:
    finished = DisbursementBatch.objects.filter(status=DisbursementBatch.Status.APPROVED).exclude(
        payouts__status__in=Payout.OPEN
    )
    DisbursementBatch.objects.filter(pk__in=list(finished.values_list("pk", flat=True))).update(
        status=DisbursementBatch.Status.DONE, finished_at=clock.now()
    )


# --- applying what the gateway reports ----------------------------------------------------------------------
def apply_report(transfer: Transfer, *, via: str) -> Payout | None:
    """Apply the gateway's word about one transfer (a callback, a reconciliation check); None for a key
    the platform never issued."""
    applied = apply_reports([transfer], via=via)
    return applied[0] if applied else None


_PAYOUT_FIELDS = [
    "status",
    "gateway_seq",
    "transfer_id",
    "confirmed_at",
    "finished_at",
    "failure_code",
    "next_attempt_at",
]


def apply_reports(transfers: list[Transfer], *, via: str, look_again_seconds: float | None = None) -> list[Payout]:
    """Apply the gateway's word about a chunk of transfers (send answers, polls, callbacks) in one transaction.

    Steps, under the payouts' row locks (taken in id order, so two workers never deadlock):
    1. per payout, drop a report older than the newest applied (``event_seq``) and never book an amount
       other than the approved one (reconciliation shows it);
    2. the state machine (:func:`payout_rules.next_status`) decides each move; a report that moves
       nothing still records the transfer id and, for a payout waiting on the gateway, when to ask again;
    3. failures and returns (rare) are applied one by one; payouts, entitlements and audit rows are
       written in bulk; the participants are told after commit;
    4. last, the confirmations move the ledger in one :func:`ledger.transfer_many` (one entry per payout,
       keyed ``payout:<key>:confirmed``, so a duplicate report racing this one cannot post twice) — last
       because it locks the two accounts every worker's confirmations share.
    Returns the payouts the reports named (unknown keys are logged and skipped).
    """
    newest: dict[str, Transfer] = {}
    for transfer in transfers:
        seen = newest.get(transfer.idempotency_key)
        if seen is None or transfer.event_seq >= seen.event_seq:
            newest[transfer.idempotency_key] = transfer
    if not newest:
        return []
    with transaction.atomic():
        payouts = list(
            Payout.objects.select_for_update(of=("self",))
            .select_related("entitlement")
            .filter(idempotency_key__in=list(newest))
            .order_by("id")
        )
        if len(payouts) < len(newest):
            logger.warning("gateway reported %d unknown idempotency key(s) via %s", len(newest) - len(payouts), via)
        now = clock.now()
        changed: list[Payout] = []
        moves: dict[str, list[tuple[Payout, dict[str, Any], dict[str, Any]]]] = {}
        confirmed: list[Payout] = []
        for payout in payouts:
            transfer = newest[payout.idempotency_key]
            if transfer.event_seq and transfer.event_seq < payout.gateway_seq:
                continue
            if transfer.amount != payout.amount:
                logger.error("gateway amount differs for payout %s", payout.public_id)
                payout.failure_code = "AMOUNT_DIFFERS"
                changed.append(payout)
                continue
            payout.gateway_seq = max(payout.gateway_seq, transfer.event_seq)
            payout.transfer_id = transfer.transfer_id or payout.transfer_id
            changed.append(payout)
            new_status = payout_rules.next_status(payout.status, transfer.status)
            if new_status is None:
                if look_again_seconds is not None and payout.status == Payout.Status.SENT:
                    payout.next_attempt_at = now + dt.timedelta(seconds=look_again_seconds)
                continue
            previous, payout.status = payout.status, new_status
            moves.setdefault(new_status, []).append((payout, {"status": previous}, {"status": new_status, "via": via}))
            if new_status == Payout.Status.CONFIRMED:
                payout.confirmed_at = payout.finished_at = now
                payout.failure_code = ""
                confirmed.append(payout)
            elif new_status == Payout.Status.FAILED:
                payout.failure_code = (transfer.failure_code or "FAILED")[:40]
                payout.finished_at = now
                _fail(payout)
            elif new_status == Payout.Status.RETURNED:
                payout.finished_at = now
                _return(payout, previous)
        if confirmed:
            Entitlement.objects.filter(pk__in=[p.entitlement_id for p in confirmed]).update(
                status=Entitlement.Status.PAID, paid_at=now
            )
        if changed:
            update_each(Payout, changed, _PAYOUT_FIELDS)
        for status, rows in moves.items():
            audit.record_many(f"payout.{status}", rows)
        told = [p.pk for status, rows in moves.items() for p, _before, _after in rows]
        if told:
            from prakerja.payments.tasks import notify_payouts

            queue.after_commit(notify_payouts, told)
        if confirmed:
            # Last, so the two accounts every confirmation shares stay locked only for the inserts and the commit.
            ledger.transfer_many(
                source=ledger.system_account(ledger.INCENTIVES_PAYABLE),
                destination=ledger.system_account(ledger.INCENTIVES_PAID),
                kind="incentive_paid",
                items=[(f"payout:{p.idempotency_key}:confirmed", p.amount) for p in confirmed],
            )
    return payouts


def _fail(payout: Payout) -> None:
    entitlement_status = Entitlement.Status.DUE
    if payout.failure_code == "ACCOUNT_REJECTED":
        # The bank will not take money into this account: wait for the participant to name another.
        reject_account(payout.entitlement.person_id, payout.account_number, payout.failure_code)
        entitlement_status = Entitlement.Status.AWAITING_ACCOUNT
    Entitlement.objects.filter(pk=payout.entitlement_id, status=Entitlement.Status.DUE).update(
        status=entitlement_status
    )


def _return(payout: Payout, previous: str) -> None:
    """The bank sent the money back. The incentive is owed again — to the person's current account if they
    already named another (due at once), else once they do; for someone clawed back meanwhile it is
    cancelled instead, and what they owe back shrinks by the amount they no longer hold."""
    from prakerja.payments.models import Clawback

    if previous == Payout.Status.CONFIRMED:
        ledger.transfer(
            source=ledger.system_account(ledger.INCENTIVES_PAID),
            destination=ledger.system_account(ledger.INCENTIVES_PAYABLE),
            amount=payout.amount,
            kind="incentive_returned",
            idempotency_key=f"payout:{payout.idempotency_key}:returned",
        )
    person_id = payout.entitlement.person_id
    reject_account(person_id, payout.account_number, "RETURNED")
    clawback = Clawback.objects.select_for_update().filter(person_id=person_id).first()
    if clawback is not None:
        _cancel_after_clawback(payout, previous, clawback)
        return
    has_account = PayoutAccount.objects.filter(person_id=person_id, status=PayoutAccount.Status.VERIFIED).exists()
    Entitlement.objects.filter(pk=payout.entitlement_id).exclude(status=Entitlement.Status.CANCELLED).update(
        status=Entitlement.Status.DUE if has_account else Entitlement.Status.AWAITING_ACCOUNT, paid_at=None
    )


def _cancel_after_clawback(payout: Payout, previous: str, clawback: Any) -> None:
    from prakerja.payments import incentives

    incentives.cancel(payout.entitlement, f"payout:{payout.idempotency_key}:returned:cancelled")
    if previous == Payout.Status.CONFIRMED and clawback.incentives_paid >= payout.amount:
        ledger.transfer(
            source=ledger.receivable_for_person(payout.entitlement.person),
            destination=ledger.system_account(ledger.RECOVERIES_PENDING),
            amount=payout.amount,
            kind="recovery_reduced",
            idempotency_key=f"payout:{payout.idempotency_key}:returned:recovery",
        )
        clawback.incentives_paid -= payout.amount
        clawback.total -= payout.amount
        clawback.save(update_fields=["incentives_paid", "total"])


# --- what the books say -------------------------------------------------------------------------------------
def totals() -> dict[str, int]:
    """Owed and paid as the payouts and entitlements say; the ledger's two accounts must equal them."""
    owed = Entitlement.objects.filter(
        status__in=[Entitlement.Status.AWAITING_ACCOUNT, Entitlement.Status.DUE]
    ).aggregate(total=Sum("amount"))["total"]
    paid = Payout.objects.filter(status=Payout.Status.CONFIRMED).aggregate(total=Sum("amount"))["total"]
    return {"owed": int(owed or 0), "paid": int(paid or 0)}
