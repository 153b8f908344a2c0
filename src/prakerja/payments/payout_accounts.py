"""Payout accounts: a participant names the bank account or e-wallet incentives go to.

Steps of :func:`save_payout_account`:

1. the identity is verified (the NIK is what the bank's holder is compared with);
2. the provider is an active one of the settings table, of the channel named;
3. the number has the provider's format (e-wallets: the mobile number);
4. no payout is in flight (the frozen account of a payout being paid must not move under it);
5. the gateway's ownership inquiry answers, and the holder is the participant
   (:func:`prakerja.payments.payout_rules.ownership_problems`);
6. the account is stored, the change audited with the old and new account
   (masked), and incentives waiting for an account become due.

A refusal stores nothing; refused inquiries are audited too, because many of
them in a row are how someone tries other people's accounts.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from prakerja.core import audit, clock
from prakerja.core.errors import DomainError, Problem, fail
from prakerja.payments import payout_rules
from prakerja.payments.gateway import GatewayError, gateway
from prakerja.payments.models import Entitlement, Payout, PayoutAccount, PayoutProvider
from prakerja.registry.models import Person

HOLDER_MAX = PayoutAccount._meta.get_field("holder_name").max_length or 120


# The providers the platform starts with (also seeded by migration 0005, which keeps its own frozen copy):
# code, name, channel, pattern over the digits, hint shown to participants.
DEFAULT_PROVIDERS = (
    ("bca", "BCA", "bank", r"\d{10}", "10 digit"),
    ("bni", "BNI", "bank", r"\d{10}", "10 digit"),
    ("bri", "BRI", "bank", r"\d{15}", "15 digit"),
    ("mandiri", "Bank Mandiri", "bank", r"\d{13}", "13 digit"),
    ("bsi", "BSI (Bank Syariah Indonesia)", "bank", r"\d{10}", "10 digit"),
    ("btn", "BTN", "bank", r"\d{16}", "16 digit"),
    ("cimb", "CIMB Niaga", "bank", r"\d{12,14}", "12–14 digit"),
    ("ovo", "OVO", "ewallet", r"08\d{7,12}", "nomor ponsel 08…"),
    ("gopay", "GoPay", "ewallet", r"08\d{7,12}", "nomor ponsel 08…"),
    ("dana", "DANA", "ewallet", r"08\d{7,12}", "nomor ponsel 08…"),
    ("linkaja", "LinkAja", "ewallet", r"08\d{7,12}", "nomor ponsel 08…"),
    ("shopeepay", "ShopeePay", "ewallet", r"08\d{7,12}", "nomor ponsel 08…"),
)


def ensure_providers() -> None:
    """Put back any default provider that is missing (idempotent; an edited one is left as it is)."""
    for code, name, channel, pattern, hint in DEFAULT_PROVIDERS:
        PayoutProvider.objects.get_or_create(
            code=code, defaults={"name": name, "channel": channel, "number_pattern": pattern, "number_hint": hint}
        )


def providers() -> list[PayoutProvider]:
    return list(PayoutProvider.objects.filter(active=True).order_by("channel", "name"))


def masked(number: str) -> str:
    """``1234567890`` -> ``******7890``: enough for the owner to recognise, useless to anyone else."""
    return "*" * max(0, len(number) - 4) + number[-4:]


def payout_in_flight(person: Person) -> bool:
    return Payout.objects.filter(entitlement__person=person, status__in=Payout.OPEN).exists()


def save_payout_account(
    person: Person, data: dict[str, Any], *, actor: Any = None, ip: str | None = None
) -> PayoutAccount:
    """Verify and store the participant's payout account (see the module docstring for the steps)."""
    if not person.nik_index:
        raise fail("IDENTITY_REQUIRED", "nik", status=409)
    provider, number, holder = _checked(data)
    if payout_in_flight(person):
        raise fail("PAYOUT_IN_FLIGHT", status=409)
    try:
        inquiry = gateway().inquire(provider.code, number)
    except GatewayError:
        raise fail("GATEWAY_UNAVAILABLE", status=503) from None
    if inquiry is None:
        problems = [Problem("ACCOUNT_NOT_FOUND", "account_number", {"provider": provider.name})]
    else:
        owner = payout_rules.Owner(nik=person.nik or "", full_name=person.full_name, phone=person.user.phone or "")
        problems = payout_rules.ownership_problems(provider.channel, owner, holder, inquiry)
    if problems:
        audit.record(
            "payout_account.refused",
            person,
            actor=actor,
            after={"provider": provider.code, "account": masked(number), "codes": [p.code for p in problems]},
            ip=ip,
        )
        raise DomainError(problems)
    with transaction.atomic():
        current = PayoutAccount.objects.select_for_update().filter(person=person).first()
        # Checked again under the lock: a disbursement batch freezing the old account takes the same lock.
        if payout_in_flight(person):
            raise fail("PAYOUT_IN_FLIGHT", status=409)
        before = _described(current) if current else None
        if current is None:
            current = PayoutAccount(person=person)
        current.provider = provider
        current.account_number = number
        current.holder_name = str(inquiry.get("holder_name") if inquiry else holder)[:HOLDER_MAX]
        current.status = PayoutAccount.Status.VERIFIED
        current.rejected_reason = ""
        current.verified_at = clock.now()
        current.save()
        audit.record("payout_account.verified", current, actor=actor, before=before, after=_described(current), ip=ip)
        Entitlement.objects.filter(person=person, status=Entitlement.Status.AWAITING_ACCOUNT).update(
            status=Entitlement.Status.DUE
        )
    return current


def _checked(data: dict[str, Any]) -> tuple[PayoutProvider, str, str]:
    problems: list[Problem] = []
    code = str(data.get("provider") or "").strip().lower()
    channel = str(data.get("channel") or "").strip().lower()
    holder = str(data.get("holder_name") or "").replace("\x00", "").strip()
    provider = PayoutProvider.objects.filter(code=code, active=True).first() if code else None
    number = payout_rules.digits_of(data.get("account_number"))
    if not code:
        problems.append(Problem("FIELD_REQUIRED", "provider"))
    elif provider is None:
        problems.append(Problem("PROVIDER_UNKNOWN", "provider"))
    elif channel and channel != provider.channel:
        problems.append(Problem("CHANNEL_MISMATCH", "channel", {"channel": provider.get_channel_display()}))
    if not number:
        problems.append(Problem("FIELD_REQUIRED", "account_number"))
    elif provider is not None:
        problem = payout_rules.account_number_problem(
            provider.name, provider.number_pattern, provider.number_hint, number
        )
        if problem:
            problems.append(problem)
    if not holder:
        problems.append(Problem("FIELD_REQUIRED", "holder_name"))
    elif len(holder) > HOLDER_MAX:
        problems.append(Problem("TOO_LONG", "holder_name", {"max": HOLDER_MAX}))
    if problems:
        raise DomainError(problems)
    assert provider is not None
    return provider, number, holder


def _described(account: PayoutAccount) -> dict[str, str]:
    return {"provider": account.provider.code, "account": masked(account.account_number)}


def reject_account(person_id: int, account_number: str, reason: str) -> None:
    """The gateway refused or returned a payout to this account: the participant must name another.
    Only the account the payout was frozen with is rejected; one changed since is left alone."""
    PayoutAccount.objects.filter(
        person_id=person_id, account_number=account_number, status=PayoutAccount.Status.VERIFIED
    ).update(status=PayoutAccount.Status.REJECTED, rejected_reason=reason[:40])
