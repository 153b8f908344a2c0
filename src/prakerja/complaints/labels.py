"""Names of categories, statuses and message kinds as people read them (translated on the pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CATEGORY_LABELS = {
    "registration": _("Pendaftaran akun"),
    "ktp_upload": _("Unggah foto KTP"),
    "nik_registered": _("NIK sudah terdaftar"),
    "account_blocked": _("Akun terblokir"),
    "training": _("Pelatihan"),
    "payment": _("Pembayaran insentif"),
    "other": _("Lainnya"),
}

STATUS_LABELS = {
    "open": _("Baru"),
    "in_progress": _("Sedang ditangani"),
    "waiting_for_reporter": _("Menunggu jawaban pelapor"),
    "resolved": _("Selesai ditangani"),
    "closed": _("Ditutup"),
    "reopened": _("Dibuka kembali"),
}

PRIORITY_LABELS = {"normal": _("Normal"), "high": _("Tinggi"), "urgent": _("Mendesak")}

KIND_LABELS = {
    "report": _("Lampiran laporan"),
    "reply": _("Balasan"),
    "note": _("Catatan internal"),
    "resolution": _("Penyelesaian"),
    "reopen": _("Dibuka kembali"),
    "escalation": _("Eskalasi"),
    "closure": _("Penutupan"),
}

CLOSED_BY_LABELS = {"reporter": _("dikonfirmasi pelapor"), "staff": _("oleh petugas"), "auto": _("otomatis")}
