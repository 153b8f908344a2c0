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

    code = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_accounts"
    )
    # True only for the state's side of the books (FUNDING): money enters the program from there.
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
                condition=models.Q(allow_negative=False) | models.Q(kind="funding"),
                name="ledger_account_only_funding_negative",
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
