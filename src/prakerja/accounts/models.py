"""Accounts: people log in with email + password; phone verified by SMS code."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", User.Role.PMO)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        """Who a person is to the program; what each role may reach is in ``core.roles``."""

        PARTICIPANT = "participant", "Peserta / Participant"
        INSTITUTION = "institution", "Staf lembaga pelatihan / Training institution staff"
        PLATFORM = "platform", "Staf platform digital / Digital platform staff"
        # The program office's head: every PMO duty (maker and checker stay two people by constraint).
        PMO = "pmo", "Manajemen Pelaksana / Program office"
        PMO_CURATION = "pmo_curation", "PMO kurasi / PMO curation"
        PMO_SELECTION = "pmo_selection", "PMO seleksi / PMO selection"
        PMO_FINANCE_MAKER = "pmo_finance_maker", "PMO keuangan (pembuat) / PMO finance maker"
        PMO_FINANCE_CHECKER = "pmo_finance_checker", "PMO keuangan (pemeriksa) / PMO finance checker"
        PMO_SUPPORT = "pmo_support", "PMO layanan / PMO support"
        REGIONAL = "regional", "Petugas daerah / Regional officer"
        MINISTRY = "ministry", "Kementerian (agregat) / Ministry viewer"
        AUDITOR = "auditor", "Auditor"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    phone = models.CharField(max_length=20, unique=True, null=True, blank=True, help_text="E.164")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    # A regional officer's area: a province (2 digits) or a regency/city (4 digits) code.
    region_code = models.CharField(max_length=4, blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    phone_verified_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(auto_now_add=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        return self.email


class PhoneOtp(models.Model):
    """A one-time code sent by SMS; only its hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="phone_otps")
    phone = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="otp_user_latest")]

    def __str__(self) -> str:
        return f"OTP for user {self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A bearer token for the API; the token itself is shown once, only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"API token of user {self.user_id}"
