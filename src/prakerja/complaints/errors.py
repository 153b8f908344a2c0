"""The complaints' error codes, registered into the platform's one table of messages."""

from __future__ import annotations

from prakerja.core.errors import MESSAGES

MESSAGES.update(
    {
        "COMPLAINT_NOT_FOUND": ("Pengaduan tidak ditemukan.", "Complaint not found."),
        "COMPLAINT_CATEGORY_INVALID": (
            "Pilih salah satu kategori pengaduan yang tersedia.",
            "Choose one of the complaint categories offered.",
        ),
        "COMPLAINT_REGENCY_UNKNOWN": (
            "Kabupaten/kota tidak ditemukan.",
            "Unknown regency/city.",
        ),
        "REPORTER_CONTACT_REQUIRED": (
            "Isi email atau nomor ponsel agar kami dapat menghubungi Anda.",
            "Give an email address or a mobile number so that we can reach you.",
        ),
        "ATTACHMENT_TYPE_NOT_ALLOWED": (
            "Lampiran harus berkas PDF, JPEG, atau PNG.",
            "An attachment must be a PDF, JPEG or PNG file.",
        ),
        "ATTACHMENT_TOO_LARGE": (
            "Lampiran terlalu besar (maksimal {max_mb} MB per berkas).",
            "The attachment is too large (at most {max_mb} MB per file).",
        ),
        "ATTACHMENT_EMPTY": ("Lampiran kosong.", "The attachment is empty."),
        "ATTACHMENTS_TOO_MANY": (
            "Paling banyak {max} lampiran per pesan.",
            "At most {max} attachments per message.",
        ),
        "COMPLAINT_TRANSITION_NOT_ALLOWED": (
            "Tindakan ini tidak dapat dilakukan pada pengaduan berstatus {state}.",
            "This action is not possible on a complaint whose status is {state}.",
        ),
        "COMPLAINT_CLOSED": (
            "Pengaduan sudah ditutup. Silakan buat pengaduan baru.",
            "The complaint is closed. Please file a new one.",
        ),
        "COMPLAINT_REOPEN_WINDOW_PASSED": (
            "Pengaduan hanya dapat dibuka kembali dalam {days} hari setelah diselesaikan.",
            "A complaint can be reopened only within {days} days of its resolution.",
        ),
        "COMPLAINT_ASSIGNEE_INVALID": (
            "Petugas yang dipilih tidak menangani pengaduan.",
            "The chosen officer does not handle complaints.",
        ),
        "COMPLAINT_ESCALATION_MAX": (
            "Pengaduan sudah berada pada tingkat eskalasi tertinggi ({max}).",
            "The complaint is already at the highest escalation level ({max}).",
        ),
        "TICKET_LOOKUP_FAILED": (
            "Nomor tiket atau kode akses salah.",
            "Wrong ticket number or access code.",
        ),
    }
)
