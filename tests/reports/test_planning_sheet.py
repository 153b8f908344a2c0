"""The planning sheet: the arithmetic by hand (whole rupiah, overhead and per-person rounded up), the default
price from the area's offline and blended programs (else the country's), the program's incentive as the
default incentive, the CSV and XLSX download, and bad input answered in Indonesian and English."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from prakerja.reports import planning
from prakerja.reports.models import SupplyFigures
from staff import log_in_staff, make_staff

pytestmark = pytest.mark.django_db

BANDUNG, BANDUNG_KAB, SURABAYA = "3273", "3204", "3578"
PROGRAM_INCENTIVE = 600_000 + 2 * 50_000  # after training, plus two surveys (core.program DEFAULTS)


def test_estimate_by_hand():
    e = planning.estimate(planning.Inputs(250, 3_500_000, 700_000, Decimal("2.5")))
    assert (e.training, e.incentives, e.subtotal) == (875_000_000, 175_000_000, 1_050_000_000)
    assert (e.overhead, e.total, e.per_person) == (26_250_000, 1_076_250_000, 4_305_000)


def test_overhead_and_per_person_round_up_to_whole_rupiah():
    e = planning.estimate(planning.Inputs(3, 1_000_001, 0, Decimal("0.01")))
    assert e.subtotal == 3_000_003
    assert e.overhead == 301  # 300.0003 → 301
    assert (e.total, e.per_person) == (3_000_304, 1_000_102)  # 1,000,101.33… → 1,000,102
    plain = planning.estimate(planning.Inputs(1, 1, 0))
    assert (plain.overhead, plain.total, plain.per_person) == (0, 1, 1)


def test_estimate_refuses_impossible_inputs():
    with pytest.raises(ValueError):
        planning.estimate(planning.Inputs(0, 1_000_000))
    with pytest.raises(ValueError):
        planning.estimate(planning.Inputs(1, -1))


@given(
    residents=st.integers(1, planning.MAX_RESIDENTS),
    price=st.integers(1, planning.MAX_PRICE),
    incentive=st.integers(0, planning.MAX_INCENTIVE),
    hundredths=st.integers(0, 10_000),
)
def test_estimate_is_exact_and_never_short(residents, price, incentive, hundredths):
    percent = Decimal(hundredths) / 100
    e = planning.estimate(planning.Inputs(residents, price, incentive, percent))
    assert e.total == e.training + e.incentives + e.overhead
    assert 0 <= e.overhead * 10_000 - e.subtotal * hundredths < 10_000  # the smallest whole rupiah not below
    assert e.per_person * residents >= e.total > (e.per_person - 1) * residents


@pytest.fixture
def prices():
    """Open offline/blended programs: 2 in Kota Bandung (3,000,000 together), 1 in Kab. Bandung (2,500,001),
    1 in Kota Surabaya (1,000,000); online ones are not face-to-face and never count."""
    for mode, regency, programs, price_sum in (
        ("offline", BANDUNG, 2, 3_000_000),
        ("blended", BANDUNG_KAB, 1, 2_500_001),
        ("offline", SURABAYA, 1, 1_000_000),
        ("webinar", "", 5, 100),
    ):
        SupplyFigures.objects.create(
            mode=mode,
            regency_code=regency,
            province_code=regency[:2],
            programs=programs,
            open_classes=programs,
            open_seats=10,
            price_sum=price_sum,
        )


def officer(area: str, language: str = "id") -> Client:
    client = log_in_staff(Client(), make_staff("regional", f"plan.{area}.{language}@prakerja.test", region_code=area))
    client.cookies["django_language"] = language
    return client


def test_default_price_is_the_areas_average(prices, staff_client):
    # West Java: 5,500,001 / 3 = 1,833,333.67 → 1,833,334; East Java: 1,000,000;
    # Aceh has none: the country's 6,500,001 / 4 = 1,625,000.25 → 1,625,000.
    for area, price in (("32", 1_833_334), ("35", 1_000_000), ("11", 1_625_000), (BANDUNG, 1_500_000)):
        page = officer(area).get("/pemantauan/perencanaan/", {"jumlah": "10"})
        assert page.status_code == 200, area
        e = page.context["estimate"]
        assert (e.inputs.price, e.inputs.incentive) == (price, PROGRAM_INCENTIVE), area
        assert e.total == 10 * (price + PROGRAM_INCENTIVE)
    national = staff_client("pmo").get("/pemantauan/perencanaan/", {"jumlah": "10"})
    assert national.context["estimate"].inputs.price == 1_625_000
    assert national.context["default_source"] == "national"


def test_sheet_with_every_input(prices):
    client = officer("32")
    first = client.get("/pemantauan/perencanaan/")
    assert first.status_code == 200 and first.context["estimate"] is None
    html = first.content.decode()
    assert "1.833.334" in html and "700.000" in html  # the defaults the officer would get
    for name in ("jumlah", "harga", "insentif", "overhead"):
        assert f'for="id_{name}"' in html and f'name="{name}"' in html
    page = client.get(
        "/pemantauan/perencanaan/", {"jumlah": "250", "harga": "Rp 3.500.000", "insentif": "700.000", "overhead": "2,5"}
    )
    assert page.status_code == 200
    e = page.context["estimate"]
    assert (e.training, e.incentives, e.overhead, e.total) == (875_000_000, 175_000_000, 26_250_000, 1_076_250_000)
    html = page.content.decode()
    assert 'data-line="total"' in html and 'data-value="1076250000"' in html and "1.076.250.000" in html
    assert "<caption>" in html and 'scope="row"' in html
    link = "/pemantauan/perencanaan/ekspor?jumlah=250&amp;harga=Rp+3.500.000&amp;insentif=700.000&amp;overhead=2%2C5"
    assert f'href="{link}&amp;format=xlsx"' in html
    zero = client.get("/pemantauan/perencanaan/", {"jumlah": "1.250", "insentif": "0"})
    assert zero.context["estimate"].inputs.residents == 1250 and zero.context["estimate"].incentives == 0


def test_export_csv_and_xlsx(prices):
    client = officer("32")
    query = {"jumlah": "250", "harga": "3500000", "insentif": "700000", "overhead": "2.5"}
    response = client.get("/pemantauan/perencanaan/ekspor", query)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="perencanaan-anggaran.csv"'
    rows = dict(list(csv.reader(io.StringIO(response.content.decode())))[1:])
    assert rows["residents"] == "250" and rows["price_source"] == "input" and rows["overhead_percent"] == "2.5"
    assert (rows["overhead"], rows["total"], rows["total_per_person"]) == ("26250000", "1076250000", "4305000")
    response = client.get("/pemantauan/perencanaan/ekspor", {"jumlah": "10", "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    cells = dict(list(sheet.iter_rows(values_only=True))[1:])
    assert cells["price_per_person"] == 1_833_334 and cells["price_source"] == "area"
    assert cells["overhead_percent"] == 0 and cells["total"] == 10 * (1_833_334 + PROGRAM_INCENTIVE)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"jumlah": "0"}, "jumlah"),
        ({"jumlah": "abc"}, "jumlah"),
        ({"jumlah": ""}, "jumlah"),
        ({"jumlah": "10", "harga": "1.500,50"}, "harga"),
        ({"jumlah": "10", "harga": "0"}, "harga"),
        ({"jumlah": "10", "insentif": "-5"}, "insentif"),
        ({"jumlah": "10", "overhead": "101"}, "overhead"),
        ({"jumlah": "10", "overhead": "1.234"}, "overhead"),
        ({"jumlah": str(planning.MAX_RESIDENTS + 1)}, "jumlah"),
    ],
)
def test_bad_input_is_refused_in_both_languages(prices, query, field):
    page = officer("32").get("/pemantauan/perencanaan/", query)
    assert page.status_code == 400
    assert page.context["estimate"] is None and field in page.context["form"].errors
    assert 'role="alert"' in page.content.decode()
    english = officer("35", "en").get("/pemantauan/perencanaan/", query)
    assert english.status_code == 400 and "Please check the highlighted fields" in english.content.decode()
    response = officer("11").get("/pemantauan/perencanaan/ekspor", query)
    assert response.status_code == 400
    body = response.content.decode()
    assert body.startswith("INVALID_VALUE: ") and f"{field}: " in body and " / " in body


def test_export_messages_are_indonesian_then_english(prices):
    client = officer("32")
    body = client.get("/pemantauan/perencanaan/ekspor", {"jumlah": "0"}).content.decode()
    assert body == "INVALID_VALUE: jumlah: Tidak boleh kurang dari 1. / jumlah: Must not be less than 1."
    refused = client.get("/pemantauan/perencanaan/ekspor", {"jumlah": "1", "format": "pdf"})
    assert refused.status_code == 400 and refused.content.decode().startswith("INVALID_VALUE: format")


def test_no_price_anywhere_asks_for_one(staff_client):
    client = staff_client("ministry")
    page = client.get("/pemantauan/perencanaan/", {"jumlah": "10"})
    assert page.status_code == 400 and "harga" in page.context["form"].errors
    assert client.get("/pemantauan/perencanaan/", {"jumlah": "10", "harga": "2000000"}).status_code == 200


def test_who_may_plan(staff_client):
    assert Client().get("/pemantauan/perencanaan/").status_code == 302
    assert staff_client("pmo_support").get("/pemantauan/perencanaan/").status_code == 403
    assert staff_client("auditor").get("/pemantauan/perencanaan/ekspor?jumlah=1&harga=1").status_code == 403
    for role in ("pmo", "pmo_curation", "ministry"):
        assert staff_client(role).get("/pemantauan/perencanaan/").status_code == 200
