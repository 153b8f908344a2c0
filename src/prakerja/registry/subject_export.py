"""The data-subject export: everything the platform holds about one participant, as one JSON document.

Served to the participant only (``GET /api/v1/me/data-export`` with their bearer token, and the
download link on their dashboard), and audited (``personal_data.subject_export``). What it holds:

- the account, without its secrets (no password hash, no code or token hashes);
- the identity, the NIK and KK number decrypted (they are the participant's own), and the profile;
- declarations accepted, aptitude tests, applications with their results, the recipient card;
- trainings bought, their redeem codes, reviews and certificates;
- the training balance's ledger lines, the payout account and payouts (account numbers masked:
  enough to recognise, useless if the file leaks), incentives, a recovery (clawback) if any;
- survey answers, complaints filed from the account (internal staff notes excluded), a registration
  made for them at a help desk (the consent they gave, what became of their ID photo);
- the audit trail about the participant and their records. Who acted is given as ``self``,
  ``staff`` or ``system``: a staff member's identity is theirs, not the participant's.

Sections come from many apps; each is read here with its app's models, read-only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from prakerja.accounts.models import User
from prakerja.core import audit, clock
from prakerja.core.models import AuditEvent
from prakerja.registry.models import Person
from prakerja.registry.validation import PROFILE_FIELDS

FORMAT = "prakerja.personal-data-export/1"


def _when(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _masked(number: str) -> str:
    return "*" * max(0, len(number) - 4) + number[-4:]


def _account(user: User) -> dict[str, Any]:
    return {
        "id": str(user.public_id),
        "email": user.email,
        "phone": user.phone,
        "role": user.role,
        "email_verified_at": _when(user.email_verified_at),
        "phone_verified_at": _when(user.phone_verified_at),
        "joined_at": _when(user.date_joined),
        "last_login": _when(user.last_login),
        "active": user.is_active,
        "api_tokens": [
            {"created_at": _when(t.created_at), "last_used": _when(t.last_used_at), "expires_at": _when(t.expires_at)}
            for t in user.api_tokens.order_by("created_at")
        ],
    }


def _identity(person: Person) -> dict[str, Any]:
    return {
        "id": str(person.public_id),
        "nik": person.nik,
        "kk_number": person.kk_number or None,
        "full_name": person.full_name,
        "birth_date": _when(person.birth_date),
        "gender": person.gender,
        "mother_name": person.mother_name,
        "ktp_district_code": person.ktp_district_id,
        "address": person.address,
        "domicile_district_code": person.domicile_district_id,
        "verified_at": _when(person.identity_verified_at),
        "program_status": person.program_status,
    }


def _profile(person: Person) -> dict[str, Any]:
    return {**{f: getattr(person, f) for f in PROFILE_FIELDS}, "completed_at": _when(person.profile_completed_at)}


def _tests(user: User) -> list[dict[str, Any]]:
    return [
        {
            "id": str(a.public_id),
            "period": a.period,
            "started_at": _when(a.started_at),
            "finished_at": _when(a.finished_at),
            "score": a.score,
            "max_score": a.max_score,
        }
        for a in user.tkd_attempts.order_by("started_at")
    ]


def _applications(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "id": str(a.public_id),
            "batch": a.batch.number,
            "applied_at": _when(a.applied_at),
            "facts": {
                "regency_code": a.regency_code,
                "birth_date": _when(a.birth_date),
                "gender": a.gender,
                "occupation": a.occupation,
                "in_formal_education": a.in_formal_education,
                "employment_status": a.employment_status,
                "prior_training": a.prior_training,
                "prior_recipient": a.prior_recipient,
            },
            "status": a.status,
            "eligible": a.eligible,
            "tier": a.tier,
            "rank": a.rank,
            "reason": a.reason,
        }
        for a in person.applications.select_related("batch", "result").order_by("applied_at", "id")
    ]


def _recipient(person: Person) -> dict[str, Any] | None:
    from prakerja.batches.models import Recipient

    r = Recipient.objects.filter(person=person).select_related("batch").first()
    if r is None:
        return None
    return {
        "batch": r.batch.number,
        "card_number": _masked(r.card_number),
        "named_at": _when(r.named_at),
        "first_purchase_deadline": _when(r.first_purchase_deadline),
        "first_purchase_at": _when(r.first_purchase_at),
        "next_purchase_deadline": _when(r.next_purchase_deadline),
        "status": r.status,
        "revoked_at": _when(r.revoked_at),
        "revocation_reason": r.revocation_reason,
    }


def _purchases(person: Person) -> list[dict[str, Any]]:
    from prakerja.learning.models import Certificate, Review

    out = []
    rows = person.purchases.select_related("training_class__program").prefetch_related("redeem_codes")
    for p in rows.order_by("purchased_at", "id"):
        review = Review.objects.filter(purchase=p).first()
        certificate = Certificate.objects.filter(purchase=p).first()
        out.append(
            {
                "id": str(p.public_id),
                "class_code": p.training_class.code,
                "program": p.training_class.program.title,
                "price": p.price,
                "voucher_code": p.voucher_code,
                "status": p.status,
                "purchased_at": _when(p.purchased_at),
                "completed_at": _when(p.completed_at),
                "cancelled_at": _when(p.cancelled_at),
                "cancel_reason": p.cancel_reason,
                "sessions": [
                    {
                        "sequence": c.sequence,
                        "redeem_code": c.code,
                        "starts_at": _when(c.starts_at),
                        "attended_at": _when(c.committed_at),
                    }
                    for c in sorted(p.redeem_codes.all(), key=lambda c: c.sequence)
                ],
                "review": {"rating": review.rating, "text": review.text, "at": _when(review.created_at)}
                if review
                else None,
                "certificate": {"number": certificate.number, "issued_at": _when(certificate.issued_at)}
                if certificate
                else None,
            }
        )
    return out


def _money(person: Person) -> dict[str, Any]:
    from prakerja.payments.models import Clawback, Entitlement, LedgerAccount, PayoutAccount, Posting

    account = PayoutAccount.objects.filter(person=person).select_related("provider").first()
    entitlements = Entitlement.objects.filter(person=person).prefetch_related("payouts").order_by("created_at", "id")
    ledger_accounts = list(LedgerAccount.objects.filter(person=person).order_by("id"))
    postings = Posting.objects.filter(account__in=ledger_accounts).select_related("entry", "account")
    clawback = Clawback.objects.filter(person=person).first()
    return {
        "training_balance": sum(a.balance for a in ledger_accounts if a.kind == LedgerAccount.Kind.TRAINING_BALANCE),
        "ledger": [
            {
                "at": _when(p.entry.at),
                "account": p.account.kind,
                "kind": p.entry.kind,
                "amount": p.amount,
                "memo": p.entry.memo,
            }
            for p in postings.order_by("entry__at", "id")
        ],
        "payout_account": {
            "channel": account.provider.channel,
            "provider": account.provider.code,
            "account_number": _masked(account.account_number),
            "holder_name": account.holder_name,
            "status": account.status,
            "verified_at": _when(account.verified_at),
        }
        if account
        else None,
        "entitlements": [
            {
                "id": str(e.public_id),
                "kind": e.kind,
                "sequence": e.sequence,
                "amount": e.amount,
                "status": e.status,
                "earned_at": _when(e.created_at),
                "paid_at": _when(e.paid_at),
                "payouts": [
                    {
                        "id": str(p.public_id),
                        "amount": p.amount,
                        "provider": p.provider,
                        "account_number": _masked(p.account_number),
                        "status": p.status,
                        "sent_at": _when(p.sent_at),
                        "confirmed_at": _when(p.confirmed_at),
                    }
                    for p in sorted(e.payouts.all(), key=lambda p: p.id)
                ],
            }
            for e in entitlements
        ],
        "clawback": {
            "training_used": clawback.training_used,
            "incentives_paid": clawback.incentives_paid,
            "total": clawback.total,
            "reason": clawback.reason,
            "at": _when(clawback.created_at),
        }
        if clawback
        else None,
    }


def _surveys(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "id": str(s.public_id),
            "sequence": s.sequence,
            "sent_at": _when(s.sent_at),
            "answered_at": _when(s.answered_at),
            "outcome": s.outcome,
            "note": s.note,
        }
        for s in person.survey_invitations.order_by("sequence")
    ]


def _complaints(user: User) -> list[dict[str, Any]]:
    from prakerja.complaints.models import Complaint

    out = []
    for c in Complaint.objects.filter(reporter_user=user).order_by("created_at"):
        out.append(
            {
                "number": c.number,
                "category": c.category,
                "subject": c.subject,
                "description": c.description,
                "status": c.status,
                "created_at": _when(c.created_at),
                "resolved_at": _when(c.resolved_at),
                "messages": [
                    {"kind": m.kind, "from_staff": m.from_staff, "body": m.body, "at": _when(m.created_at)}
                    for m in c.messages.filter(internal=False).order_by("created_at", "id")
                ],
            }
        )
    return out


def _assisted_registration(user: User) -> dict[str, Any] | None:
    """A registration made for the participant at a help desk: the desk, the consent, the ID photo's fate."""
    from prakerja.helpdesk.models import AssistedRegistration

    r = AssistedRegistration.objects.filter(resident=user).select_related("desk").first()
    if r is None:
        return None
    return {
        "id": str(r.public_id),
        "help_desk": r.desk.name,
        "status": r.status,
        "consent": {
            "version": r.consent_version,
            "text_sha256": r.consent_sha256,
            "method": r.consent_method,
            "reference": r.consent_reference,
            "at": _when(r.consented_at),
        },
        "completed_at": _when(r.completed_at),
        "activated_at": _when(r.activated_at),
        "id_photo": {
            "uploaded_at": _when(r.photo_uploaded_at),
            "verified_at": _when(r.photo_verified_at),
            "deleted_at": _when(r.photo_deleted_at),
            "held": bool(r.photo_file),
        },
    }


def _audit_trail(user: User, person: Person | None, objects: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Events done by the participant, and events about them or their records (by type and id)."""
    about = Q(actor=user) | Q(object_type=user._meta.label_lower, object_id=str(user.public_id))
    for object_type, ids in objects.items():
        if ids:
            about |= Q(object_type=object_type, object_id__in=ids)
    events = AuditEvent.objects.filter(about).select_related("actor").order_by("at", "id")
    return [
        {
            "at": _when(e.at),
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "by": "self" if e.actor_id == user.pk else ("system" if e.actor_id is None else "staff"),
            "before": e.before,
            "after": e.after,
        }
        for e in events
    ]


def _records(user: User, person: Person | None) -> dict[str, list[str]]:
    """The audit trail's names (``object_type`` -> ids) of the participant's own records."""
    from prakerja.batches.models import Recipient
    from prakerja.complaints.models import Complaint
    from prakerja.helpdesk.models import AssistedRegistration
    from prakerja.payments.models import Clawback, Entitlement, Payout, PayoutAccount

    def ids(rows: Any, field: str = "public_id") -> list[str]:
        return [str(i) for i in rows.values_list(field, flat=True)]

    own = {
        "complaints.complaint": ids(Complaint.objects.filter(reporter_user=user)),
        "helpdesk.assistedregistration": ids(AssistedRegistration.objects.filter(resident=user)),
    }
    if person is None:
        return own
    return own | {
        "registry.person": [str(person.public_id)],
        "batches.application": ids(person.applications),
        "batches.recipient": ids(Recipient.objects.filter(person=person), "pk"),
        "learning.purchase": ids(person.purchases),
        "payments.payoutaccount": ids(PayoutAccount.objects.filter(person=person)),
        "payments.entitlement": ids(Entitlement.objects.filter(person=person)),
        "payments.payout": ids(Payout.objects.filter(entitlement__person=person)),
        "payments.clawback": ids(Clawback.objects.filter(person=person)),
        "surveys.surveyinvitation": ids(person.survey_invitations),
    }


def build(user: User) -> dict[str, Any]:
    """The document (not audited: :func:`export` is what a participant calls)."""
    person = Person.objects.filter(user=user).select_related("user").first()
    document: dict[str, Any] = {
        "format": FORMAT,
        "generated_at": _when(clock.now()),
        "account": _account(user),
        "identity": None,
        "profile": None,
        "declarations": [],
        "aptitude_tests": _tests(user),
        "applications": [],
        "recipient": None,
        "trainings": [],
        "money": None,
        "surveys": [],
        "complaints": _complaints(user),
        "assisted_registration": _assisted_registration(user),
    }
    if person is not None:
        document.update(
            identity=_identity(person),
            profile=_profile(person),
            declarations=[
                {"version": d.version, "text_sha256": d.text_sha256, "accepted_at": _when(d.accepted_at), "ip": d.ip}
                for d in person.declarations.order_by("accepted_at")
            ],
            applications=_applications(person),
            recipient=_recipient(person),
            trainings=_purchases(person),
            money=_money(person),
            surveys=_surveys(person),
        )
    # Last: the export's own audit row is not in the document it produced.
    document["audit_trail"] = _audit_trail(user, person, _records(user, person))
    return document


def export(user: User, *, ip: str | None = None, channel: str = "api") -> dict[str, Any]:
    """Build the participant's export and audit that they took it (which sections, never the content)."""
    document = build(user)
    subject: Any = Person.objects.filter(user=user).first() or user
    audit.record(
        "personal_data.subject_export",
        subject,
        actor=user,
        ip=ip,
        after={"channel": channel, "format": FORMAT, "audit_events": len(document["audit_trail"])},
    )
    return document
