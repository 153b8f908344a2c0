"""Adding people to the civil-registry double (development and tests only)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from prakerja.core import clock
from prakerja.core.errors import DomainError, Problem
from prakerja.regions.nik import check_kk, check_nik, normalize_number
from prakerja.registry.models import CivilRegistryRecord


def add_resident(
    *, nik: str, kk: str, name: str, birth_date: dt.date, gender: str, mother_name: str = ""
) -> CivilRegistryRecord:
    """Insert or update one resident; refuses what can never be a NIK."""
    if settings.PRODUCTION:
        raise RuntimeError("the civil-registry double is for development and tests only")
    problems = check_nik(nik, birth_date=birth_date, gender=gender, today=clock.today()) + check_kk(kk)
    if gender not in ("M", "F"):
        problems.append(Problem("INVALID_VALUE", "gender"))
    if problems:
        raise DomainError(problems)
    record, _ = CivilRegistryRecord.objects.update_or_create(
        nik=normalize_number(nik),
        defaults={
            "kk_number": normalize_number(kk),
            "full_name": name,
            "birth_date": birth_date,
            "gender": gender,
            "mother_name": mother_name,
        },
    )
    return record
