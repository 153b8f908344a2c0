"""Batch actions: create, open, close, apply, select, announce, revoke after the deadline."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from prakerja.accounts.models import User
from prakerja.batches import eligibility, selection
from prakerja.batches.facts import current_rules, facts_for
from prakerja.batches.models import Application, Batch, Recipient, RegionQuota
from prakerja.core import audit, clock, queue
from prakerja.core.errors import DomainError, Problem, fail
from prakerja.core.program import setting
from prakerja.regions.models import Province, Regency
from prakerja.registry.actions import person_of
from prakerja.registry.models import Person, ProgramStatus

Progress = Callable[[int, int], None]


def get_batch(number: int) -> Batch:
    batch = Batch.objects.filter(number=number).first()
    if batch is None:
        raise fail("BATCH_NOT_FOUND", "number", status=404)
    return batch


def _check_quota_table(allocation: str, total: int, table: Mapping[str, int]) -> list[Problem]:
    if not table:
        return [Problem("QUOTA_TABLE_REQUIRED", "quotas")]
    problems = []
    known = set(
        Province.objects.values_list("code", flat=True)
        if allocation == Batch.Allocation.PROVINCE
        else Regency.objects.values_list("code", flat=True)
    )
    for code in sorted(set(table) - known):
        problems.append(Problem("QUOTA_REGION_UNKNOWN", "quotas", {"code": code}))
    if any(not isinstance(q, int) or q < 0 for q in table.values()):
        problems.append(Problem("INVALID_VALUE", "quotas"))
    elif sum(table.values()) != total:
        problems.append(Problem("QUOTA_TABLE_MISMATCH", "quotas", {"sum": sum(table.values()), "total": total}))
    return problems


@transaction.atomic
def create_batch(
    *,
    number: int,
    quota: int | None,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    name: str = "",
    allocation: str = Batch.Allocation.NATIONAL,
    method: str = Batch.Method.PROPORTIONAL,
    quota_table: Mapping[str, int] | None = None,
    recovery: bool = False,
    actor: User | None = None,
) -> Batch:
    """A new batch in draft. A recovery batch's quota is the revoked places not pooled yet."""
    problems = []
    if Batch.objects.filter(number=number).exists():
        problems.append(Problem("BATCH_NUMBER_TAKEN", "number"))
    if closes_at <= opens_at:
        problems.append(Problem("BATCH_DATES_INVALID", "closes_at"))
    pool = Recipient.objects.filter(status=Recipient.Status.REVOKED, pooled_into__isnull=True)
    if recovery:
        available = pool.count()
        quota = available if quota is None else quota
        if available == 0:
            problems.append(Problem("NO_PLACES_TO_POOL", "quota"))
        elif quota > available:
            problems.append(Problem("RECOVERY_QUOTA_TOO_LARGE", "quota", {"available": available}))
    if quota is None or quota <= 0:
        problems.append(Problem("BATCH_QUOTA_INVALID", "quota"))
    if allocation not in Batch.Allocation.values:
        problems.append(Problem("INVALID_VALUE", "allocation"))
    elif method == Batch.Method.FIXED and allocation != Batch.Allocation.NATIONAL:
        problems += _check_quota_table(allocation, quota or 0, quota_table or {})
    if problems:
        raise DomainError(problems)
    assert quota is not None
    batch = Batch.objects.create(
        number=number,
        name=name or f"Gelombang {number}",
        opens_at=opens_at,
        closes_at=closes_at,
        quota=quota,
        allocation=allocation,
        method=method,
        is_recovery=recovery,
        created_by=actor,
    )
    if method == Batch.Method.FIXED and allocation != Batch.Allocation.NATIONAL and quota_table:
        RegionQuota.objects.bulk_create(
            [RegionQuota(batch=batch, region_code=code, quota=q) for code, q in sorted(quota_table.items())]
        )
    if recovery:
        ids = list(pool.order_by("id").values_list("id", flat=True)[:quota])
        Recipient.objects.filter(id__in=ids).update(pooled_into=batch)
    audit.record("batch.created", batch, actor=actor, after={"number": number, "quota": quota, "recovery": recovery})
    return batch


@transaction.atomic
def open_batch(number: int, *, actor: User | None = None) -> Batch:
    batch = Batch.objects.select_for_update().get(pk=get_batch(number).pk)
    if batch.status != Batch.Status.DRAFT:
        raise fail("BATCH_NOT_DRAFT", None, status=409)
    # No two batches may take applications over the same period: an applicant could join both.
    other = (
        Batch.objects.exclude(pk=batch.pk)
        .exclude(status=Batch.Status.DRAFT)
        .filter(Q(status=Batch.Status.OPEN) | Q(opens_at__lt=batch.closes_at, closes_at__gt=batch.opens_at))
        .first()
    )
    if other is not None:
        raise fail("BATCH_OVERLAP", None, status=409, other=other.number)
    batch.status = Batch.Status.OPEN
    batch.save(update_fields=["status"])
    audit.record("batch.opened", batch, actor=actor)
    return batch


@transaction.atomic
def close_batch(number: int, *, actor: User | None = None) -> Batch:
    batch = Batch.objects.select_for_update().get(pk=get_batch(number).pk)
    if batch.status != Batch.Status.OPEN:
        raise fail("BATCH_NOT_OPEN", None, status=409)
    now = clock.now()
    if batch.opens_at < now < batch.closes_at:
        batch.closes_at = now  # closed early: eligibility is re-checked on the day it really closed
    batch.status = Batch.Status.CLOSED
    batch.save(update_fields=["status", "closes_at"])
    audit.record("batch.closed", batch, actor=actor, after={"closes_at": batch.closes_at.isoformat()})
    return batch


def open_batches() -> list[Batch]:
    now = clock.now()
    return list(Batch.objects.filter(status=Batch.Status.OPEN, opens_at__lte=now, closes_at__gt=now))


def apply(user: User, number: int) -> Application:
    """Join an open batch; refused with every failing eligibility rule's code."""
    batch = get_batch(number)
    now = clock.now()
    if batch.status != Batch.Status.OPEN:
        raise fail("BATCH_NOT_OPEN", None, status=409)
    if not batch.opens_at <= now < batch.closes_at:
        raise fail(
            "BATCH_NOT_IN_WINDOW",
            None,
            status=409,
            opens=f"{batch.opens_at.astimezone(clock.JAKARTA):%Y-%m-%d %H:%M}",
            closes=f"{batch.closes_at.astimezone(clock.JAKARTA):%Y-%m-%d %H:%M}",
        )
    person = person_of(user)
    problems = eligibility.problems(facts_for(person), current_rules())
    if problems:
        raise DomainError(problems)
    if Application.objects.filter(batch=batch, person=person).exists():
        raise fail("ALREADY_APPLIED", None, status=409)
    # Waiting for a result: not selected yet, or selected in a batch not announced yet.
    pending = (
        Application.objects.filter(person=person)
        .filter(Q(result__isnull=True) | Q(result__status=Application.Status.SELECTED, recipient__isnull=True))
        .exclude(batch=batch)
    )
    if pending.exists():
        # One result at a time: someone waiting for batch N must not also be drawn in batch N+1.
        raise fail("APPLICATION_PENDING", None, status=409, batch=pending.first().batch.number)  # type: ignore[union-attr]
    assert person.domicile_district_id and person.birth_date and person.in_formal_education is not None
    try:
        with transaction.atomic():
            application = Application.objects.create(
                batch=batch,
                person=person,
                applied_at=now,
                regency_code=person.domicile_district_id[:4],
                kk_index=person.kk_index,
                birth_date=person.birth_date,
                gender=person.gender,
                occupation=person.occupation,
                in_formal_education=person.in_formal_education,
                employment_status=person.employment_status,
                prior_training=bool(person.prior_training),
                prior_recipient=person.program_status != ProgramStatus.NONE,
            )
            audit.record("batch.applied", application, actor=user, after={"batch": number})
    except IntegrityError:
        raise fail("ALREADY_APPLIED", None, status=409) from None
    return application


class _Rollback(Exception):
    def __init__(self, digest: str) -> None:
        self.digest = digest


def select_batch(number: int, *, actor: User | None = None, dry_run: bool = False) -> str:
    """Run the selection (see ``selection.py``) and return the audit digest.

    ``dry_run`` is the audit of a past selection: it hashes the results as stored, recomputes
    them from the same data and seed inside a transaction that is rolled back, and returns the
    stored rows' digest if they were altered after the draw, else the recomputed one; either way
    the answer equals the batch's digest only when the stored results are what the draw gives.
    """
    batch = get_batch(number)
    if dry_run and batch.status not in (Batch.Status.SELECTED, Batch.Status.ANNOUNCED):
        raise fail("BATCH_NOT_SELECTED", None, status=409)
    if not dry_run and batch.status != Batch.Status.CLOSED:
        code = {
            Batch.Status.DRAFT: "BATCH_NOT_CLOSED",
            Batch.Status.OPEN: "BATCH_STILL_OPEN",
        }.get(Batch.Status(batch.status), "BATCH_ALREADY_SELECTED")
        raise fail(code, None, status=409)
    try:
        with transaction.atomic():
            batch = Batch.objects.select_for_update().get(pk=batch.pk)
            selection.tune_session()
            params = (
                selection.Params.from_json(batch.selection_params)
                if batch.selection_params
                else selection.params_for(batch, current_rules(), setting("selection_tiers"))
            )
            if dry_run:
                as_stored = selection.digest(batch, params)
                if as_stored != batch.selection_digest:
                    raise _Rollback(as_stored)
                selection.clear_results(batch)  # recomputed below; the rollback puts them back
            selection.build_pool(batch, params)
            counts = selection.eligible_counts(batch, params)
            selection.store_quotas(batch, selection.quotas_for(batch, counts), counts)
            selection.write_results(batch, params)
            selection.drop_pool()
            digest = selection.digest(batch, params)
            if dry_run:
                raise _Rollback(digest)
            batch.status = Batch.Status.SELECTED
            batch.selection_params = params.as_json()
            batch.selection_digest = digest
            batch.selected_at = clock.now()
            batch.save(update_fields=["status", "selection_params", "selection_digest", "selected_at"])
            audit.record("batch.selected", batch, actor=actor, after={"digest": digest})
    except _Rollback as result:
        return result.digest
    return digest


# --- announcement ---------------------------------------------------------------------------------
def new_card_number() -> str:
    """16 digits: '5', 14 random digits and a Luhn check digit (catches a mistyped digit)."""
    body = "5" + "".join(str(secrets.randbelow(10)) for _ in range(14))
    total = 0
    for i, digit in enumerate(reversed(body)):
        d = int(digit) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def first_purchase_deadline(named_at: dt.datetime) -> dt.date:
    """15 calendar days (a setting) counted in Jakarta from the day the person is named."""
    return named_at.astimezone(clock.JAKARTA).date() + dt.timedelta(days=setting("first_purchase_days"))


CHUNK = 500


def announce_batch(number: int, *, actor: User | None = None, progress: Progress | None = None) -> int:
    """Name the selected recipients: card, balance through the ledger, notifications for everyone;
    returns how many were named.

    Works in chunks, each its own transaction, and is safe to run again after an interruption:
    a recipient already named is skipped and every ledger movement has an idempotency key.
    """
    from prakerja.batches.tasks import notify_results
    from prakerja.payments import actions as ledger

    batch = get_batch(number)
    if batch.status == Batch.Status.ANNOUNCED:
        raise fail("BATCH_ALREADY_ANNOUNCED", None, status=409)
    if batch.status != Batch.Status.SELECTED:
        raise fail("BATCH_NOT_SELECTED", None, status=409)
    balance = int(setting("training_balance"))
    selected = Application.objects.filter(batch=batch, result__status=Application.Status.SELECTED)
    total = selected.count()
    accounts = _system_accounts()
    if total:
        ledger.transfer(
            source=accounts["state_funding"],
            destination=accounts["program_budget"],
            amount=balance * total,
            kind="budget_allocation",
            idempotency_key=f"batch:{batch.number}:allocation",
            actor=actor,
            memo=f"Gelombang {batch.number}: {total} x Rp{balance}",
        )
    done = 0
    ids = list(selected.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic():
            already = set(Recipient.objects.filter(application_id__in=chunk).values_list("application_id", flat=True))
            rows = Application.objects.filter(id__in=chunk).exclude(id__in=already).select_related("person")
            # Never a second card: someone named by another batch meanwhile keeps the first one.
            for application in rows.exclude(person__recipient__isnull=False):
                now = clock.now()
                Recipient.objects.create(
                    person=application.person,
                    batch=batch,
                    application=application,
                    kk_index=application.kk_index,
                    card_number=_unique_card_number(),
                    named_at=now,
                    first_purchase_deadline=first_purchase_deadline(now),
                )
                Person.objects.filter(pk=application.person_id).update(program_status=ProgramStatus.RECIPIENT)
                ledger.transfer(
                    source=accounts["program_budget"],
                    destination=ledger.account_for_person(application.person),
                    amount=balance,
                    kind="balance_credit",
                    actor=actor,
                    idempotency_key=f"batch:{batch.number}:credit:{application.public_id}",
                    memo=f"Saldo pelatihan gelombang {batch.number}",
                )
        done += len(chunk)
        if progress:
            progress(done, total)
    with transaction.atomic():
        batch = Batch.objects.select_for_update().get(pk=batch.pk)
        batch.status = Batch.Status.ANNOUNCED
        batch.announced_at = clock.now()
        batch.save(update_fields=["status", "announced_at"])
        named_count = Recipient.objects.filter(batch=batch).count()
        audit.record("batch.announced", batch, actor=actor, after={"selected": total, "named": named_count})
        all_ids = list(Application.objects.filter(batch=batch).order_by("id").values_list("id", flat=True))
        for start in range(0, len(all_ids), CHUNK):
            queue.after_commit(notify_results, all_ids[start : start + CHUNK])
    return named_count


def _system_accounts() -> dict[str, Any]:
    from prakerja.payments import actions as ledger

    ledger.ensure_system_accounts()
    return {code: ledger.system_account(code) for code in ("state_funding", "program_budget", "treasury_returns")}


def _unique_card_number() -> str:
    while True:
        number = new_card_number()
        if not Recipient.objects.filter(card_number=number).exists():
            return number


# --- deadlines ------------------------------------------------------------------------------------
def enforce_deadlines(*, actor: User | None = None, progress: Progress | None = None) -> int:
    """Revoke recipients who bought no training by their deadline; the balance returns to the treasury."""
    today = clock.today()
    due = Recipient.objects.filter(
        status=Recipient.Status.ACTIVE, first_purchase_at__isnull=True, first_purchase_deadline__lt=today
    )
    ids = list(due.order_by("id").values_list("id", flat=True))
    if not ids:
        return 0
    treasury = _system_accounts()["treasury_returns"]
    for n, recipient_id in enumerate(ids, start=1):
        with transaction.atomic():
            recipient = Recipient.objects.select_for_update().select_related("person").get(pk=recipient_id)
            if recipient.status != Recipient.Status.ACTIVE or recipient.first_purchase_at is not None:
                continue
            _revoke(
                recipient,
                "FIRST_PURCHASE_DEADLINE_MISSED",
                "Tidak membeli pelatihan pertama dalam 15 hari",
                treasury=treasury,
                actor=actor,
            )
        if progress:
            progress(n, len(ids))
    return len(ids)


def revoke_recipient(person: Person, reason: str, *, actor: User | None = None) -> Recipient | None:
    """Revoke a recipient for a reason found later (e.g. ineligibility): the card stops, the unused
    balance returns to the treasury. Idempotent; None when the person was never a recipient."""
    with transaction.atomic():
        recipient = Recipient.objects.select_for_update().filter(person=person).first()
        if recipient is None or recipient.status == Recipient.Status.REVOKED:
            return recipient
        _revoke(
            recipient, "FOUND_INELIGIBLE", reason[:300], treasury=_system_accounts()["treasury_returns"], actor=actor
        )
    return recipient


def _revoke(recipient: Recipient, code: str, memo: str, *, treasury: Any, actor: User | None) -> None:
    """Revoke a locked, active recipient: the remaining balance to the treasury, the card stopped, audited."""
    from prakerja.payments import actions as ledger

    account = ledger.account_for_person(recipient.person)
    remaining = ledger.balance_of(account)
    if remaining > 0:
        ledger.transfer(
            source=account,
            destination=treasury,
            amount=remaining,
            kind="balance_return",
            actor=actor,
            idempotency_key=f"revoke:{recipient.pk}",
            memo=memo,
        )
    recipient.status = Recipient.Status.REVOKED
    recipient.revoked_at = clock.now()
    recipient.revocation_reason = code
    recipient.save(update_fields=["status", "revoked_at", "revocation_reason"])
    Person.objects.filter(pk=recipient.person_id).update(program_status=ProgramStatus.REVOKED)
    audit.record("recipient.revoked", recipient, actor=actor, after={"reason": code, "returned": remaining})
