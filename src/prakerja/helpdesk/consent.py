"""The consent an officer reads to a resident before registering them at a help desk, by version.

As with the registrant's declaration (``registry.declaration``), what a resident
agreed to is identified by its version and the SHA-256 of both language
versions, so a later edit of the wording never changes a past consent.
Publishing a new text means adding a version here and changing ``CURRENT``.
"""

from __future__ import annotations

import hashlib

CURRENT = "2025.1"

TEXTS: dict[str, dict[str, str]] = {
    "2025.1": {
        "id": (
            "Saya meminta dan menyetujui petugas layanan daerah membantu saya mendaftar Program Kartu Prakerja:\n"
            "1. Petugas mengisi email, nomor ponsel, data identitas (NIK, nomor KK, nama, tanggal lahir, "
            "alamat) dan profil saya atas nama saya, dan data itu dicocokkan dengan data Dukcapil.\n"
            "2. Petugas memotret KTP saya hanya untuk mencocokkannya dengan diri saya. Foto disimpan terbatas, "
            "dihapus segera setelah dicocokkan dan paling lambat 24 jam setelah diambil.\n"
            "3. Petugas tidak pernah mengetahui atau membuat kata sandi saya. Saya membuatnya sendiri melalui "
            "tautan yang dikirim ke ponsel dan email saya, dan tidak akan memberikan tautan atau kata sandi "
            "itu kepada siapa pun, termasuk petugas.\n"
            "4. Setelah masuk ke akun, saya sendiri membaca dan menyetujui pernyataan pendaftar dan "
            "mengikuti tes.\n"
            "5. Data pribadi saya diproses oleh Manajemen Pelaksana Program Kartu Prakerja sesuai "
            "UU 27/2022 tentang Pelindungan Data Pribadi. Setiap langkah petugas tercatat."
        ),
        "en": (
            "I ask and agree that a regional help-desk officer helps me register for the Kartu Prakerja "
            "program:\n"
            "1. The officer enters my email, mobile number, identity data (NIK, family card number, name, "
            "birth date, address) and profile on my behalf, and the data is checked against the civil registry.\n"
            "2. The officer photographs my KTP only to compare it with me. The photo is kept restricted and "
            "deleted as soon as it has been compared, and at the latest 24 hours after it was taken.\n"
            "3. The officer never learns or sets my password. I set it myself through a link sent to my phone "
            "and email, and will not give the link or the password to anyone, officers included.\n"
            "4. After logging in, I read and accept the registrant's declaration and take the test myself.\n"
            "5. My personal data is processed by the Kartu Prakerja program office under Law 27/2022 on "
            "Personal Data Protection. Every step the officer takes is recorded."
        ),
    },
}


def text_of(version: str, language: str = "id") -> str:
    return TEXTS[version]["en" if language.startswith("en") else "id"]


def digest(version: str) -> str:
    """Hash of both language versions: what the resident agreed to, whichever was read aloud."""
    both = TEXTS[version]["id"] + "\n---\n" + TEXTS[version]["en"]
    return hashlib.sha256(both.encode()).hexdigest()
