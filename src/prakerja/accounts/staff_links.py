"""The staff home page's links: each page a staff member's duties open (and only those)."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from prakerja.core import roles
from prakerja.core.access import duties, institution_of

# (duty, url name, label); a url name that does not exist (an app not installed) is skipped.
LINKS: tuple[tuple[str, str, Any], ...] = (
    (roles.AGGREGATES, "reports:dashboard", _("Pemantauan program")),
    (roles.AGGREGATES, "reports:planning", _("Lembar perencanaan anggaran pelatihan")),
    (roles.REGIONAL, "reports:apbd", _("APBD untuk urusan tenaga kerja")),
    (roles.SELECTION, "pmo:batches", _("Gelombang dan seleksi")),
    (roles.CURATION, "pmo:curation", _("Kurasi program pelatihan")),
    (roles.CURATION, "pmo:coverage", _("Cakupan pelatihan luring")),
    (roles.AGGREGATES, "pmo:coverage", _("Cakupan pelatihan luring")),
    (roles.SUPPORT, "pmo:purchases", _("Meja bantuan pembelian")),
    (roles.SUPPORT, "complaints:staff-list", _("Pengaduan")),
    (roles.SUPPORT, "reports:announcements", _("Pengumuman program")),
    (roles.REGIONAL, "complaints:staff-list", _("Pengaduan di wilayah Anda")),
    (roles.FINANCE_MAKER, "pmo:disbursements", _("Pencairan insentif")),
    (roles.FINANCE_CHECKER, "pmo:disbursements", _("Pencairan insentif")),
    (roles.FINANCE_MAKER, "pmo:reconciliation", _("Rekonsiliasi")),
    (roles.FINANCE_CHECKER, "pmo:reconciliation", _("Rekonsiliasi")),
    (roles.REGIONAL, "regional-institutions", _("Lembaga pelatihan di wilayah Anda")),
    (roles.REGIONAL, "helpdesk:desk-home", _("Layanan pendaftaran berbantuan")),
    (roles.REGIONAL, "helpdesk:desks", _("Meja layanan di wilayah Anda")),
    (roles.REGIONAL, "helpdesk:report", _("Laporan meja layanan")),
    (roles.AUDIT, "audit:search", _("Jejak audit")),
    (roles.PORTAL, "portal:home", _("Portal lembaga")),
)


def staff_links(user: Any) -> list[dict[str, str]]:
    held = duties(user)
    if roles.PORTAL in held and institution_of(user) is None:
        held = held - {roles.PORTAL}
    seen: set[str] = set()
    links = []
    for duty, name, label in LINKS:
        if duty not in held or name in seen:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        seen.add(name)
        links.append({"url": url, "label": str(label)})
    return links
