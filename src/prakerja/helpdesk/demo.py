"""Demo help desks for ``prakerja seed-demo`` (idempotent), so the public directory is not empty.

Kept by the demo regional officers (``accounts.demo``: DKI Jakarta and Kota Bandung) when they exist,
else by the demo administrator. Addresses and numbers are illustrative.
"""

from __future__ import annotations

from prakerja.accounts.models import User
from prakerja.core import clock
from prakerja.helpdesk.models import HelpDesk

DESKS = (
    # (regency, name, address, hours, phone E.164, email, keeper's email)
    (
        "3174",
        "Meja Layanan Kartu Prakerja Jakarta Barat",
        "Kantor Suku Dinas Tenaga Kerja, Jl. Raya Kembangan No. 2, Kembangan",
        "Senin–Jumat 08.00–15.00 WIB",
        "+62215550101",
        "layanan.jakbar@prakerja.example",
        "daerah@prakerja.test",
    ),
    (
        "3171",
        "Meja Layanan Kartu Prakerja Jakarta Selatan",
        "Kantor Kecamatan Kebayoran Baru, Jl. Trunojoyo No. 1",
        "Senin–Kamis 08.00–14.00 WIB",
        "+62215550102",
        "",
        "daerah@prakerja.test",
    ),
    (
        "3273",
        "Meja Layanan Disnaker Kota Bandung",
        "Jl. Martanegara No. 4, Turangga, Lengkong",
        "Senin–Jumat 08.00–15.00 WIB; Sabtu 08.00–12.00 WIB",
        "+62227310101",
        "layanan.bandung@prakerja.example",
        "bandung@prakerja.test",
    ),
)


def seed_desks() -> int:
    """Add the demo desks that are missing; returns how many were added."""
    fallback = User.objects.filter(is_superuser=True).order_by("id").first()
    added = 0
    now = clock.now()
    for regency, name, address, hours, phone, email, keeper_email in DESKS:
        keeper = User.objects.filter(email=keeper_email).first() or fallback
        if keeper is None or HelpDesk.objects.filter(regency_id=regency, name=name).exists():
            continue
        HelpDesk.objects.create(
            regency_id=regency,
            name=name,
            address=address,
            opening_hours=hours,
            phone=phone,
            email=email,
            created_at=now,
            updated_at=now,
            created_by=keeper,
            updated_by=keeper,
        )
        added += 1
    return added
