"""The catalog's error codes (institutions, programs, classes, curation), registered into the
platform's one table of messages at start-up."""

from __future__ import annotations

from prakerja.core.errors import MESSAGES

CATALOG_MESSAGES: dict[str, tuple[str, str]] = {
    "HOURS_TOO_FEW": (
        "Durasi pelatihan paling sedikit {min} jam.",
        "A training program lasts at least {min} hours.",
    ),
    "PRICE_ABOVE_BALANCE": (
        "Harga paling tinggi sama dengan saldo pelatihan ({max}).",
        "The price may not exceed the training balance ({max}).",
    ),
    "CATEGORY_UNKNOWN": ("Kategori tidak dikenal.", "Unknown category."),
    "MODE_UNKNOWN": ("Metode pelatihan tidak dikenal.", "Unknown training mode."),
    "VENUE_DISTRICT_REQUIRED": (
        "Pelatihan luring dan bauran wajib mencantumkan kecamatan tempat pelatihan.",
        "Offline and blended programs need the district of their venue.",
    ),
    "DISTRICT_UNKNOWN": ("Kecamatan tidak dikenal.", "Unknown district."),
    "PROGRAM_NOT_EDITABLE": (
        "Program hanya dapat diubah saat berstatus draf atau ditolak.",
        "A program can only be changed while it is a draft or rejected.",
    ),
    "PROGRAM_NOT_SUBMITTED": (
        "Hanya program yang diajukan yang dapat dikurasi.",
        "Only a submitted program can be curated.",
    ),
    "PROGRAM_NOT_APPROVED": (
        "Program belum disetujui kurasi.",
        "The program has not been approved by curation.",
    ),
    "REJECTION_REASON_REQUIRED": (
        "Tuliskan paling sedikit satu alasan penolakan.",
        "Give at least one reason for the rejection.",
    ),
    "INSTITUTION_NOT_ACTIVE": (
        "Lembaga pelatihan belum aktif atau sedang dibekukan.",
        "The training institution is not active or is suspended.",
    ),
    "CAPACITY_ABOVE_LIMIT": (
        "Kapasitas kelas {mode} paling banyak {max} peserta.",
        "A {mode} class holds at most {max} participants.",
    ),
    "CAPACITY_ABOVE_VENUE": (
        "Kapasitas kelas melebihi kapasitas tempat ({max}).",
        "The class capacity exceeds the venue's ({max}).",
    ),
    "TRAINERS_TOO_FEW": (
        "Kelas luring memerlukan paling sedikit {min} pelatih.",
        "An offline class needs at least {min} trainers.",
    ),
    "TRAINER_NOT_OF_INSTITUTION": (
        "Pelatih bukan milik lembaga ini.",
        "The trainer does not belong to this institution.",
    ),
    "VENUE_REQUIRED": (
        "Kelas luring dan bauran memerlukan tempat pelatihan milik lembaga.",
        "Offline and blended classes need one of the institution's venues.",
    ),
    "SESSIONS_REQUIRED": ("Kelas memerlukan paling sedikit satu sesi.", "A class needs at least one session."),
    "SESSION_TIMES_INVALID": (
        "Setiap sesi harus berakhir setelah dimulai, berurutan dan tidak tumpang tindih.",
        "Each session must end after it starts, in order and without overlap.",
    ),
    "SESSIONS_TOO_SHORT": (
        "Jumlah jam sesi ({have}) kurang dari durasi program ({need} jam).",
        "The sessions add up to {have} hours, less than the program's {need}.",
    ),
    "CLASS_IN_PAST": ("Kelas harus dimulai di masa depan.", "A class must start in the future."),
    "VENUE_OUTSIDE_PROGRAM_AREA": (
        "Tempat pelatihan harus berada di kabupaten/kota program ini.",
        "The venue must be in the program's regency/city.",
    ),
    "TRAINERS_REQUIRED": ("Kelas daring memerlukan paling sedikit 1 pelatih.", "An online class needs a trainer."),
    "HOURS_TOO_MANY": ("Durasi paling lama {max} jam.", "A program lasts at most {max} hours."),
    "CLASS_CODE_TAKEN": ("Kode kelas sudah dipakai.", "That class code is already taken."),
    "NOT_YOUR_INSTITUTION": (
        "Data ini milik lembaga lain.",
        "This belongs to another institution.",
    ),
    # qualification gaps
    "LICENCE_MISSING": ("Nomor izin atau akreditasi belum diisi.", "No licence or accreditation number yet."),
    "ADDRESS_MISSING": ("Alamat dan kecamatan belum diisi.", "No address and district yet."),
    "NO_CERTIFIED_TRAINER": (
        "Belum ada pelatih bersertifikat kompetensi.",
        "No trainer with a competency certificate yet.",
    ),
    "NO_VENUE": ("Belum ada tempat pelatihan untuk kelas luring.", "No venue for offline classes yet."),
}

MESSAGES.update(CATALOG_MESSAGES)
