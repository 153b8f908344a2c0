"""Batches (gelombang), applications, quotas and recipients."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models

from prakerja.core import pii
from prakerja.registry.models import Person


def new_seed() -> str:
    return secrets.token_hex(16)


def new_token() -> str:
    return secrets.token_hex(16)


class Batch(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        SELECTED = "selected", "Selected"
        ANNOUNCED = "announced", "Announced"

    class Allocation(models.TextChoices):
        NATIONAL = "national", "One national pool"
        PROVINCE = "province", "Per province"
        REGENCY = "regency", "Per regency/city"

    class Method(models.TextChoices):
        FIXED = "fixed", "Fixed table"
        PROPORTIONAL = "proportional", "Proportional to eligible applicants"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=120, blank=True)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    quota = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    allocation = models.CharField(max_length=12, choices=Allocation.choices, default=Allocation.NATIONAL)
    method = models.CharField(max_length=14, choices=Method.choices, default=Method.PROPORTIONAL)
    is_recovery = models.BooleanField(default=False, help_text="pools places revoked in earlier batches")
    # Fixed when the batch is created, shown only after selection: nobody can steer the draw.
    seed = models.CharField(max_length=64, default=new_seed)
    selection_params = models.JSONField(null=True, blank=True, help_text="settings the selection used")
    selection_digest = models.CharField(max_length=64, blank=True)
    selected_at = models.DateTimeField(null=True, blank=True)
    announced_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="batch_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return f"Gelombang {self.number}"

    @property
    def seed_published(self) -> str | None:
        return self.seed if self.status in (self.Status.SELECTED, self.Status.ANNOUNCED) else None


class RegionQuota(models.Model):
    """A batch's places in one region (2-digit province or 4-digit regency code); '' = national."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="quotas")
    region_code = models.CharField(max_length=4)
    quota = models.PositiveIntegerField()
    eligible = models.PositiveIntegerField(null=True, blank=True, help_text="eligible applicants at selection")
    selected = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "region_code"], name="one_quota_per_region")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.region_code or 'national'}={self.quota}"


class Application(models.Model):
    """A person's application to a batch, with the facts the selection decides on, frozen at application."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        SELECTED = "selected", "Selected"
        NOT_SELECTED = "not_selected", "Not selected"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="applications")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="applications")
    applied_at = models.DateTimeField()
    # Random and public: the seeded draw is md5(seed || token).
    token = models.CharField(max_length=32, default=new_token)
    # Frozen facts
    regency_code = models.CharField(max_length=4)
    # The family card's blind index (core.pii), not the number: the KK cap groups on it.
    kk_index = models.CharField(max_length=pii.INDEX_HEX)
    birth_date = models.DateField()
    gender = models.CharField(max_length=1)
    occupation = models.CharField(max_length=30)
    in_formal_education = models.BooleanField()
    employment_status = models.CharField(max_length=20)
    prior_training = models.BooleanField()
    prior_recipient = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "person"], name="one_application_per_batch")]

    def __str__(self) -> str:
        return f"Application {self.public_id}"

    # The selection's outcome lives in its own narrow table (``Result``): an application is written once,
    # when the person applies, and the selection inserts a batch's results instead of rewriting every
    # wide application row (docs/decisions/0003-selection.md). These read it, as the columns did.
    @property
    def outcome(self) -> Result | None:
        try:
            return self.result
        except Result.DoesNotExist:
            return None

    @property
    def status(self) -> str:
        return self.outcome.status if self.outcome else self.Status.APPLIED

    @property
    def eligible(self) -> bool | None:
        return self.outcome.eligible if self.outcome else None

    @property
    def tier(self) -> int | None:
        return self.outcome.tier if self.outcome else None

    @property
    def rank(self) -> int | None:
        return self.outcome.rank if self.outcome else None

    @property
    def reason(self) -> str:
        return self.outcome.reason if self.outcome else ""


class Result(models.Model):
    """What the selection decided for one application: written for a whole batch by one ``INSERT``.

    No database foreign key: its check would lock every application row it names (a write to each of a
    million rows, what this table exists to avoid); the selection takes the ids from the applications
    themselves, and the ORM deletes a result with its application."""

    application = models.OneToOneField(
        Application, primary_key=True, on_delete=models.CASCADE, related_name="result", db_constraint=False
    )
    status = models.CharField(max_length=14, choices=Application.Status.choices)
    eligible = models.BooleanField()
    tier = models.PositiveSmallIntegerField(null=True)
    rank = models.PositiveIntegerField(null=True, help_text="place in its region's draw, eligible only")
    reason = models.CharField(max_length=40)

    class Meta:
        indexes = [
            # A later selection reads earlier batches' winners (the family-card cap): a few per thousand rows.
            models.Index(fields=["application"], condition=models.Q(status="selected"), name="result_selected")
        ]

    def __str__(self) -> str:
        return f"Result {self.application_id}: {self.reason}"


class Recipient(models.Model):
    """A person named a recipient: the card, the purchase deadline, and revocation."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        REVOKED = "revoked", "Revoked"

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="recipient")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="recipients")
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="recipient")
    kk_index = models.CharField(max_length=pii.INDEX_HEX)  # the family card's blind index, as applied
    card_number = models.CharField(max_length=16, unique=True)
    named_at = models.DateTimeField()
    first_purchase_deadline = models.DateField(help_text="Asia/Jakarta calendar date, inclusive")
    first_purchase_at = models.DateTimeField(null=True, blank=True, help_text="set by the training marketplace")
    # After a training is completed and reviewed (or a class is cancelled), the next one must be
    # bought by this date or the remaining balance returns to the treasury.
    next_purchase_deadline = models.DateField(null=True, blank=True, help_text="Asia/Jakarta, inclusive")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=40, blank=True)
    pooled_into = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="pooled_places"
    )

    class Meta:
        # Not db_index=True: on PostgreSQL that adds a pattern-matching index too, useless for a hash.
        indexes = [models.Index(fields=["kk_index"], name="recipient_kk_index")]

    def __str__(self) -> str:
        return f"Recipient {self.card_number[:4]}…"
