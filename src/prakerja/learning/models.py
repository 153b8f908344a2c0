"""A recipient's trainings: the purchase (voucher), one redeem code per session (attendance),
completion with its certificate, and the review."""

from __future__ import annotations

import secrets
import uuid

from django.db import models

from prakerja.catalog.models import Session, TrainingClass
from prakerja.core import clock
from prakerja.registry.models import Person

# No 0/O, 1/I/L: codes are read aloud at help desks and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_voucher_code() -> str:
    return "VCR" + new_code(10)


def new_redeem_code() -> str:
    return new_code(10)


class Purchase(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Berjalan / In progress"
        COMPLETED = "completed", "Selesai / Completed"
        CANCELLED = "cancelled", "Dibatalkan / Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="purchases")
    training_class = models.ForeignKey(TrainingClass, on_delete=models.PROTECT, related_name="purchases")
    price = models.BigIntegerField()
    voucher_code = models.CharField(max_length=16, unique=True, default=new_voucher_code)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    purchased_at = models.DateTimeField(default=clock.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True, help_text="price moved to the institution")

    class Meta:
        constraints = [
            # The next training only after the previous one is completed: the database holds the
            # line even if two purchase requests race.
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(status="active"), name="one_training_in_progress"
            ),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="purchase_price_positive"),
        ]
        indexes = [models.Index(fields=["person", "purchased_at"], name="purchase_by_person")]

    def __str__(self) -> str:
        return self.voucher_code


class RedeemCode(models.Model):
    """The code a participant gives the institution at one session; its commit is attendance.

    Written once at purchase with copies of what the partner API answers (class, voucher,
    session number and times), so that the busiest endpoint — a whole class checking in at
    once — reads one row by its unique code, with no join to plan.
    """

    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="redeem_codes")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="redeem_codes")
    code = models.CharField(max_length=12, unique=True, default=new_redeem_code)
    training_class = models.ForeignKey(TrainingClass, on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey("catalog.Institution", on_delete=models.PROTECT, related_name="+")
    voucher_code = models.CharField(max_length=16)
    sequence = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    committed_at = models.DateTimeField(null=True, blank=True)
    # Set on the code itself when its purchase is cancelled, so that a commit racing the
    # cancellation is decided by this row's lock alone (see actions.commit_redeem).
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["purchase", "session"], name="one_code_per_session")]

    def __str__(self) -> str:
        return self.code


class Review(models.Model):
    purchase = models.OneToOneField(Purchase, on_delete=models.PROTECT, related_name="review")
    rating = models.PositiveSmallIntegerField()
    text = models.TextField()
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5")
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.purchase_id}"


def new_certificate_token() -> str:
    return secrets.token_urlsafe(16)


class Certificate(models.Model):
    purchase = models.OneToOneField(Purchase, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(max_length=30, unique=True)
    # The QR code's link: unguessable, so the verification page cannot be enumerated.
    verify_token = models.CharField(max_length=32, unique=True, default=new_certificate_token)
    issued_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return self.number
