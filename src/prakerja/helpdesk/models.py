"""Regional help desks and the registrations their officers make on a resident's behalf.

A :class:`HelpDesk` is a public place (address, opening hours, contact) kept
by the regional officers of its area. An :class:`AssistedRegistration` is one
resident registered at a desk: the consent they gave, the account made for
them (without a password: they set it themselves from a link), the ID photo
used to check them (deleted as soon as it is verified; only its hash stays),
and when each step was done.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from prakerja.regions.models import Regency


class HelpDesk(models.Model):
    """A help desk (meja layanan) in one regency/city, listed in the public directory while active."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="help_desks")
    name = models.CharField(max_length=120)
    address = models.CharField(max_length=300)
    opening_hours = models.CharField(max_length=200, help_text="Free text, e.g. Senin–Jumat 08.00–15.00 WIB")
    phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    email = models.EmailField(max_length=254, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["regency", "active"], name="helpdesk_regency_active")]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_display(self) -> str:
        from prakerja.helpdesk.rules import display_phone

        return display_phone(self.phone) if self.phone else ""


class ConsentMethod(models.TextChoices):
    PAPER = "paper_form", "Formulir kertas bertanda tangan / Signed paper form"
    SPOKEN = "spoken_witnessed", "Lisan, disaksikan / Spoken and witnessed"


class Status(models.TextChoices):
    """The furthest step reached; a registration moves forward only (or is cancelled)."""

    CONSENTED = "consented", "Persetujuan dicatat / Consent recorded"
    ACCOUNT = "account_created", "Akun dibuat / Account created"
    CONTACTS = "contacts_verified", "Kontak terverifikasi / Contacts verified"
    IDENTITY = "identity_verified", "Identitas terverifikasi / Identity verified"
    COMPLETED = "completed", "Selesai di meja layanan / Completed at the desk"
    CANCELLED = "cancelled", "Dibatalkan / Cancelled"


class PhotoDeletion(models.TextChoices):
    VERIFIED = "verified", "Setelah verifikasi / After verification"
    REPLACED = "replaced", "Diganti foto baru / Replaced"
    REJECTED = "rejected", "Tidak cocok / Did not match"
    PURGED = "purged", "Kedaluwarsa, dihapus otomatis / Expired, deleted automatically"


class AssistedRegistration(models.Model):
    """One resident registered by a regional officer at a help desk."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    desk = models.ForeignKey(HelpDesk, on_delete=models.PROTECT, related_name="registrations")
    # The desk's regency when the registration started: the area whose officers see it (frozen, so
    # editing or moving a desk later never moves its past registrations to another area).
    regency_code = models.CharField(max_length=4, db_index=True)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resident = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assisted_registration",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONSENTED, db_index=True)
    # Consent: the exact text (version and hash of both languages), when, and how it was given.
    consent_version = models.CharField(max_length=20)
    consent_sha256 = models.CharField(max_length=64)
    consent_method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    # The signed form's number, or the witness's name for spoken consent.
    consent_reference = models.CharField(max_length=120)
    consented_at = models.DateTimeField()
    account_created_at = models.DateTimeField(null=True, blank=True)
    contacts_verified_at = models.DateTimeField(null=True, blank=True)
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    profile_saved_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=40, blank=True)
    # The resident's own step: setting a password from the link (the officer never sees it).
    activation_sent_at = models.DateTimeField(null=True, blank=True)
    activation_sends = models.PositiveSmallIntegerField(default=0)
    activated_at = models.DateTimeField(null=True, blank=True)
    # The ID (KTP) photo: a private file until verified or expired; the hash stays as evidence.
    photo_file = models.CharField(max_length=80, blank=True, help_text="File name in the private photo folder")
    photo_kind = models.CharField(max_length=4, blank=True)
    photo_size = models.PositiveIntegerField(null=True, blank=True)
    photo_sha256 = models.CharField(max_length=64, blank=True)
    photo_uploaded_at = models.DateTimeField(null=True, blank=True)
    photo_verified_at = models.DateTimeField(null=True, blank=True)
    photo_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    photo_deleted_at = models.DateTimeField(null=True, blank=True)
    photo_deleted_reason = models.CharField(max_length=10, choices=PhotoDeletion.choices, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["regency_code", "-consented_at"], name="assisted_area_recent"),
            # The purge looks for photos still held: a small partial index.
            models.Index(
                fields=["photo_uploaded_at"],
                name="assisted_photo_held",
                condition=~models.Q(photo_file=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(photo_file="") | models.Q(photo_deleted_at__isnull=True),
                name="assisted_photo_deleted_means_gone",
            ),
        ]

    def __str__(self) -> str:
        return f"Assisted registration {self.public_id}"

    @property
    def open(self) -> bool:
        return self.status not in (Status.COMPLETED, Status.CANCELLED)

    @property
    def photo_held(self) -> bool:
        return bool(self.photo_file)
