"""The registrant's declaration (pernyataan pendaftar) and consent, by version.

The text a person accepted is identified by its version and SHA-256, so a
later edit of the wording never changes what someone agreed to. Publishing a
new text means adding a version here and changing the ``declaration_version``
program setting; everyone is then asked to accept again.
"""

from __future__ import annotations

import hashlib

TEXTS: dict[str, dict[str, str]] = {
    "2024.1": {
        "id": (
            "Saya menyatakan bahwa:\n"
            "1. Saya Warga Negara Indonesia berusia 18–64 tahun dan tidak sedang menempuh pendidikan formal.\n"
            "2. Saya bukan pejabat negara, anggota/pimpinan DPRD, ASN, anggota TNI/Polri, kepala desa atau "
            "perangkat desa, maupun direksi/komisaris/dewan pengawas BUMN/BUMD.\n"
            "3. Data yang saya berikan benar; pemalsuan identitas dapat dipidana dan bantuan yang telah "
            "diterima wajib dikembalikan.\n"
            "4. Saya menyetujui pemrosesan data pribadi saya (NIK, KK, kontak, profil) oleh Manajemen "
            "Pelaksana Program Kartu Prakerja untuk verifikasi ke Dukcapil, seleksi, pelatihan dan "
            "pembayaran insentif, sesuai UU 27/2022 tentang Pelindungan Data Pribadi."
        ),
        "en": (
            "I declare that:\n"
            "1. I am an Indonesian citizen aged 18–64 and not in formal education.\n"
            "2. I am not a state official, regional parliament member, civil servant, member of the "
            "military or police, village head or official, or director/commissioner/supervisor of a "
            "state- or region-owned enterprise.\n"
            "3. The data I give is true; falsified identity is a criminal matter and any benefit "
            "received must be returned.\n"
            "4. I consent to the processing of my personal data (NIK, family card, contacts, profile) "
            "by the Kartu Prakerja program office for civil-registry verification, selection, "
            "training and incentive payment, under Law 27/2022 on Personal Data Protection."
        ),
    },
}


def text_of(version: str, language: str = "id") -> str:
    return TEXTS[version]["en" if language.startswith("en") else "id"]


def digest(version: str) -> str:
    """Hash of both language versions: what a person accepted, whichever they read."""
    both = TEXTS[version]["id"] + "\n---\n" + TEXTS[version]["en"]
    return hashlib.sha256(both.encode()).hexdigest()
