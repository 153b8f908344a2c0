"""A participant's identity and profile, the civil-registry double, and consents."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models

from prakerja.core import pii
from prakerja.regions.models import District


class Gender(models.TextChoices):
    MALE = "M", "Laki-laki / Male"
    FEMALE = "F", "Perempuan / Female"


class Education(models.TextChoices):
    NONE = "none", "Tidak sekolah / No schooling"
    SD = "sd", "SD / Primary school"
    SMP = "smp", "SMP / Junior secondary"
    SMA = "sma", "SMA/SMK / Senior secondary"
    DIPLOMA = "diploma", "D1–D4 / Diploma"
    S1 = "s1", "S1 / Bachelor"
    POSTGRAD = "postgrad", "S2/S3 / Postgraduate"


class EmploymentStatus(models.TextChoices):
    UNEMPLOYED = "unemployed", "Belum/tidak bekerja / Unemployed"
    LAID_OFF = "laid_off", "Korban PHK/dirumahkan / Laid off or furloughed"
    WORKING = "working", "Bekerja / Working"
    BUSINESS_OWNER = "business_owner", "Pelaku usaha mikro/kecil / Micro or small business owner"


class Occupation(models.TextChoices):
    NOT_WORKING = "not_working", "Tidak bekerja / Not working"
    PRIVATE_EMPLOYEE = "private_employee", "Karyawan swasta / Private employee"
    LABORER = "laborer", "Buruh / Laborer"
    FARMER_FISHER = "farmer_fisher", "Petani/nelayan / Farmer or fisher"
    TRADER = "trader", "Pedagang / Trader"
    ENTREPRENEUR = "entrepreneur", "Wirausaha / Entrepreneur"
    INFORMAL = "informal_worker", "Pekerja informal / Informal worker"
    HOMEMAKER = "homemaker", "Mengurus rumah tangga / Homemaker"
    MIGRANT_WORKER = "migrant_worker", "Pekerja migran / Migrant worker"
    OTHER = "other", "Lainnya / Other"
    # Excluded from the program (PROGRAM.md, "Eligibility"); kept as choices so the
    # refusal can name the reason instead of hiding the option.
    STATE_OFFICIAL = "state_official", "Pejabat negara / State official"
    DPRD_MEMBER = "dprd_member", "Anggota/pimpinan DPRD / Regional parliament member"
    CIVIL_SERVANT = "civil_servant", "ASN/PNS / Civil servant"
    MILITARY = "military", "TNI / Military"
    POLICE = "police", "Polri / Police"
    VILLAGE_HEAD = "village_head", "Kepala desa / Village head"
    VILLAGE_OFFICIAL = "village_official", "Perangkat desa / Village official"
    SOE_DIRECTOR = "soe_director", "Direksi/komisaris/dewan pengawas BUMN/BUMD / SOE director or commissioner"


class MaritalStatus(models.TextChoices):
    SINGLE = "single", "Belum kawin / Single"
    MARRIED = "married", "Kawin / Married"
    DIVORCED = "divorced", "Cerai hidup / Divorced"
    WIDOWED = "widowed", "Cerai mati / Widowed"


class ProgramStatus(models.TextChoices):
    NONE = "none", "Not a recipient"
    RECIPIENT = "recipient", "Recipient"
    REVOKED = "revoked", "Revoked"


class PersonQuerySet(models.QuerySet["Person"]):
    """Look-ups by NIK or KK go through their blind indexes (the numbers themselves are encrypted)."""

    def with_nik(self, nik: object) -> PersonQuerySet:
        try:
            return self.filter(nik_index=pii.nik_index(nik))
        except ValueError:  # no digits: nobody has it
            return self.none()

    def with_kk(self, kk_number: object) -> PersonQuerySet:
        try:
            return self.filter(kk_index=pii.kk_index(kk_number))
        except ValueError:
            return self.none()


class Person(models.Model):
    """One participant: identity (verified against the civil registry) and profile.

    The NIK and the family-card (KK) number are stored encrypted (``core.pii``: AES-256-GCM) with
    a keyed blind index each for look-ups: use ``Person.objects.with_nik(...)`` / ``with_kk(...)``
    or filter on ``nik_index`` / ``kk_index``; ``person.nik`` and ``person.kk_number`` decrypt on
    read and encrypt and index on write.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="person")
    # Identity: written only as a whole, after the civil registry agreed.
    nik_ciphertext = models.CharField(max_length=pii.TOKEN_MAX, blank=True)
    # NULL, not '': many people without an identity yet, under the unique constraint.
    nik_index = models.CharField(max_length=pii.INDEX_HEX, null=True, blank=True)  # noqa: DJ001
    kk_ciphertext = models.CharField(max_length=pii.TOKEN_MAX, blank=True)
    kk_index = models.CharField(max_length=pii.INDEX_HEX, blank=True)
    full_name = models.CharField(max_length=120, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=1, choices=Gender.choices, blank=True)
    mother_name = models.CharField(max_length=120, blank=True)
    ktp_district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(max_length=300, blank=True)
    domicile_district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    # Profile
    education = models.CharField(max_length=20, choices=Education.choices, blank=True)
    employment_status = models.CharField(max_length=20, choices=EmploymentStatus.choices, blank=True)
    occupation = models.CharField(max_length=30, choices=Occupation.choices, blank=True)
    in_formal_education = models.BooleanField(null=True, blank=True)
    disability = models.BooleanField(null=True, blank=True)
    former_migrant_worker = models.BooleanField(null=True, blank=True)
    prior_training = models.BooleanField(null=True, blank=True)
    marital_status = models.CharField(max_length=20, choices=MaritalStatus.choices, blank=True)
    dependents = models.PositiveSmallIntegerField(null=True, blank=True)
    desired_topic = models.CharField(max_length=100, blank=True)
    profile_completed_at = models.DateTimeField(null=True, blank=True)
    # Set by batch selection and revocation (batches app).
    program_status = models.CharField(
        max_length=20, choices=ProgramStatus.choices, default=ProgramStatus.NONE, db_index=True
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        # Declared here rather than as unique=/db_index= on the fields: on PostgreSQL those add a
        # second, pattern-matching index to a text column, useless for a hash and one more index
        # for every insert to update.
        constraints = [models.UniqueConstraint(fields=["nik_index"], name="person_nik_index_unique")]
        indexes = [models.Index(fields=["kk_index"], name="person_kk_index")]

    def __str__(self) -> str:
        return f"Person {self.public_id}"

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_pii_plain", None)  # a pickled person (a cache) never carries decrypted numbers
        return state

    def _opened(self, kind: str, token: str) -> str:
        plain: dict[tuple[str, str], str] = self.__dict__.setdefault("_pii_plain", {})
        key = (kind, token)
        if key not in plain:
            plain[key] = pii.decrypt(kind, token)
        return plain[key]

    @property
    def nik(self) -> str | None:
        """The NIK, decrypted (None when no identity is stored)."""
        return self._opened("nik", self.nik_ciphertext) if self.nik_ciphertext else None

    @nik.setter
    def nik(self, value: str | None) -> None:
        if value:
            self.nik_ciphertext = pii.encrypt("nik", str(value))
            self.nik_index = pii.nik_index(value)
        else:
            self.nik_ciphertext, self.nik_index = "", None

    @property
    def kk_number(self) -> str:
        """The family-card number, decrypted ('' when none is stored)."""
        return self._opened("kk", self.kk_ciphertext) if self.kk_ciphertext else ""

    @kk_number.setter
    def kk_number(self, value: str | None) -> None:
        if value:
            self.kk_ciphertext = pii.encrypt("kk", str(value))
            self.kk_index = pii.kk_index(value)
        else:
            self.kk_ciphertext, self.kk_index = "", ""


class CivilRegistryRecord(models.Model):
    """The local double of the civil registry (Dukcapil): who exists, as the state knows them.

    It stands for the outside world, so it keeps the numbers in plain text like the registry's own
    API answers them (docs/decisions/0006-personal-data.md); the platform's own records are encrypted.
    """

    nik = models.CharField(max_length=16, unique=True)
    kk_number = models.CharField(max_length=16, db_index=True)
    full_name = models.CharField(max_length=120)
    birth_date = models.DateField()
    gender = models.CharField(max_length=1, choices=Gender.choices)
    mother_name = models.CharField(max_length=120, blank=True)

    def __str__(self) -> str:
        return f"Resident {self.nik[:4]}…"


class Declaration(models.Model):
    """A participant's acceptance of the declaration and consent, with the exact text version."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="declarations")
    version = models.CharField(max_length=20)
    text_sha256 = models.CharField(max_length=64)
    accepted_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "version"], name="one_acceptance_per_version")]

    def __str__(self) -> str:
        return f"Declaration {self.version} at {self.accepted_at:%Y-%m-%d %H:%M}"
