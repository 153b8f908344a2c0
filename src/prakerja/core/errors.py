"""Stable error codes with their messages in Indonesian and English.

Every rejection the platform makes — in a form, an API response or a CLI —
is a :class:`Problem`: a code that programs rely on (never renamed), the
field it concerns, and a message rendered in the reader's language. Codes
live in one table so that a code always means the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

# code -> (Indonesian, English). Messages may use {placeholders} filled from Problem.params.
MESSAGES: dict[str, tuple[str, str]] = {
    # request shape
    "FIELD_REQUIRED": ("Wajib diisi.", "This field is required."),
    "INVALID_VALUE": ("Nilai tidak valid.", "Invalid value."),
    "INVALID_TYPE": ("Jenis data tidak sesuai.", "Wrong data type."),
    # operations
    "METRICS_FORBIDDEN": (
        "Metrik hanya dapat dibaca dari mesin ini atau dengan token metrik.",
        "Metrics can be read only from this machine or with the metrics token.",
    ),
    "TOO_LONG": ("Terlalu panjang (maksimal {max} karakter).", "Too long (at most {max} characters)."),
    "INVALID_JSON": ("Isi permintaan bukan JSON yang sah.", "The request body is not valid JSON."),
    "BODY_TOO_LARGE": ("Permintaan terlalu besar.", "The request is too large."),
    "INVALID_DATE": ("Tanggal tidak valid (format TTTT-BB-HH).", "Invalid date (format YYYY-MM-DD)."),
    "INVALID_CHARACTERS": ("Berisi karakter yang tidak diizinkan.", "Contains characters that are not allowed."),
    "NOT_AUTHENTICATED": ("Silakan masuk terlebih dahulu.", "Please log in first."),
    "NOT_FOUND": ("Tidak ditemukan.", "Not found."),
    "DUTY_REQUIRED": (
        "Tugas Anda tidak mencakup tindakan ini.",
        "Your duties do not include this action.",
    ),
    "TWO_FACTOR_REQUIRED": (
        "Masukkan kode autentikator terlebih dahulu.",
        "Enter your authenticator code first.",
    ),
    "TWO_FACTOR_INVALID": (
        "Kode autentikator salah atau sudah dipakai. Tunggu kode berikutnya.",
        "Wrong or already used authenticator code. Wait for the next code.",
    ),
    "STAFF_USE_WEB": (
        "Akun petugas masuk lewat situs dengan dua faktor, bukan lewat API.",
        "Staff accounts log in on the website with two factors, not through the API.",
    ),
    "RATE_LIMITED": (
        "Terlalu banyak percobaan. Coba lagi dalam {retry_after} detik.",
        "Too many attempts. Try again in {retry_after} seconds.",
    ),
    # accounts
    "EMAIL_INVALID": ("Alamat email tidak valid.", "Invalid email address."),
    "EMAIL_TAKEN": ("Email ini sudah terdaftar.", "This email is already registered."),
    "PHONE_INVALID": ("Nomor ponsel Indonesia tidak valid.", "Invalid Indonesian mobile number."),
    "PHONE_TAKEN": ("Nomor ponsel ini sudah dipakai akun lain.", "This phone number is used by another account."),
    "PASSWORD_WEAK": ("Kata sandi terlalu lemah: {detail}", "The password is too weak: {detail}"),
    "LOGIN_FAILED": ("Email atau kata sandi salah.", "Wrong email or password."),
    "ACCOUNT_INACTIVE": ("Akun tidak aktif.", "The account is inactive."),
    "EMAIL_TOKEN_INVALID": (
        "Tautan verifikasi tidak valid atau kedaluwarsa.",
        "The verification link is invalid or has expired.",
    ),
    "OTP_INVALID": ("Kode OTP salah.", "Wrong one-time code."),
    "OTP_EXPIRED": ("Kode OTP kedaluwarsa. Minta kode baru.", "The one-time code has expired. Ask for a new one."),
    "OTP_TOO_MANY_ATTEMPTS": (
        "Terlalu banyak percobaan kode. Minta kode baru.",
        "Too many wrong codes. Ask for a new one.",
    ),
    "EMAIL_NOT_VERIFIED": ("Email belum diverifikasi.", "The email address is not verified yet."),
    "PHONE_NOT_VERIFIED": ("Nomor ponsel belum diverifikasi.", "The phone number is not verified yet."),
    # NIK and KK format
    "NIK_NOT_16_DIGITS": ("NIK harus 16 digit angka.", "The NIK must be 16 digits."),
    "NIK_UNKNOWN_PROVINCE": (
        "Kode provinsi pada NIK ({code}) tidak pernah ada.",
        "The NIK's province code ({code}) has never existed.",
    ),
    "NIK_UNKNOWN_REGENCY": (
        "Kode kabupaten/kota pada NIK ({code}) tidak pernah ada.",
        "The NIK's regency/city code ({code}) has never existed.",
    ),
    "NIK_UNKNOWN_DISTRICT": (
        "Kode kecamatan pada NIK ({code}) tidak pernah ada.",
        "The NIK's district code ({code}) has never existed.",
    ),
    "NIK_INVALID_BIRTH_DATE": (
        "Tanggal lahir pada NIK bukan tanggal yang sah.",
        "The birth date encoded in the NIK is not a real date.",
    ),
    "NIK_INVALID_SERIAL": ("Nomor urut pada NIK tidak boleh 0000.", "The NIK's serial number cannot be 0000."),
    "NIK_BIRTH_DATE_MISMATCH": ("Tanggal lahir tidak sesuai dengan NIK.", "The birth date does not match the NIK."),
    "NIK_GENDER_MISMATCH": ("Jenis kelamin tidak sesuai dengan NIK.", "The gender does not match the NIK."),
    "NIK_ALREADY_REGISTERED": (
        "NIK ini sudah digunakan oleh akun lain.",
        "This NIK is already used by another account.",
    ),
    "KK_NOT_16_DIGITS": ("Nomor KK harus 16 digit angka.", "The family card number must be 16 digits."),
    "KK_UNKNOWN_REGION": (
        "Kode wilayah pada nomor KK ({code}) tidak pernah ada.",
        "The family card number's region code ({code}) has never existed.",
    ),
    "DISTRICT_UNKNOWN": ("Kecamatan tidak ditemukan.", "Unknown district."),
    "BIRTH_DATE_IN_FUTURE": ("Tanggal lahir tidak boleh di masa depan.", "The birth date cannot be in the future."),
    # civil registry
    "REGISTRY_NIK_NOT_FOUND": ("NIK tidak ditemukan di Dukcapil.", "The NIK was not found in the civil registry."),
    "REGISTRY_KK_MISMATCH": (
        "Nomor KK tidak sesuai dengan data Dukcapil.",
        "The family card number does not match the civil registry.",
    ),
    "REGISTRY_NAME_MISMATCH": (
        "Nama tidak sesuai dengan data Dukcapil.",
        "The name does not match the civil registry.",
    ),
    "REGISTRY_BIRTH_DATE_MISMATCH": (
        "Tanggal lahir tidak sesuai dengan data Dukcapil.",
        "The birth date does not match the civil registry.",
    ),
    "REGISTRY_UNAVAILABLE": (
        "Layanan Dukcapil sedang tidak tersedia. Coba lagi nanti.",
        "The civil registry is unavailable. Please try again later.",
    ),
    "IDENTITY_LOCKED": (
        "Identitas sudah terverifikasi dan tidak dapat diubah sendiri. Hubungi pengaduan.",
        "The identity is verified and cannot be changed by you. Please file a complaint.",
    ),
    # journey order
    "IDENTITY_REQUIRED": (
        "Lengkapi dan verifikasi identitas terlebih dahulu.",
        "Complete and verify your identity first.",
    ),
    "PROFILE_REQUIRED": ("Lengkapi profil terlebih dahulu.", "Complete your profile first."),
    "DECLARATION_REQUIRED": (
        "Setujui pernyataan dan persetujuan terlebih dahulu.",
        "Accept the declaration and consent first.",
    ),
    "DECLARATION_OUTDATED": (
        "Versi pernyataan sudah berubah; baca dan setujui versi terbaru.",
        "The declaration has changed; read and accept the current version.",
    ),
    # aptitude test
    "TEST_ALREADY_TAKEN": ("Tes sudah diikuti pada periode ini.", "You have already taken the test in this period."),
    "TEST_NOT_STARTED": ("Tes belum dimulai.", "The test has not been started."),
    "TEST_TIME_EXPIRED": ("Waktu tes sudah habis.", "The test time is over."),
    "TEST_ANSWER_INVALID": ("Jawaban tidak sesuai dengan soal.", "An answer does not belong to the questions."),
    # eligibility
    "AGE_OUT_OF_RANGE": ("Usia harus {min_age}–{max_age} tahun.", "Age must be {min_age} to {max_age} years."),
    "IN_FORMAL_EDUCATION": ("Sedang menempuh pendidikan formal.", "Currently in formal education."),
    "EXCLUDED_OCCUPATION": (
        "Pekerjaan ({occupation}) tidak termasuk yang boleh mendaftar.",
        "The occupation ({occupation}) is excluded from the program.",
    ),
    "KK_QUOTA_REACHED": (
        "Sudah ada {cap} penerima dalam satu Kartu Keluarga.",
        "This family card already has {cap} recipients.",
    ),
    "ALREADY_RECIPIENT": ("Sudah pernah menjadi penerima Kartu Prakerja.", "Already a Kartu Prakerja recipient."),
    "REVOKED": (
        "Kepesertaan pernah dicabut; tidak dapat mendaftar lagi.",
        "Participation was revoked; cannot apply again.",
    ),
    "IDENTITY_NOT_VERIFIED": ("Identitas belum terverifikasi.", "The identity is not verified."),
    "PROFILE_INCOMPLETE": ("Profil belum lengkap.", "The profile is incomplete."),
    "DECLARATION_NOT_ACCEPTED": (
        "Pernyataan dan persetujuan belum diberikan.",
        "The declaration and consent have not been given.",
    ),
    "TEST_NOT_TAKEN": ("Tes Kemampuan Dasar belum diikuti.", "The basic aptitude test has not been taken."),
    # batches
    "BATCH_NOT_FOUND": ("Gelombang tidak ditemukan.", "Batch not found."),
    "BATCH_NUMBER_TAKEN": ("Nomor gelombang sudah dipakai.", "This batch number is already used."),
    "BATCH_DATES_INVALID": (
        "Waktu tutup harus sesudah waktu buka.",
        "The closing time must be after the opening time.",
    ),
    "BATCH_QUOTA_INVALID": ("Kuota harus lebih dari nol.", "The quota must be more than zero."),
    "BATCH_OVERLAP": (
        "Jadwal gelombang bertumpang tindih dengan gelombang {other}.",
        "The batch's dates overlap batch {other}.",
    ),
    "BATCH_NOT_DRAFT": ("Gelombang sudah dibuka sebelumnya.", "The batch has already been opened."),
    "BATCH_NOT_OPEN": ("Gelombang tidak sedang dibuka.", "The batch is not open."),
    "BATCH_STILL_OPEN": (
        "Gelombang masih dibuka; tutup dahulu sebelum seleksi.",
        "The batch is still open; close it before selection.",
    ),
    "BATCH_NOT_CLOSED": ("Gelombang belum ditutup.", "The batch has not been closed."),
    "BATCH_ALREADY_SELECTED": ("Seleksi gelombang ini sudah dijalankan.", "This batch has already been selected."),
    "BATCH_NOT_SELECTED": (
        "Seleksi belum dijalankan; pengumuman belum dapat dibuat.",
        "Selection has not run yet; nothing can be announced.",
    ),
    "BATCH_ALREADY_ANNOUNCED": ("Hasil gelombang ini sudah diumumkan.", "This batch has already been announced."),
    "BATCH_NOT_IN_WINDOW": (
        "Pendaftaran gelombang ini dibuka {opens} sampai {closes}.",
        "Applications to this batch are accepted from {opens} to {closes}.",
    ),
    "QUOTA_TABLE_MISMATCH": (
        "Jumlah kuota per wilayah ({sum}) tidak sama dengan kuota total ({total}).",
        "The regional quotas add up to {sum}, not the total of {total}.",
    ),
    "QUOTA_REGION_UNKNOWN": ("Kode wilayah kuota tidak dikenal: {code}.", "Unknown quota region code: {code}."),
    "QUOTA_TABLE_REQUIRED": ("Tabel kuota per wilayah wajib diisi.", "A regional quota table is required."),
    "ALREADY_APPLIED": ("Anda sudah bergabung ke gelombang ini.", "You have already joined this batch."),
    "APPLICATION_PENDING": (
        "Anda masih menunggu hasil seleksi gelombang {batch}.",
        "You are still waiting for the result of batch {batch}.",
    ),
    "RECOVERY_QUOTA_TOO_LARGE": (
        "Kuota pemulihan melebihi kepesertaan yang dicabut ({available}).",
        "The recovery quota exceeds the revoked places ({available}).",
    ),
    "NO_PLACES_TO_POOL": (
        "Tidak ada kuota dari kepesertaan yang dicabut untuk dikumpulkan.",
        "There are no revoked places to pool.",
    ),
    # selection results
    "SELECTED": ("Terpilih sebagai penerima.", "Selected as a recipient."),
    "QUOTA_FILLED_IN_REGION": (
        "Kuota wilayah Anda sudah terpenuhi oleh pendaftar dengan urutan undian lebih awal.",
        "Your region's quota was filled by applicants drawn before you.",
    ),
}


@dataclass(frozen=True)
class Problem:
    """One reason for refusing something."""

    code: str
    field: str | None = None
    params: dict[str, object] = dataclass_field(default_factory=dict)

    def message(self, language: str = "id") -> str:
        indonesian, english = MESSAGES.get(self.code, (self.code, self.code))
        template = english if language.startswith("en") else indonesian
        try:
            return template.format(**self.params)
        except (KeyError, IndexError):
            return template

    def as_dict(self, language: str = "id") -> dict[str, object]:
        return {"code": self.code, "field": self.field, "message": self.message(language)}


class DomainError(Exception):
    """Raised by actions when a rule refuses; carries every problem found."""

    def __init__(self, problems: Iterable[Problem], status: int = 422) -> None:
        self.problems = list(problems)
        self.status = status
        super().__init__(", ".join(p.code for p in self.problems))

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


def fail(code: str, field: str | None = None, status: int = 422, **params: object) -> DomainError:
    """Shorthand: ``raise fail("NIK_ALREADY_REGISTERED", "nik")``."""
    return DomainError([Problem(code, field, params)], status=status)


def language_of(request: object) -> str:
    """The reader's language: the active Django language, else Accept-Language, else Indonesian."""
    lang = getattr(request, "LANGUAGE_CODE", None)
    if isinstance(lang, str) and lang:
        return "en" if lang.startswith("en") else "id"
    header = getattr(request, "headers", {}).get("Accept-Language", "") if request else ""
    return "en" if header.lower().startswith("en") else "id"
