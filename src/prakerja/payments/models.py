"""The double-entry ledger: accounts, journal entries and their postings.

Money is integer rupiah. Every movement is one :class:`JournalEntry` whose
:class:`Posting` rows sum to zero, so money is only ever moved between
accounts, never created or destroyed; the state's side of the books is the
``state_funding`` account, the only one allowed below zero.

The journal is append-only: entries and postings are never updated or
deleted (a mistake is corrected by a reversing entry). This is enforced in
three places: the models refuse ``save()`` on an existing row and
``delete()``; their managers refuse ``QuerySet.update()`` and
``QuerySet.delete()``; and on PostgreSQL a trigger (migration 0002) refuses
any ``UPDATE`` or ``DELETE`` reaching the tables, e.g. through raw SQL.
``TRUNCATE`` is not refused, so the test suite can still empty the database.

:attr:`LedgerAccount.balance` is a cache of the sum of the account's
postings, updated in the same transaction as the postings; the check
constraint ``balance >= 0 OR allow_negative`` is the database's last line of
defence against an overdraft, and ``prakerja ledger-check`` compares every
cache with the postings.
"""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from prakerja.core import clock


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove a journal row."""


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk changes: ``update()``, ``bulk_update()`` and ``delete()`` (``update_or_create()`` via save)."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only; post a reversing entry instead")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> NoReturn:
        # Refused before Django opens its savepoint-less atomic block, which would spoil the caller's transaction.
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only; post a reversing entry instead")

    def delete(self) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only; post a reversing entry instead")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} rows are append-only; post a reversing entry instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self._meta.label} rows are append-only; post a reversing entry instead")


class LedgerAccount(models.Model):
    """One account of the books; its balance is derived from postings and cached here."""

    class Kind(models.TextChoices):
        FUNDING = "funding", "Pendanaan negara / State funding"
        BUDGET = "budget", "Anggaran program / Program budget"
        TREASURY = "treasury", "Pengembalian ke kas negara / Treasury returns"
        TRAINING_BALANCE = "training_balance", "Saldo pelatihan peserta / Recipient training balance"
        HOLDING = "holding", "Dana pembelian pelatihan ditahan / Training purchases held"
        INSTITUTION_PAYABLE = "institution_payable", "Utang ke lembaga pelatihan / Payable to institution"
        INCENTIVE_PAYABLE = "incentive_payable", "Insentif terutang / Incentives owed"
        INCENTIVE_PAID = "incentive_paid", "Insentif tersalurkan / Incentives paid out"
        RECEIVABLE = "receivable", "Piutang pengembalian peserta / Recovery receivable"
        RECOVERY_OFFSET = "recovery_offset", "Lawan piutang pengembalian / Recoveries pending (contra)"

    code = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_accounts"
    )
    # True only for the state's side of the books (FUNDING: money enters the program from there) and for
    # the contra account of recovery receivables (what recipients owe back mirrors it below zero).
    allow_negative = models.BooleanField(default=False)
    balance = models.BigIntegerField(default=0, help_text="Cache of the sum of this account's postings (rupiah).")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0) | models.Q(allow_negative=True),
                name="ledger_account_balance_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(allow_negative=False) | models.Q(kind__in=["funding", "recovery_offset"]),
                name="ledger_account_negative_only_state_side",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="training_balance") | models.Q(person__isnull=False),
                name="ledger_account_training_has_person",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class JournalEntry(AppendOnlyModel):
    """One movement of money: its postings sum to zero. Never changed once written."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField(default=clock.now, db_index=True)
    kind = models.CharField(max_length=40, db_index=True)
    memo = models.CharField(max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # SHA-256 of the canonical parameters (rules.fingerprint): a replayed key with other parameters is a conflict.
    request_fingerprint = models.CharField(max_length=64)

    class Meta:
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key}"


class Posting(AppendOnlyModel):
    """One line of an entry: a positive amount increases the account's balance, a negative one decreases it."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="postings")
    amount = models.BigIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="posting_amount_not_zero"),
            # Also the (account, entry) index that balances and statements read by.
            models.UniqueConstraint(fields=["account", "entry"], name="posting_one_line_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount:+d}"


# --- incentives and their disbursement ---------------------------------------------------------------
class PayoutProvider(models.Model):
    """A bank or e-wallet incentives can be paid to: the settings table of channels and number formats."""

    class Channel(models.TextChoices):
        BANK = "bank", "Bank"
        EWALLET = "ewallet", "Dompet digital / E-wallet"

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # A full-match regular expression over the digits of the account number (e-wallets: the phone, 08…).
    number_pattern = models.CharField(max_length=100)
    number_hint = models.CharField(max_length=100, help_text="Shown to participants, e.g. '10 digit'.")
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class PayoutAccount(models.Model):
    """The participant's verified bank account or e-wallet. Only an account the gateway's ownership
    inquiry agreed with is ever stored; every change is audited with the previous account."""

    class Status(models.TextChoices):
        VERIFIED = "verified", "Terverifikasi / Verified"
        # The gateway refused or returned a payout to it: the participant must enter another one.
        REJECTED = "rejected", "Ditolak bank / Rejected by the bank"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.OneToOneField("registry.Person", on_delete=models.PROTECT, related_name="payout_account")
    # By code: the payout rows freeze the same code, and a settings table keyed by code reads well in audits.
    provider = models.ForeignKey(PayoutProvider, to_field="code", on_delete=models.PROTECT, related_name="+")
    account_number = models.CharField(max_length=30)
    holder_name = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VERIFIED)
    verified_at = models.DateTimeField(default=clock.now)
    rejected_reason = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"{self.provider_id} {self.account_number[-4:]}"


class Entitlement(models.Model):
    """An incentive a person has earned: a liability in the ledger from the moment it exists.

    ``(person, kind, sequence)`` is unique and the sequence is bounded, so the
    database itself holds the program's rule: one post-training incentive per
    person ever, at most two survey incentives.
    """

    class Kind(models.TextChoices):
        TRAINING = "training", "Insentif pasca pelatihan / Post-training incentive"
        SURVEY = "survey", "Insentif survei / Survey incentive"

    class Status(models.TextChoices):
        AWAITING_ACCOUNT = "awaiting_account", "Menunggu rekening terverifikasi / Awaiting a verified account"
        DUE = "due", "Siap dibayar / Due"
        PAID = "paid", "Dibayar / Paid"
        CANCELLED = "cancelled", "Dibatalkan / Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="entitlements")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sequence = models.PositiveSmallIntegerField(default=1)
    amount = models.BigIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices)
    # What earned it: the completed purchase or the answered survey (public id), frozen.
    source = models.CharField(max_length=60)
    created_at = models.DateTimeField(default=clock.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "sequence"], name="entitlement_once_per_person"),
            models.CheckConstraint(
                condition=models.Q(kind="survey", sequence__in=[1, 2]) | models.Q(kind="training", sequence=1),
                name="entitlement_sequence_bounded",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="entitlement_amount_positive"),
        ]
        indexes = [models.Index(fields=["status"], name="entitlement_by_status")]

    def __str__(self) -> str:
        return f"{self.kind}#{self.sequence} {self.person_id}"


class DisbursementBatch(models.Model):
    """A group of payouts prepared by one finance officer and approved by another before any is sent."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", "Menunggu persetujuan / Awaiting approval"
        APPROVED = "approved", "Disetujui, sedang disalurkan / Approved, paying out"
        DONE = "done", "Selesai / Done"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_APPROVAL)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Frozen at preparation: what the approver agreed to.
    payout_count = models.PositiveIntegerField(default=0)
    total_amount = models.BigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "disbursement batches"
        constraints = [
            # Segregation of duties, held by the database too: the maker never checks their own batch.
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True) | ~models.Q(approved_by=models.F("created_by")),
                name="disbursement_batch_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"batch {self.public_id}"


class Payout(models.Model):
    """One transfer of one entitlement to one account, under an idempotency key the gateway sees.

    The key never changes while the payout lives, so a resend after a timeout
    can never pay twice. The partial unique indexes keep at most one payout of
    an entitlement in flight and at most one confirmed.
    """

    class Status(models.TextChoices):
        DUE = "due", "Menunggu dikirim / Waiting to be sent"
        SENT = "sent", "Dikirim ke bank / Sent to the bank"
        RETRYING = "retrying", "Dicoba lagi / Retrying"
        CONFIRMED = "confirmed", "Diterima / Confirmed"
        FAILED = "failed", "Gagal / Failed"
        RETURNED = "returned", "Dikembalikan bank / Returned by the bank"

    OPEN = (Status.DUE, Status.SENT, Status.RETRYING)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch = models.ForeignKey(DisbursementBatch, on_delete=models.PROTECT, related_name="payouts")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="payouts")
    idempotency_key = models.CharField(max_length=64, unique=True)
    amount = models.BigIntegerField()
    # Frozen from the payout account when the batch was prepared.
    provider = models.CharField(max_length=20)
    account_number = models.CharField(max_length=30)
    holder_name = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    transfer_id = models.CharField(max_length=40, blank=True)
    # The gateway's event counter of the newest state applied: an older callback never undoes a newer one.
    gateway_seq = models.IntegerField(default=0)
    failure_code = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entitlement"],
                condition=models.Q(status__in=["due", "sent", "retrying"]),
                name="payout_one_open_per_entitlement",
            ),
            models.UniqueConstraint(
                fields=["entitlement"], condition=models.Q(status="confirmed"), name="payout_one_confirmed"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_amount_positive"),
        ]
        indexes = [
            # The workers' two queues, walked by id; only open rows are in them.
            models.Index(
                fields=["id"], condition=models.Q(status__in=["due", "retrying"]), name="payout_queue_to_send"
            ),
            models.Index(fields=["id"], condition=models.Q(status="sent"), name="payout_queue_to_poll"),
            models.Index(fields=["batch", "status"], name="payout_by_batch"),
        ]

    def __str__(self) -> str:
        return self.idempotency_key


class StatementImport(models.Model):
    """One daily statement of the gateway, imported and matched against the payouts."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    statement_date = models.DateField()
    digest = models.CharField(max_length=64, help_text="SHA-256 of the file as imported.")
    rows = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"statement {self.statement_date}"


class Mismatch(models.Model):
    """A difference between the gateway's statement and the platform's books, until a person resolves it."""

    class Kind(models.TextChoices):
        PAID_NOT_CONFIRMED = "paid_not_confirmed", "Dibayar bank, belum terkonfirmasi / Paid but not confirmed"
        CONFIRMED_NOT_IN_STATEMENT = (
            "confirmed_not_in_statement",
            "Terkonfirmasi, tidak ada di laporan bank / Confirmed but not in the statement",
        )
        AMOUNT_DIFFERS = "amount_differs", "Jumlah berbeda / Amount differs"
        UNKNOWN_TRANSFER = "unknown_transfer", "Transfer tidak dikenal / Unknown transfer"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    statement = models.ForeignKey(StatementImport, on_delete=models.PROTECT, related_name="mismatches")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    payout = models.ForeignKey(Payout, null=True, blank=True, on_delete=models.PROTECT, related_name="mismatches")
    idempotency_key = models.CharField(max_length=120)
    statement_amount = models.BigIntegerField(null=True, blank=True)
    book_amount = models.BigIntegerField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name_plural = "mismatches"
        constraints = [
            models.UniqueConstraint(fields=["statement", "kind", "idempotency_key"], name="mismatch_once_per_import")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key}"


class Clawback(models.Model):
    """A recipient found ineligible after the fact: what they must pay back, as a ledger receivable."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.OneToOneField("registry.Person", on_delete=models.PROTECT, related_name="clawback")
    training_used = models.BigIntegerField()
    incentives_paid = models.BigIntegerField()
    total = models.BigIntegerField()
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total=models.F("training_used") + models.F("incentives_paid")),
                name="clawback_total_adds_up",
            )
        ]

    def __str__(self) -> str:
        return f"clawback {self.person_id}"
