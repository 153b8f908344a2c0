"""A participant's identity and profile, the civil-registry double, and consents."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

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


class Person(models.Model):
    """One participant: identity (verified against the civil registry) and profile."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="person")
    # Identity: written only as a whole, after the civil registry agreed.
    nik = models.CharField(max_length=16, unique=True, null=True, blank=True)
    kk_number = models.CharField(max_length=16, blank=True, db_index=True)
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

    def __str__(self) -> str:
        return f"Person {self.public_id}"


class CivilRegistryRecord(models.Model):
    """The local double of the civil registry (Dukcapil): who exists, as the state knows them."""

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
