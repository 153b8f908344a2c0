"""Complaints (pengaduan): tickets with a number, an SLA clock, a thread of messages and private attachments."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from prakerja.complaints import rules
from prakerja.core import clock


class Category(models.TextChoices):
    REGISTRATION = rules.REGISTRATION, "Pendaftaran akun / Registration"
    KTP_UPLOAD = rules.KTP_UPLOAD, "Unggah foto KTP / KTP upload"
    NIK_REGISTERED = rules.NIK_REGISTERED, "NIK sudah terdaftar / NIK already registered"
    ACCOUNT_BLOCKED = rules.ACCOUNT_BLOCKED, "Akun terblokir / Blocked account"
    TRAINING = rules.TRAINING, "Pelatihan / Training"
    PAYMENT = rules.PAYMENT, "Pembayaran insentif / Payment"
    OTHER = rules.OTHER, "Lainnya / Other"


class Status(models.TextChoices):
    OPEN = rules.OPEN, "Baru / Open"
    IN_PROGRESS = rules.IN_PROGRESS, "Sedang ditangani / In progress"
    WAITING = rules.WAITING, "Menunggu jawaban pelapor / Waiting for the reporter"
    RESOLVED = rules.RESOLVED, "Selesai ditangani / Resolved"
    CLOSED = rules.CLOSED, "Ditutup / Closed"
    REOPENED = rules.REOPENED, "Dibuka kembali / Reopened"


class Priority(models.TextChoices):
    NORMAL = "normal", "Normal"
    HIGH = "high", "Tinggi / High"
    URGENT = "urgent", "Mendesak / Urgent"


class ClosedBy(models.TextChoices):
    REPORTER = "reporter", "Pelapor / Reporter"
    STAFF = "staff", "Petugas / Staff"
    AUTO = "auto", "Otomatis / Automatic"


class TicketCounter(models.Model):
    """The last ticket number given in a year; its row is locked (FOR UPDATE) while a number is taken,
    so two filings at the same instant get consecutive numbers, never the same one."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Complaint(models.Model):
    """One ticket. The reporter is a participant's account, or a member of the public known by a name and
    an email or phone (no account), who follows the ticket with its number and a secret access code."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(max_length=20, unique=True, help_text="PGD-<year>-<6 digits>")
    category = models.CharField(max_length=20, choices=Category.choices)
    subject = models.CharField(max_length=150)
    description = models.TextField(max_length=5000)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.OPEN)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    # The reporter: an account, or a public reporter's name and contacts.
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    reporter_name = models.CharField(max_length=120, blank=True)
    reporter_email = models.EmailField(max_length=254, blank=True)
    reporter_phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    # A keyed hash (HMAC with SECRET_KEY) of the public reporter's access code; the code itself is shown once.
    access_code_hash = models.CharField(max_length=64, blank=True)
    # The regency/city the complaint belongs to (4 digits), for regional routing and scope.
    region_code = models.CharField(max_length=4)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_complaints"
    )
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The SLA clock: the hours promised are frozen at filing; the due time moves only while paused.
    sla_hours = models.PositiveSmallIntegerField()
    sla_due_at = models.DateTimeField()
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    escalate_after = models.DateTimeField(
        null=True, blank=True, help_text="When the SLA task escalates this complaint next if still unresolved."
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=10, choices=ClosedBy.choices, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["status", "sla_due_at"], name="complaint_status_due"),
            models.Index(fields=["region_code", "status"], name="complaint_region_status"),
            models.Index(fields=["reporter_user", "-created_at"], name="complaint_reporter_latest"),
            models.Index(fields=["assignee", "status"], name="complaint_assignee_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reporter_user__isnull=False)
                | (~models.Q(reporter_name="") & (~models.Q(reporter_email="") | ~models.Q(reporter_phone=""))),
                name="complaint_reporter_known",
            ),
            models.CheckConstraint(
                condition=models.Q(escalation_level__lte=rules.MAX_ESCALATION_LEVEL),
                name="complaint_escalation_bounded",
            ),
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="complaint_status_known"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_public_report(self) -> bool:
        return self.reporter_user_id is None

    def breached(self, now: object = None) -> bool:
        return rules.is_breached(self.status, self.sla_due_at, now or clock.now())  # type: ignore[arg-type]

    @property
    def is_breached(self) -> bool:
        return self.breached()

    @property
    def resolved_late(self) -> bool:
        return self.resolved_at is not None and self.resolved_at > self.sla_due_at


class ComplaintMessage(models.Model):
    """One entry of a ticket's thread: the reporter's words, a staff reply, or an internal note that only
    staff ever see (never the reporter, never the API)."""

    class Kind(models.TextChoices):
        REPORT = "report", "Laporan / Report"
        REPLY = "reply", "Balasan / Reply"
        NOTE = "note", "Catatan internal / Internal note"
        RESOLUTION = "resolution", "Penyelesaian / Resolution"
        REOPEN = "reopen", "Dibuka kembali / Reopened"
        ESCALATION = "escalation", "Eskalasi / Escalation"
        CLOSURE = "closure", "Penutupan / Closure"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages")
    # None for a public reporter and for the SLA task.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_staff = models.BooleanField(default=False)
    internal = models.BooleanField(default=False)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.REPLY)
    body = models.TextField(max_length=5000, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [models.Index(fields=["complaint", "created_at"], name="complaint_message_thread")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(internal=False) | models.Q(from_staff=True), name="complaint_note_by_staff"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.complaint_id}"


class ComplaintAttachment(models.Model):
    """A file attached to a message, stored outside every served directory under a random name and served only
    by a view that checks access. Its type is what its first bytes prove (PDF, JPEG, PNG), never what the
    browser declared."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(ComplaintMessage, on_delete=models.CASCADE, related_name="attachments")
    stored_name = models.CharField(max_length=80, unique=True)
    original_name = models.CharField(max_length=100)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return self.original_name
