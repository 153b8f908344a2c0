"""Fixtures for the training marketplace: recipients made through the real batch path
(generated population → batch → selection → announcement, crediting the balance through the
ledger) and an institution with an approved program and a class."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.core.management import call_command

from conftest import Api
from prakerja.accounts.actions import issue_token
from prakerja.accounts.models import User
from prakerja.batches import actions as batches
from prakerja.catalog import actions as catalog
from prakerja.catalog.models import Institution, Program, Trainer, TrainingClass, Venue
from prakerja.core.errors import DomainError

UTC = dt.UTC
OPENS = dt.datetime(2026, 7, 1, 1, 0, tzinfo=UTC)
CLOSES = dt.datetime(2026, 7, 8, 10, 0, tzinfo=UTC)
NAMED = dt.datetime(2026, 7, 10, 3, 0, tzinfo=UTC)  # 10:00 on 10 July in Jakarta; deadline 25 July
DISTRICT = "327301"  # Sukasari, Kota Bandung

_batch = iter(range(100, 999))


def recipients_named(frozen_clock, people: int, seed: int) -> list[User]:
    """``people`` generated residents apply; all are selected and named at NAMED."""
    frozen_clock(OPENS)
    call_command("generate_population", "--people", str(people), "--seed", str(seed), stdout=io.StringIO())
    users = list(User.objects.filter(email__startswith=f"p{seed}-", email__endswith="@population.prakerja.test"))
    number = next(_batch)
    batches.create_batch(number=number, quota=len(users), opens_at=OPENS, closes_at=CLOSES)
    batches.open_batch(number)
    applied = []
    for user in users:
        try:
            batches.apply(user, number)
        except DomainError:
            continue
        applied.append(user)
    frozen_clock(CLOSES + dt.timedelta(hours=1))
    batches.close_batch(number)
    batches.select_batch(number)
    frozen_clock(NAMED)
    batches.announce_batch(number)
    return [u for u in applied if hasattr(User.objects.get(pk=u.pk).person, "recipient")]


def client_for(user: User) -> Api:
    client = Api()
    client.token = issue_token(user)
    return client


@dataclass
class Provider:
    institution: Institution
    trainers: list[Trainer]
    venue: Venue


@pytest.fixture
def provider() -> Provider:
    institution = catalog.create_institution(
        legal_name="LPK Maju Bersama", licence_number="LPK/32/0001", district_code=DISTRICT, email="lpk@contoh.id"
    )
    trainers = [
        catalog.add_trainer(institution, full_name=name, certificate_number=f"BNSP-{n}")
        for n, name in enumerate(("Ahmad Fauzi", "Dewi Lestari"), start=1)
    ]
    venue = catalog.add_venue(institution, name="Ruang Kelas A", district_code=DISTRICT, capacity=30)
    return Provider(institution, trainers, venue)


def approved_program(provider: Provider, *, mode: str = "offline", price: int = 1_500_000, hours: int = 16) -> Program:
    program = catalog.save_program(
        provider.institution,
        {
            "title": f"Menjahit Busana Dasar ({mode})",
            "category": "fashion_beauty",
            "description": "Teknik dasar menjahit busana untuk usaha rumahan.",
            "competencies": "Mengukur badan\nMemotong pola\nMenjahit",
            "mode": mode,
            "hours": hours,
            "price": price,
            "district_code": provider.venue.district_id if mode in ("offline", "blended") else None,
        },
    )
    catalog.submit_program(program)
    return catalog.approve_program(program)


def sessions_from(start: dt.datetime, count: int = 2, hours: int = 8) -> list[tuple[dt.datetime, dt.datetime]]:
    return [(start + dt.timedelta(days=n), start + dt.timedelta(days=n, hours=hours)) for n in range(count)]


def open_class(
    provider: Provider, program: Program, *, start: dt.datetime, capacity: int = 20, code: str | None = None
) -> TrainingClass:
    face_to_face = program.mode in ("offline", "blended")
    return catalog.create_class(
        program,
        capacity=capacity,
        sessions=sessions_from(start),
        venue=provider.venue if face_to_face else None,
        trainers=provider.trainers,
        code=code,
    )
