"""Training institutions and digital platforms, their evidence of qualification, programs,
classes (schedules) and sessions.

Programs and classes carry the region codes of their venue (denormalized from the district) so
that the catalog filters by province and regency with plain indexed equality, and each program
keeps its rating totals so that sorting by rating needs no aggregate over reviews.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models

from prakerja.core import clock


def new_client_code() -> str:
    return "LP" + secrets.token_hex(5).upper()


def new_sign_key() -> str:
    return secrets.token_urlsafe(32)


class Institution(models.Model):
    """A training institution (LPK, BLK, private) or a digital platform that sells its programs."""

    class Kind(models.TextChoices):
        LPK = "lpk", "LPK (lembaga pelatihan kerja swasta)"
        BLK = "blk", "BLK (balai latihan kerja pemerintah)"
        PRIVATE = "private", "Penyedia swasta / Private provider"
        PLATFORM = "platform", "Platform digital / Digital platform"

    class Status(models.TextChoices):
        ONBOARDING = "onboarding", "Pendaftaran / Onboarding"
        ACTIVE = "active", "Aktif / Active"
        SUSPENDED = "suspended", "Dibekukan / Suspended"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    legal_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LPK)
    licence_number = models.CharField(max_length=60, blank=True, help_text="izin / akreditasi")
    address = models.CharField(max_length=300, blank=True)
    district = models.ForeignKey("regions.District", null=True, blank=True, on_delete=models.PROTECT)
    regency_code = models.CharField(max_length=4, blank=True, db_index=True)
    province_code = models.CharField(max_length=2, blank=True, db_index=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ONBOARDING)
    # Integration credentials. The sign key must be readable to verify HMACs, so it is a secret
    # kept like a password would be if it could be hashed: never shown again after it is issued.
    client_code = models.CharField(max_length=20, unique=True, default=new_client_code)
    sign_key = models.CharField(max_length=64, default=new_sign_key)
    # After a rotation the previous key keeps working for a grace period, so an institution can
    # deploy the new key without refused requests.
    previous_sign_key = models.CharField(max_length=64, blank=True)
    previous_key_valid_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return self.legal_name


class InstitutionStaff(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="staff")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="institution_staff")

    def __str__(self) -> str:
        return f"{self.user} @ {self.institution}"


class Trainer(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="trainers")
    full_name = models.CharField(max_length=120)
    certificate_number = models.CharField(max_length=60, blank=True, help_text="sertifikat kompetensi (BNSP)")
    competency = models.CharField(max_length=120, blank=True)

    def __str__(self) -> str:
        return self.full_name


class Venue(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="venues")
    name = models.CharField(max_length=150)
    address = models.CharField(max_length=300, blank=True)
    district = models.ForeignKey("regions.District", on_delete=models.PROTECT)
    capacity = models.PositiveIntegerField()
    facilities = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    """A training program and its curation state."""

    class Mode(models.TextChoices):
        OFFLINE = "offline", "Luring / Offline"
        BLENDED = "blended", "Bauran / Blended"
        WEBINAR = "webinar", "Daring webinar / Live online"
        SELF_PACED = "self_paced", "Belajar mandiri / Self-paced"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draf / Draft"
        SUBMITTED = "submitted", "Diajukan / Submitted"
        APPROVED = "approved", "Disetujui / Approved"
        REJECTED = "rejected", "Ditolak / Rejected"
        SUSPENDED = "suspended", "Dibekukan / Suspended"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="programs")
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=40)
    description = models.TextField()
    competencies = models.TextField(help_text="one competency per line")
    mode = models.CharField(max_length=12, choices=Mode.choices)
    hours = models.PositiveSmallIntegerField()
    price = models.BigIntegerField(help_text="rupiah")
    district = models.ForeignKey("regions.District", null=True, blank=True, on_delete=models.PROTECT)
    regency_code = models.CharField(max_length=4, blank=True)
    province_code = models.CharField(max_length=2, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    rejection_reasons = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    # rating_sum / rating_count × 100, kept so the catalog can sort and filter on an index.
    rating_x100 = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [
            models.Index(fields=["status", "mode", "province_code", "regency_code"], name="program_catalog_area"),
            models.Index(fields=["status", "category", "price"], name="program_catalog_category"),
            models.Index(fields=["status", "price"], name="program_catalog_price"),
            models.Index(fields=["status", "-rating_x100"], name="program_catalog_rating"),
            models.Index(fields=["status", "submitted_at"], name="program_curation_queue"),
            models.Index(fields=["status", "-decided_at", "-id"], name="program_catalog_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gte=1), name="program_hours_positive"),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="program_price_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None

    @property
    def is_face_to_face(self) -> bool:
        return self.mode in (self.Mode.OFFLINE, self.Mode.BLENDED)


class TrainingClass(models.Model):
    """A class (schedule) of a program: its code, capacity and sessions."""

    class Status(models.TextChoices):
        OPEN = "open", "Dibuka / Open"
        CANCELLED = "cancelled", "Dibatalkan / Cancelled"

    code = models.CharField(max_length=20, unique=True)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="classes")
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="classes")
    trainers = models.ManyToManyField(Trainer, related_name="classes", blank=True)
    capacity = models.PositiveIntegerField()
    # Moved by a conditional UPDATE (seats_taken < capacity): two buyers of the last seat
    # cannot both get it, on any database.
    seats_taken = models.PositiveIntegerField(default=0)
    starts_at = models.DateTimeField(help_text="start of the first session")
    enrollment_closes_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [models.Index(fields=["program", "status", "enrollment_closes_at"], name="class_open_by_program")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seats_taken__lte=models.F("capacity")), name="class_not_overbooked"
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


class Session(models.Model):
    training_class = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="sessions")
    sequence = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["sequence"]
        constraints = [
            models.UniqueConstraint(fields=["training_class", "sequence"], name="one_session_per_sequence"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.training_class.code} #{self.sequence}"
