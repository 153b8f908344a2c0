"""The help desks' error codes, registered into the platform's one table of messages."""

from __future__ import annotations

from prakerja.core.errors import MESSAGES

MESSAGES.update(
    {
        "HELPDESK_DESK_NOT_FOUND": ("Meja layanan tidak ditemukan.", "Help desk not found."),
        "HELPDESK_DESK_INACTIVE": ("Meja layanan ini tidak aktif.", "This help desk is not active."),
        "HELPDESK_DESK_OUT_OF_AREA": (
            "Meja layanan ini di luar wilayah tugas Anda.",
            "This help desk is outside your area.",
        ),
        "HELPDESK_REGENCY_UNKNOWN": ("Kabupaten/kota tidak ditemukan.", "Unknown regency/city."),
        "HELPDESK_CONTACT_REQUIRED": (
            "Isi nomor telepon atau email meja layanan.",
            "Give the help desk's phone number or email.",
        ),
        "HELPDESK_PHONE_INVALID": ("Nomor telepon tidak valid.", "Invalid phone number."),
        "HELPDESK_REGISTRATION_NOT_FOUND": (
            "Pendaftaran berbantuan tidak ditemukan.",
            "Assisted registration not found.",
        ),
        "HELPDESK_OFFICER_ONLY": (
            "Hanya petugas daerah yang dapat mendaftarkan warga di meja layanan.",
            "Only regional officers can register residents at a help desk.",
        ),
        "HELPDESK_CONSENT_REQUIRED": (
            "Bacakan teks persetujuan kepada warga dan catat persetujuannya terlebih dahulu.",
            "Read the consent text to the resident and record their consent first.",
        ),
        "HELPDESK_CONSENT_REFERENCE_REQUIRED": (
            "Isi nomor formulir bertanda tangan, atau nama saksi untuk persetujuan lisan.",
            "Give the signed form's number, or the witness's name for spoken consent.",
        ),
        "HELPDESK_CONSENT_OUTDATED": (
            "Teks persetujuan sudah berubah; bacakan versi terbaru.",
            "The consent text has changed; read the current version.",
        ),
        "HELPDESK_CLOSED": (
            "Pendaftaran ini sudah selesai atau dibatalkan.",
            "This registration is already completed or cancelled.",
        ),
        "HELPDESK_ACCOUNT_EXISTS": (
            "Akun untuk pendaftaran ini sudah dibuat.",
            "The account for this registration has already been created.",
        ),
        "HELPDESK_ACCOUNT_REQUIRED": ("Buat akun warga terlebih dahulu.", "Create the resident's account first."),
        "HELPDESK_CONTACTS_REQUIRED": (
            "Email dan nomor ponsel warga harus terverifikasi terlebih dahulu.",
            "The resident's email and phone number must be verified first.",
        ),
        "HELPDESK_IDENTITY_REQUIRED": (
            "Verifikasi identitas warga terlebih dahulu.",
            "Verify the resident's identity first.",
        ),
        "HELPDESK_OUT_OF_AREA": (
            "Alamat KTP atau domisili warga tidak berada di wilayah tugas Anda ({scope}).",
            "The resident's KTP or home address is not in your area ({scope}).",
        ),
        "HELPDESK_PHOTO_REQUIRED": ("Unggah foto KTP warga terlebih dahulu.", "Upload the resident's KTP photo first."),
        "HELPDESK_PHOTO_TYPE": (
            "Foto harus berupa berkas JPEG atau PNG.",
            "The photo must be a JPEG or PNG file.",
        ),
        "HELPDESK_PHOTO_TOO_LARGE": (
            "Foto terlalu besar (maksimal {max_mb} MB).",
            "The photo is too large (at most {max_mb} MB).",
        ),
        "HELPDESK_PHOTO_INVALID": (
            "Berkas foto rusak atau tidak dapat dibaca.",
            "The photo file is damaged or cannot be read.",
        ),
        "HELPDESK_PHOTO_NOT_COMPARED": (
            "Cocokkan foto KTP dengan warga yang hadir, lalu centang pernyataannya.",
            "Compare the KTP photo with the resident in front of you, then tick the statement.",
        ),
        "HELPDESK_ALREADY_ACTIVATED": (
            "Warga sudah membuat kata sandinya sendiri.",
            "The resident has already set their own password.",
        ),
        "HELPDESK_ACTIVATION_INVALID": (
            "Tautan tidak valid, kedaluwarsa, atau sudah dipakai. Minta tautan baru di meja layanan.",
            "The link is invalid, has expired or was already used. Ask the help desk for a new one.",
        ),
        "HELPDESK_DATE_RANGE": (
            "Rentang tanggal tidak valid (maksimal 366 hari).",
            "Invalid date range (at most 366 days).",
        ),
    }
)
