"""Complaint actions: filing, replies and notes, assignment, escalation, resolution, closure, reopening,
and the SLA run. Each is one transaction that locks the complaint, checks the rule, writes an audit row
(before/after, never the text of a message, never an access code) and queues notifications on commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from prakerja.accounts.phones import normalize_phone
from prakerja.complaints import access, rules, storage
from prakerja.complaints.models import (
    Category,
    ClosedBy,
    Complaint,
    ComplaintAttachment,
    ComplaintMessage,
    Priority,
    Status,
    TicketCounter,
)
from prakerja.complaints.storage import IncomingFile
from prakerja.core import audit, clock, queue
from prakerja.core.errors import DomainError, Problem, fail
from prakerja.core.program import setting

SUBJECT_MAX = 150
TEXT_MAX = 5000
NAME_MAX = 120


def sla_hours(category: str) -> int:
    table = setting("complaint_sla_hours")
    return rules.sla_hours_for(category, table if isinstance(table, dict) else None)


# --- small shared steps -----------------------------------------------------------------------------------


def _text(value: Any, field: str, limit: int, problems: list[Problem], *, required: bool = True) -> str:
    text = rules.clean_text(value)
    if required and not text:
        problems.append(Problem("FIELD_REQUIRED", field))
    elif len(text) > limit:
        problems.append(Problem("TOO_LONG", field, {"max": limit}))
    return text


def _checked_files(files: Iterable[Any], problems: list[Problem]) -> list[IncomingFile]:
    try:
        return storage.check_uploads(files)
    except DomainError as error:
        problems.extend(error.problems)
        return []


def _store(files: list[IncomingFile]) -> list[tuple[IncomingFile, str]]:
    """Write the files before the transaction (no disk work while rows are locked)."""
    stored: list[tuple[IncomingFile, str]] = []
    try:
        for incoming in files:
            stored.append((incoming, storage.save(incoming.data)))
    except OSError:
        _discard(stored)
        raise
    return stored


def _discard(stored: list[tuple[IncomingFile, str]]) -> None:
    for _incoming, name in stored:
        storage.delete(name)


def _attach(message: ComplaintMessage, stored: list[tuple[IncomingFile, str]]) -> None:
    ComplaintAttachment.objects.bulk_create(
        [
            ComplaintAttachment(
                complaint_id=message.complaint_id,
                message=message,
                stored_name=name,
                original_name=incoming.name,
                content_type=incoming.content_type,
                size=len(incoming.data),
                sha256=incoming.sha256,
                created_at=message.created_at,
            )
            for incoming, name in stored
        ]
    )


def _state(complaint: Complaint) -> dict[str, Any]:
    """What the audit keeps of a complaint: its handling, never the reporter's words or contacts."""
    return {
        "status": complaint.status,
        "priority": complaint.priority,
        "assignee": str(complaint.assignee.public_id) if complaint.assignee_id and complaint.assignee else None,
        "escalation_level": complaint.escalation_level,
        "sla_due_at": complaint.sla_due_at.isoformat() if complaint.sla_due_at else None,
    }


def _move(complaint: Complaint, target: str, now: dt.datetime) -> None:
    """Change the status, pausing the SLA clock while the program waits for the reporter and resuming it
    (the due time and the next escalation move by the time paused) when it no longer does."""
    refusal = rules.refusal_to_move(complaint.status, target)
    if refusal is not None:
        raise fail(refusal, status=409, state=complaint.status)
    if target == rules.WAITING:
        complaint.sla_paused_at = complaint.sla_paused_at or now
    elif complaint.sla_paused_at is not None:
        paused = now - complaint.sla_paused_at
        complaint.sla_due_at += paused
        if complaint.escalate_after is not None:
            complaint.escalate_after += paused
        complaint.sla_paused_at = None
    complaint.status = target


def _locked(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("assignee", "reporter_user")
        .get(pk=complaint.pk)
    )


def _refuse_status(complaint: Complaint, code: str = "COMPLAINT_TRANSITION_NOT_ALLOWED") -> DomainError:
    if complaint.status == rules.CLOSED:
        code = "COMPLAINT_CLOSED"
    return fail(code, status=409, state=complaint.status)


# --- filing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filed:
    complaint: Complaint
    access_code: str | None  # for a public reporter; shown once, only its hash is kept


def _regency_of_participant(user: Any) -> str | None:
    from prakerja.registry.models import Person

    person = Person.objects.filter(user=user).select_related("domicile_district", "ktp_district").first()
    if person is None:
        return None
    for district in (person.domicile_district, person.ktp_district):
        if district is not None:
            return str(district.regency_id)
    return None


def _known_regency(code: str) -> bool:
    from prakerja.regions.models import Regency

    return len(code) == 4 and code.isdigit() and Regency.objects.filter(code=code).exists()


def next_number(now: dt.datetime) -> str:
    """``PGD-<year>-<nnnnnn>``: the year's counter row, locked FOR UPDATE, gives the next number.

    The row is created if missing with ``INSERT … ON CONFLICT DO NOTHING`` (two first filings of a year do
    not collide), then locked; a concurrent filing waits for this transaction and reads the number after.
    """
    year = now.astimezone(clock.JAKARTA).year
    TicketCounter.objects.bulk_create([TicketCounter(year=year, last=0)], ignore_conflicts=True)
    counter = TicketCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"PGD-{year}-{counter.last:06d}"


def file_complaint(
    *,
    category: Any,
    subject: Any,
    description: Any,
    reporter: Any = None,
    name: Any = "",
    email: Any = "",
    phone: Any = "",
    regency_code: Any = "",
    files: Iterable[Any] = (),
    actor: Any = None,
    ip: str | None = None,
) -> Filed:
    """File a complaint: by a participant (``reporter``, a participant account) or by the public (name, and
    an email or a phone; no account). Every problem is reported at once. The region is the participant's
    domicile (else KTP) regency; a public reporter, or a participant without a district yet, chooses one."""
    problems: list[Problem] = []
    category = str(category or "")
    if category not in Category.values:
        problems.append(Problem("COMPLAINT_CATEGORY_INVALID", "category"))
    subject = _text(subject, "subject", SUBJECT_MAX, problems)
    description = _text(description, "description", TEXT_MAX, problems)
    participant = reporter if getattr(reporter, "is_authenticated", False) and reporter.role == "participant" else None
    reporter_name = reporter_email = reporter_phone = ""
    if participant is None:
        reporter_name = _text(name, "name", NAME_MAX, problems)
        reporter_email = rules.clean_text(email).lower()
        if reporter_email:
            try:
                if len(reporter_email) > 254:
                    raise ValidationError("too long")
                validate_email(reporter_email)
            except ValidationError:
                problems.append(Problem("EMAIL_INVALID", "email"))
        raw_phone = rules.clean_text(phone)
        if raw_phone:
            reporter_phone = normalize_phone(raw_phone) or ""
            if not reporter_phone:
                problems.append(Problem("PHONE_INVALID", "phone"))
        if not reporter_email and not raw_phone:
            problems.append(Problem("REPORTER_CONTACT_REQUIRED", "email"))
    region = _regency_of_participant(participant) if participant is not None else None
    if region is None:
        chosen = rules.clean_text(regency_code)
        if not chosen:
            problems.append(Problem("FIELD_REQUIRED", "regency_code"))
        elif not _known_regency(chosen):
            problems.append(Problem("COMPLAINT_REGENCY_UNKNOWN", "regency_code"))
        region = chosen
    checked = _checked_files(files, problems)
    if problems:
        raise DomainError(problems)
    if participant is None and ip:
        access.check_public_filing(ip)

    stored = _store(checked)
    try:
        with transaction.atomic():
            now = clock.now()
            hours = sla_hours(category)
            due = rules.due_at(now, hours)
            complaint = Complaint(
                number=next_number(now),
                category=category,
                subject=subject,
                description=description,
                status=Status.OPEN,
                priority=rules.PRIORITY_OF.get(category, Priority.NORMAL),
                reporter_user=participant,
                reporter_name=reporter_name,
                reporter_email=reporter_email,
                reporter_phone=reporter_phone,
                region_code=region,
                sla_hours=hours,
                sla_due_at=due,
                escalate_after=due,
                created_at=now,
                updated_at=now,
            )
            # A public reporter's code is derived from the row, so the confirmation's task needs only its id.
            code = access.access_code_of(complaint) if participant is None else None
            complaint.access_code_hash = access.hash_code(code) if code else ""
            complaint.save(force_insert=True)
            if stored:
                report = ComplaintMessage.objects.create(
                    complaint=complaint, author=participant, kind=ComplaintMessage.Kind.REPORT, created_at=now
                )
                _attach(report, stored)
            audit.record(
                "complaint.filed",
                complaint,
                actor=actor or participant,
                after={
                    "number": complaint.number,
                    "category": category,
                    "region_code": region,
                    "reporter": "participant" if participant is not None else "public",
                    "attachments": len(stored),
                    **_state(complaint),
                },
                ip=ip,
            )
            from prakerja.complaints.tasks import notify_filed

            queue.after_commit(notify_filed, complaint.pk)
    except BaseException:
        _discard(stored)
        raise
    return Filed(complaint, code)


# --- the thread -------------------------------------------------------------------------------------------


def _message(
    complaint: Complaint,
    *,
    author: Any,
    kind: str,
    body: str,
    from_staff: bool,
    internal: bool = False,
    now: dt.datetime,
    stored: list[tuple[IncomingFile, str]] | None = None,
) -> ComplaintMessage:
    message = ComplaintMessage.objects.create(
        complaint=complaint,
        author=author if getattr(author, "pk", None) else None,
        kind=kind,
        body=body,
        from_staff=from_staff,
        internal=internal,
        created_at=now,
    )
    if stored:
        _attach(message, stored)
    return message


def _with_files(
    files: Iterable[Any], body: Any, work: Callable[[str, list[tuple[IncomingFile, str]]], ComplaintMessage]
) -> ComplaintMessage:
    problems: list[Problem] = []
    text = _text(body, "body", TEXT_MAX, problems)
    checked = _checked_files(files, problems)
    if problems:
        raise DomainError(problems)
    stored = _store(checked)
    try:
        with transaction.atomic():
            return work(text, stored)
    except BaseException:
        _discard(stored)
        raise


def reporter_reply(
    complaint: Complaint, body: Any, files: Iterable[Any] = (), *, user: Any = None, ip: str | None = None
) -> ComplaintMessage:
    """The reporter writes on their ticket (found through ``access``). A complaint waiting for the reporter is
    worked on again and its SLA clock resumes. Refused once resolved (confirm or reopen instead) or closed."""

    def work(text: str, stored: list[tuple[IncomingFile, str]]) -> ComplaintMessage:
        locked = _locked(complaint)
        if locked.status not in rules.ACTIVE:
            raise _refuse_status(locked)
        now = clock.now()
        before = _state(locked)
        target = rules.status_after_reporter_reply(locked.status)
        if target != locked.status:
            _move(locked, target, now)
        locked.updated_at = now
        locked.save()
        message = _message(
            locked,
            author=locked.reporter_user,
            kind=ComplaintMessage.Kind.REPLY,
            body=text,
            from_staff=False,
            now=now,
            stored=stored,
        )
        audit.record(
            "complaint.reporter_replied",
            locked,
            actor=user or locked.reporter_user,
            before=before,
            after={**_state(locked), "message": str(message.public_id), "attachments": len(stored)},
            ip=ip,
        )
        if locked.assignee_id:
            from prakerja.complaints.tasks import notify_assignee

            queue.after_commit(notify_assignee, locked.pk)
        return message

    return _with_files(files, body, work)


def staff_reply(
    complaint: Complaint,
    staff: Any,
    body: Any,
    files: Iterable[Any] = (),
    *,
    ask_reporter: bool = False,
    ip: str | None = None,
) -> ComplaintMessage:
    """Support answers the reporter (who is notified). ``ask_reporter`` asks them for something and pauses the
    SLA clock until they answer; otherwise the complaint is in progress. The first one sets the first response."""
    _require_support(staff)

    def work(text: str, stored: list[tuple[IncomingFile, str]]) -> ComplaintMessage:
        locked = _locked(complaint)
        if locked.status not in rules.ACTIVE:
            raise _refuse_status(locked)
        now = clock.now()
        before = _state(locked)
        target = rules.status_after_staff_reply(locked.status, ask_reporter=ask_reporter)
        if target != locked.status:
            _move(locked, target, now)
        locked.first_response_at = locked.first_response_at or now
        locked.updated_at = now
        locked.save()
        message = _message(
            locked, author=staff, kind=ComplaintMessage.Kind.REPLY, body=text, from_staff=True, now=now, stored=stored
        )
        audit.record(
            "complaint.staff_replied",
            locked,
            actor=staff,
            before=before,
            after={**_state(locked), "message": str(message.public_id), "attachments": len(stored)},
            ip=ip,
        )
        from prakerja.complaints.tasks import notify_reporter

        queue.after_commit(notify_reporter, message.pk)
        return message

    return _with_files(files, body, work)


def add_note(
    complaint: Complaint, staff: Any, body: Any, files: Iterable[Any] = (), *, ip: str | None = None
) -> ComplaintMessage:
    """An internal note: seen by staff only (support anywhere, a regional officer in their area)."""
    if not access.may_note(staff, complaint):
        raise fail("DUTY_REQUIRED", status=403)

    def work(text: str, stored: list[tuple[IncomingFile, str]]) -> ComplaintMessage:
        locked = _locked(complaint)
        now = clock.now()
        locked.updated_at = now
        locked.save(update_fields=["updated_at"])
        message = _message(
            locked,
            author=staff,
            kind=ComplaintMessage.Kind.NOTE,
            body=text,
            from_staff=True,
            internal=True,
            now=now,
            stored=stored,
        )
        audit.record(
            "complaint.noted",
            locked,
            actor=staff,
            after={"message": str(message.public_id), "attachments": len(stored)},
            ip=ip,
        )
        return message

    return _with_files(files, body, work)


# --- handling ---------------------------------------------------------------------------------------------


def _require_support(user: Any) -> None:
    if not access.is_support(user):
        raise fail("DUTY_REQUIRED", status=403)


@transaction.atomic
def assign(complaint: Complaint, assignee: Any, *, actor: Any, ip: str | None = None) -> Complaint:
    """Give the complaint to a support officer (someone holding the support duty); a new or reopened complaint
    is then in progress."""
    _require_support(actor)
    if assignee is None or not getattr(assignee, "is_active", False) or not access.is_support(assignee):
        raise fail("COMPLAINT_ASSIGNEE_INVALID", "assignee")
    locked = _locked(complaint)
    if locked.status == rules.CLOSED:
        raise _refuse_status(locked)
    before = _state(locked)
    now = clock.now()
    locked.assignee = assignee
    if locked.status in (rules.OPEN, rules.REOPENED):
        _move(locked, rules.IN_PROGRESS, now)
    locked.updated_at = now
    locked.save()
    audit.record("complaint.assigned", locked, actor=actor, before=before, after=_state(locked), ip=ip)
    return locked


def _escalate(locked: Complaint, *, actor: Any, reason: str, automatic: bool, now: dt.datetime, ip: str | None) -> None:
    refusal = rules.escalation_refusal(locked.status, locked.escalation_level)
    if refusal is not None:
        code, params = refusal
        raise DomainError([Problem(code, None, {"state": locked.status, **params})], status=409)
    before = _state(locked)
    locked.escalation_level += 1
    locked.escalated_at = now
    locked.priority = Priority.URGENT if locked.escalation_level >= 2 else Priority.HIGH
    if automatic:
        locked.escalate_after = now + dt.timedelta(hours=int(setting("complaint_escalation_hours")))
    locked.updated_at = now
    locked.save()
    _message(
        locked,
        author=actor,
        kind=ComplaintMessage.Kind.ESCALATION,
        body=reason,
        from_staff=True,
        internal=True,
        now=now,
    )
    audit.record(
        "complaint.escalated",
        locked,
        actor=actor,
        before=before,
        after={**_state(locked), "automatic": automatic},
        ip=ip,
    )
    from prakerja.complaints.tasks import notify_escalation

    queue.after_commit(notify_escalation, locked.pk, locked.escalation_level)


@transaction.atomic
def escalate(complaint: Complaint, *, actor: Any, reason: Any, ip: str | None = None) -> Complaint:
    """Support raises the escalation level by hand (with a reason, kept as an internal note)."""
    _require_support(actor)
    problems: list[Problem] = []
    text = _text(reason, "reason", TEXT_MAX, problems)
    if problems:
        raise DomainError(problems)
    locked = _locked(complaint)
    _escalate(locked, actor=actor, reason=text, automatic=False, now=clock.now(), ip=ip)
    return locked


@transaction.atomic
def resolve(complaint: Complaint, *, actor: Any, resolution: Any, ip: str | None = None) -> Complaint:
    """Support states the resolution to the reporter (who is notified); the reporter may confirm it, reopen it
    within ``complaint_reopen_days``, or let it close by itself after ``complaint_auto_close_days``."""
    _require_support(actor)
    problems: list[Problem] = []
    text = _text(resolution, "resolution", TEXT_MAX, problems)
    if problems:
        raise DomainError(problems)
    locked = _locked(complaint)
    now = clock.now()
    before = _state(locked)
    _move(locked, rules.RESOLVED, now)
    locked.resolved_at = now
    locked.first_response_at = locked.first_response_at or now
    locked.updated_at = now
    locked.save()
    message = _message(locked, author=actor, kind=ComplaintMessage.Kind.RESOLUTION, body=text, from_staff=True, now=now)
    audit.record(
        "complaint.resolved",
        locked,
        actor=actor,
        before=before,
        after={**_state(locked), "resolved_late": locked.resolved_late},
        ip=ip,
    )
    from prakerja.complaints.tasks import notify_reporter

    queue.after_commit(notify_reporter, message.pk)
    return locked


def _close(locked: Complaint, *, by: str, actor: Any, reason: str, now: dt.datetime, ip: str | None) -> None:
    before = _state(locked)
    _move(locked, rules.CLOSED, now)
    locked.closed_at = now
    locked.closed_by = by
    locked.updated_at = now
    locked.save()
    if reason:
        _message(
            locked,
            author=actor,
            kind=ComplaintMessage.Kind.CLOSURE,
            body=reason,
            from_staff=by != ClosedBy.REPORTER,
            now=now,
        )
    audit.record("complaint.closed", locked, actor=actor, before=before, after={**_state(locked), "by": by}, ip=ip)


@transaction.atomic
def close(complaint: Complaint, *, actor: Any, reason: Any = "", ip: str | None = None) -> Complaint:
    """Support closes a complaint in any state but closed (a duplicate, a resolved one) with a reason the
    reporter reads."""
    _require_support(actor)
    problems: list[Problem] = []
    text = _text(reason, "reason", TEXT_MAX, problems)
    if problems:
        raise DomainError(problems)
    locked = _locked(complaint)
    _close(locked, by=ClosedBy.STAFF, actor=actor, reason=text, now=clock.now(), ip=ip)
    from prakerja.complaints.tasks import notify_reporter

    last = locked.messages.filter(kind=ComplaintMessage.Kind.CLOSURE).order_by("-id").first()
    if last is not None:
        queue.after_commit(notify_reporter, last.pk)
    return locked


@transaction.atomic
def confirm(complaint: Complaint, *, user: Any = None, ip: str | None = None) -> Complaint:
    """The reporter confirms the resolution: the complaint is closed."""
    locked = _locked(complaint)
    if locked.status != rules.RESOLVED:
        raise _refuse_status(locked)
    _close(locked, by=ClosedBy.REPORTER, actor=user or locked.reporter_user, reason="", now=clock.now(), ip=ip)
    return locked


@transaction.atomic
def reopen(complaint: Complaint, reason: Any, *, user: Any = None, ip: str | None = None) -> Complaint:
    """The reporter reopens a resolved complaint within ``complaint_reopen_days`` of its resolution, saying why;
    the SLA clock starts again from now."""
    problems: list[Problem] = []
    text = _text(reason, "reason", TEXT_MAX, problems)
    if problems:
        raise DomainError(problems)
    locked = _locked(complaint)
    now = clock.now()
    refusal = rules.reopen_refusal(locked.status, locked.resolved_at, now, int(setting("complaint_reopen_days")))
    if refusal is not None:
        code, params = refusal
        raise DomainError([Problem(code, None, {"state": locked.status, **params})], status=409)
    before = _state(locked)
    _move(locked, rules.REOPENED, now)
    locked.resolved_at = None
    locked.reopened_count += 1
    locked.sla_due_at = rules.due_at(now, locked.sla_hours)
    locked.escalate_after = locked.sla_due_at
    locked.updated_at = now
    locked.save()
    _message(
        locked, author=locked.reporter_user, kind=ComplaintMessage.Kind.REOPEN, body=text, from_staff=False, now=now
    )
    audit.record(
        "complaint.reopened", locked, actor=user or locked.reporter_user, before=before, after=_state(locked), ip=ip
    )
    if locked.assignee_id:
        from prakerja.complaints.tasks import notify_assignee

        queue.after_commit(notify_assignee, locked.pk)
    return locked


# --- the SLA run ------------------------------------------------------------------------------------------


@dataclass
class SlaSummary:
    escalated: int = 0
    closed: int = 0
    at_max_level: int = 0


def run_sla(*, progress: Callable[[str, int, int], None] | None = None) -> SlaSummary:
    """Escalate every running complaint whose next escalation time has come (the SLA breach first, then every
    ``complaint_escalation_hours`` while unresolved, up to the highest level), and close every complaint
    resolved more than ``complaint_auto_close_days`` ago. One short transaction per complaint, rows locked and
    re-checked, so two runs at once (or an officer acting meanwhile) never escalate or close twice.
    Idempotent: a second run at the same instant does nothing."""
    summary = SlaSummary()
    now = clock.now()
    due = list(
        Complaint.objects.filter(
            status__in=sorted(rules.RUNNING),
            escalate_after__lte=now,
            escalation_level__lt=rules.MAX_ESCALATION_LEVEL,
        )
        .order_by("escalate_after", "id")
        .values_list("pk", flat=True)
    )
    for n, pk in enumerate(due, start=1):
        with transaction.atomic():
            locked = Complaint.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if (
                locked is None
                or locked.status not in rules.RUNNING
                or locked.escalate_after is None
                or locked.escalate_after > now
                or locked.escalation_level >= rules.MAX_ESCALATION_LEVEL
            ):
                continue
            reason = f"SLA {locked.sla_hours} jam terlampaui (batas {locked.sla_due_at:%Y-%m-%d %H:%M} UTC)."
            _escalate(locked, actor=None, reason=reason, automatic=True, now=now, ip=None)
            summary.escalated += 1
        if progress:
            progress("escalate", n, len(due))
    summary.at_max_level = Complaint.objects.filter(
        status__in=sorted(rules.RUNNING), sla_due_at__lt=now, escalation_level__gte=rules.MAX_ESCALATION_LEVEL
    ).count()

    cutoff = now - dt.timedelta(days=int(setting("complaint_auto_close_days")))
    resolved = list(
        Complaint.objects.filter(status=rules.RESOLVED, resolved_at__lte=cutoff)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    for n, pk in enumerate(resolved, start=1):
        with transaction.atomic():
            locked = Complaint.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if (
                locked is None
                or locked.status != rules.RESOLVED
                or locked.resolved_at is None
                or locked.resolved_at > cutoff
            ):
                continue
            _close(locked, by=ClosedBy.AUTO, actor=None, reason="", now=now, ip=None)
            summary.closed += 1
        if progress:
            progress("close", n, len(resolved))
    return summary
