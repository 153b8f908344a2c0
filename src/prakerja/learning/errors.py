"""Error codes of purchases, redeem codes, completion and reviews (registered at start-up).

The integration API's codes (``REDEEM_CODE_NOT_FOUND``, ``WRONG_INSTITUTION``,
``OUTSIDE_REDEEM_WINDOW``, ``ALREADY_USED``, ``CANCELLED``) are part of CONTRACT.md."""

from __future__ import annotations

from prakerja.core.errors import MESSAGES

LEARNING_MESSAGES: dict[str, tuple[str, str]] = {
    "NOT_A_RECIPIENT": (
        "Hanya penerima Kartu Prakerja yang dapat membeli pelatihan.",
        "Only Kartu Prakerja recipients can buy training.",
    ),
    "RECIPIENT_REVOKED": (
        "Kepesertaan Anda telah dicabut; pelatihan tidak dapat dibeli.",
        "Your participation was revoked; training cannot be bought.",
    ),
    "CLASS_NOT_FOUND": ("Kelas tidak ditemukan.", "Class not found."),
    "CLASS_CANCELLED": ("Kelas ini dibatalkan.", "This class was cancelled."),
    "CLASS_FULL": ("Kelas sudah penuh.", "The class is full."),
    "ENROLLMENT_CLOSED": (
        "Pendaftaran kelas ini sudah ditutup ({closed}).",
        "Enrollment for this class closed ({closed}).",
    ),
    "PREVIOUS_TRAINING_NOT_COMPLETED": (
        "Selesaikan pelatihan yang sedang berjalan sebelum membeli pelatihan berikutnya.",
        "Complete your current training before buying the next one.",
    ),
    "REVIEW_REQUIRED": (
        "Beri rating dan ulasan untuk pelatihan sebelumnya terlebih dahulu.",
        "Rate and review your previous training first.",
    ),
    "FIRST_PURCHASE_DEADLINE_PASSED": (
        "Batas waktu pembelian pelatihan pertama ({deadline}) sudah lewat.",
        "The deadline for buying the first training ({deadline}) has passed.",
    ),
    "NEXT_PURCHASE_DEADLINE_PASSED": (
        "Batas waktu pembelian pelatihan berikutnya ({deadline}) sudah lewat.",
        "The deadline for buying the next training ({deadline}) has passed.",
    ),
    "PURCHASE_NOT_FOUND": ("Pembelian tidak ditemukan.", "Purchase not found."),
    "PURCHASE_NOT_ACTIVE": (
        "Pembelian ini sudah selesai atau dibatalkan.",
        "This purchase is already completed or cancelled.",
    ),
    "TRAINING_NOT_COMPLETED": (
        "Pelatihan belum dinyatakan selesai oleh lembaga.",
        "The institution has not reported this training completed yet.",
    ),
    "REVIEW_EXISTS": ("Anda sudah memberi ulasan untuk pelatihan ini.", "You already reviewed this training."),
    "RATING_INVALID": ("Rating harus 1 sampai 5 bintang.", "The rating must be 1 to 5 stars."),
    "REVIEW_TOO_SHORT": (
        "Ulasan paling sedikit {min} karakter.",
        "A review needs at least {min} characters.",
    ),
    "ATTENDANCE_INCOMPLETE": (
        "Peserta belum hadir di semua sesi ({attended} dari {sessions}).",
        "The participant has not attended every session ({attended} of {sessions}).",
    ),
    # integration API
    "REDEEM_CODE_NOT_FOUND": ("Kode redeem tidak ditemukan.", "Redeem code not found."),
    "WRONG_INSTITUTION": (
        "Kode ini milik kelas lembaga pelatihan lain.",
        "This code belongs to another institution's class.",
    ),
    "SEQUENCE_MISMATCH": (
        "Kode redeem ini untuk sesi ke-{sequence}.",
        "This redeem code is for session {sequence}.",
    ),
    "OUTSIDE_REDEEM_WINDOW": (
        "Kode redeem hanya berlaku {start} sampai {end} WIB.",
        "The redeem code is valid only from {start} to {end} (Jakarta time).",
    ),
    "ALREADY_USED": ("Kode redeem sudah digunakan.", "The redeem code was already used."),
    "CANCELLED": ("Pembelian pelatihan ini dibatalkan.", "This training purchase was cancelled."),
    "VOUCHER_NOT_FOUND": ("Kode voucher tidak ditemukan.", "Voucher code not found."),
    "INVALID_SIGNATURE": ("Tanda tangan permintaan tidak sah.", "The request signature is invalid."),
    "TIMESTAMP_OUT_OF_RANGE": (
        "Stempel waktu di luar batas ±{seconds} detik dari waktu server.",
        "The timestamp is more than {seconds} seconds away from the server's time.",
    ),
    "REPLAYED_REQUEST": (
        "Permintaan yang sama sudah pernah diterima.",
        "This exact request was already received.",
    ),
    "UNKNOWN_CLIENT": ("client_code tidak dikenal.", "Unknown client_code."),
    "CSV_INVALID": ("Berkas bukan CSV yang dapat dibaca.", "The file is not a readable CSV."),
    "CSV_COLUMNS_MISSING": (
        "Kolom wajib tidak ada: {columns}.",
        "Required columns missing: {columns}.",
    ),
}

MESSAGES.update(LEARNING_MESSAGES)
