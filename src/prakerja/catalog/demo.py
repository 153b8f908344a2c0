"""Demo marketplace for ``prakerja seed-demo``: one institution with a staff log-in
(lembaga@prakerja.test), trainers, a venue, approved programs in every mode, open classes, and
one program waiting in the curation queue. Idempotent."""

from __future__ import annotations

import datetime as dt

from prakerja.accounts.models import User
from prakerja.catalog import actions
from prakerja.catalog.models import Institution, Program
from prakerja.core import clock

NAME = "LPK Demo Prakerja Nusantara"
DISTRICT = "317405"  # a district of Kota Jakarta Selatan

PROGRAMS = (
    ("Pemasaran Digital untuk UMKM", "sales_marketing", "webinar", 16, 750_000),
    ("Barista Profesional", "food_beverage", "offline", 24, 2_500_000),
    ("Dasar Administrasi Perkantoran", "office", "blended", 20, 1_200_000),
    ("Bahasa Inggris untuk Layanan Pelanggan", "language", "self_paced", 15, 500_000),
)


def seed_marketplace(password: str) -> int:
    institution = Institution.objects.filter(legal_name=NAME).first()
    if institution is not None:
        return 0
    institution = actions.create_institution(
        legal_name=NAME,
        licence_number="LPK/31/2024/0042",
        address="Jl. Kemang Raya No. 8",
        district_code=DISTRICT,
        email="lembaga@prakerja.test",
    )
    staff = User.objects.filter(email="lembaga@prakerja.test").first() or User.objects.create_user(
        email="lembaga@prakerja.test", password=password, phone="+6281100000009"
    )
    staff.email_verified_at = staff.phone_verified_at = clock.now()
    staff.save(update_fields=["email_verified_at", "phone_verified_at"])
    actions.add_staff(institution, staff)
    trainers = [
        actions.add_trainer(institution, full_name=name, certificate_number=f"BNSP/{n:05d}")
        for n, name in enumerate(("Rina Wulandari", "Agus Setiawan"), start=1)
    ]
    venue = actions.add_venue(institution, name="Gedung Pelatihan Kemang", district_code=DISTRICT, capacity=40)
    start = dt.datetime.combine(clock.today() + dt.timedelta(days=10), dt.time(9, 0), tzinfo=clock.JAKARTA)
    for title, category, mode, hours, price in PROGRAMS:
        program = actions.save_program(
            institution,
            {
                "title": title,
                "category": category,
                "mode": mode,
                "hours": hours,
                "price": price,
                "description": f"{title}: materi praktis yang langsung dapat dipakai bekerja atau berusaha.",
                "competencies": "Memahami konsep dasar\nMempraktikkan keterampilan inti\nMenyusun rencana kerja",
                "district_code": DISTRICT if mode in ("offline", "blended") else None,
            },
        )
        actions.submit_program(program)
        program = actions.approve_program(program)
        days = -(-hours // 8)  # whole days of 8 hours
        for week in range(2):
            first = start + dt.timedelta(days=7 * week)
            actions.create_class(
                program,
                capacity=30 if mode in ("offline", "blended") else 100,
                sessions=[(first + dt.timedelta(days=n), first + dt.timedelta(days=n, hours=8)) for n in range(days)],
                venue=venue if mode in ("offline", "blended") else None,
                trainers=trainers,
            )
    waiting = actions.save_program(
        institution,
        {
            "title": "Menjahit Busana Muslim",
            "category": "fashion_beauty",
            "mode": Program.Mode.OFFLINE,
            "hours": 30,
            "price": 3_000_000,
            "description": "Membuat pola dan menjahit busana muslim untuk usaha rumahan.",
            "competencies": "Membuat pola\nMenjahit\nFinishing",
            "district_code": DISTRICT,
        },
    )
    actions.submit_program(waiting)
    return len(PROGRAMS)
