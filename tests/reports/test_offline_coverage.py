"""Offline coverage from the aggregate tables, on small figures written by hand: face-to-face supply per
regency/city, the regions with no offline training, and active recipients per free seat ("no seats" when
there is none). Each officer sees their own area only; the national view sees every province."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from prakerja.regions.models import Province, Regency
from prakerja.reports import coverage, supply
from prakerja.reports.models import RegionBatchFigures, SupplyFigures

pytestmark = pytest.mark.django_db

BANDUNG, BANDUNG_KAB, SURABAYA = "3273", "3204", "3578"


def figures(batch: int, regency: str, recipients: int, revoked: int = 0) -> None:
    RegionBatchFigures.objects.create(
        batch_number=batch,
        batch_year=2026,
        regency_code=regency,
        province_code=regency[:2],
        applicants=recipients,
        recipients=recipients,
        revoked=revoked,
    )


def seats(mode: str, regency: str, programs: int, classes: int, free: int, price_sum: int = 0) -> None:
    SupplyFigures.objects.create(
        mode=mode,
        regency_code=regency,
        province_code=regency[:2],
        programs=programs,
        open_classes=classes,
        open_seats=free,
        price_sum=price_sum,
    )


@pytest.fixture
def area_figures():
    # Demand: Kota Bandung 30 − 2 revoked + 10 = 38 active; Kab. Bandung 6; Kota Surabaya 7 − 1 = 6.
    figures(1, BANDUNG, 30, revoked=2)
    figures(2, BANDUNG, 10)
    figures(1, BANDUNG_KAB, 6)
    figures(1, SURABAYA, 7, revoked=1)
    # Supply: Kota Bandung 15 offline + 5 blended seats = 20; Kota Surabaya 4 offline; Kab. Bandung none.
    seats("offline", BANDUNG, 2, 3, 15)
    seats("blended", BANDUNG, 1, 1, 5)
    seats("offline", SURABAYA, 1, 1, 4)
    seats("webinar", "", 4, 6, 500)  # online: national, never offline coverage


def by_code(rows):
    return {r["code"]: r for r in rows}


def test_per_seat_rounding_and_no_seats():
    assert coverage.per_seat(38, 20) == 1.9
    assert coverage.per_seat(3, 8) == 0.4  # 0.375 → 0.4 (half up)
    assert coverage.per_seat(1, 40) == 0.0  # 0.025 → 0.0
    assert coverage.per_seat(5, 0) is None and coverage.per_seat(0, 0) is None


def test_regencies_and_provinces_by_hand(area_figures):
    rows = by_code(coverage.regencies(""))
    assert len(rows) == Regency.objects.count() == 514
    bandung = rows[BANDUNG]
    assert (bandung["offline_classes"], bandung["offline_seats"], bandung["blended_classes"]) == (3, 15, 1)
    assert (bandung["blended_seats"], bandung["seats"], bandung["active_recipients"]) == (5, 20, 38)
    assert bandung["per_seat"] == 1.9 and not bandung["no_offline"]
    kab = rows[BANDUNG_KAB]
    assert (kab["seats"], kab["active_recipients"], kab["per_seat"], kab["no_offline"]) == (0, 6, None, True)
    assert rows[SURABAYA]["per_seat"] == 1.5  # 6 / 4
    provinces = by_code(coverage.provinces(list(rows.values())))
    assert len(provinces) == Province.objects.count() == 38
    assert (provinces["32"]["seats"], provinces["32"]["active_recipients"], provinces["32"]["per_seat"]) == (
        20,
        44,
        2.2,
    )
    assert provinces["35"]["per_seat"] == 1.5 and provinces["11"]["per_seat"] is None
    none = coverage.without_offline("", list(rows.values()))
    assert {p["code"] for p in none["provinces"]} == set(provinces) - {"32", "35"}
    assert len(none["regencies"]) == 514 - 2 and BANDUNG_KAB in {r["code"] for r in none["regencies"]}


def test_national_dashboard_coverage(area_figures, staff_client):
    client = staff_client("ministry")
    page = client.get("/pemantauan/")
    rows = by_code(page.context["coverage"])
    assert len(rows) == 38 and rows["32"]["per_seat"] == 2.2
    html = page.content.decode()
    assert 'data-coverage="32"' in html and 'data-per-seat="2.2"' in html
    assert 'data-no-offline="11"' in html and 'data-no-offline="3204"' in html
    assert 'data-no-offline="32"' not in html and 'data-no-offline="3273"' not in html
    assert "Tidak ada kursi" in html
    exported = list(csv.reader(io.StringIO(client.get("/pemantauan/ekspor.csv?tabel=coverage").content.decode())))
    assert exported[0][:3] == ["region_code", "region_name", "province_code"]
    assert exported[0][-2:] == ["recipients_per_seat", "as_of"]
    assert len(exported) == 1 + 514  # every regency/city in the national file
    bandung = next(r for r in exported if r[0] == BANDUNG)
    assert bandung[3:13] == ["2", "3", "15", "1", "1", "5", "20", "38", "1.9", ""]
    kab = next(r for r in exported if r[0] == BANDUNG_KAB)
    assert kab[10:12] == ["6", ""]  # no seats: an empty cell, never a division by zero
    no_offline = list(csv.reader(io.StringIO(client.get("/pemantauan/ekspor.csv?tabel=no_offline").content.decode())))
    assert no_offline[0] == ["level", "region_code", "region_name", "as_of"]
    assert sum(r[0] == "province" for r in no_offline[1:]) == 36
    assert sum(r[0] == "regency" for r in no_offline[1:]) == 512


def test_province_officer_sees_only_their_regencies(area_figures, staff_client):
    officer = staff_client("regional", "32")
    page = officer.get("/pemantauan/")
    rows = by_code(page.context["coverage"])
    assert set(rows) == set(Regency.objects.filter(province_id="32").values_list("code", flat=True))
    assert rows[BANDUNG]["per_seat"] == 1.9 and rows[BANDUNG_KAB]["per_seat"] is None
    none = page.context["no_offline"]
    assert none["provinces"] == []  # West Java has offline training
    assert BANDUNG_KAB in {r["code"] for r in none["regencies"]} and BANDUNG not in {
        r["code"] for r in none["regencies"]
    }
    html = page.content.decode()
    assert SURABAYA not in html and 'data-coverage="35"' not in html
    for table in ("coverage", "no_offline"):
        body = officer.get(f"/pemantauan/ekspor.csv?tabel={table}").content.decode()
        codes = [r[0] if table == "coverage" else r[1] for r in csv.reader(io.StringIO(body))][1:]
        assert codes and all(c.startswith("32") for c in codes), table
        assert SURABAYA not in body
    workbook = officer.get("/pemantauan/ekspor.csv?tabel=coverage&format=xlsx")
    cells = [
        list(r) for r in load_workbook(io.BytesIO(workbook.content), read_only=True).active.iter_rows(values_only=True)
    ]
    bandung = next(r for r in cells if r[0] == BANDUNG)
    assert bandung[10:12] == [38, 1.9]


def test_regency_officer_and_a_province_without_offline(area_figures, staff_client):
    kab = staff_client("regional", BANDUNG_KAB).get("/pemantauan/")
    assert [r["code"] for r in kab.context["coverage"]] == [BANDUNG_KAB]
    assert kab.context["no_offline"] == {"provinces": [], "regencies": [{"code": BANDUNG_KAB, "name": "Kab. Bandung"}]}
    aceh = staff_client("regional", "11").get("/pemantauan/")
    assert aceh.context["no_offline"]["provinces"] == [{"code": "11", "name": "Aceh"}]
    assert all(r["active_recipients"] == 0 and r["per_seat"] is None for r in aceh.context["coverage"])


def test_supply_refresh_keeps_program_prices(frozen_clock, provider):
    """The price column added to the supply figures: each program counted once, however many classes."""
    from market import approved_program, open_class
    from payouts import START

    frozen_clock(START)
    offline = approved_program(provider, mode="offline", price=1_000_000)
    open_class(provider, offline, start=START + dt.timedelta(days=30), capacity=12)
    open_class(provider, offline, start=START + dt.timedelta(days=40), capacity=8)
    blended = approved_program(provider, mode="blended", price=2_500_001)
    open_class(provider, blended, start=START + dt.timedelta(days=30), capacity=10)
    webinar = approved_program(provider, mode="webinar", price=900_000)
    open_class(provider, webinar, start=START + dt.timedelta(days=30), capacity=25)
    approved_program(provider, mode="offline", price=3_000_000)  # no open class: not counted
    supply.refresh()
    rows = {(r.mode, r.regency_code): r for r in SupplyFigures.objects.all()}
    assert (rows[("offline", BANDUNG)].programs, rows[("offline", BANDUNG)].price_sum) == (1, 1_000_000)
    assert (rows[("offline", BANDUNG)].open_classes, rows[("offline", BANDUNG)].open_seats) == (2, 20)
    assert rows[("blended", BANDUNG)].price_sum == 2_500_001
    assert rows[("webinar", "")].price_sum == 900_000
    # Average offline/blended price: (1,000,000 + 2,500,001) / 2 = 1,750,000.5 → 1,750,001 (half up).
    assert supply.average_price("32") == (1_750_001, "area")
    assert supply.average_price(BANDUNG) == (1_750_001, "area")
    assert supply.average_price("35") == (1_750_001, "national")
    assert supply.average_price("") == (1_750_001, "national")
    SupplyFigures.objects.filter(mode__in=("offline", "blended")).delete()
    assert supply.average_price("32") == (None, "")
