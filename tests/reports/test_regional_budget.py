"""The regions' APBD for manpower affairs: a regional officer records their own area's figures (audited;
a later entry replaces the earlier one), sees their share beside the median of the other regions at the same
level that year — withheld below three other regions — and never another region's figures; the national
view lists every share. Bad input is refused (4xx), and nobody but the area's own officer may enter."""

from __future__ import annotations

import csv
import datetime as dt
import io
from fractions import Fraction

import pytest
from django.test import Client

from prakerja.core.errors import DomainError
from prakerja.core.models import AuditEvent
from prakerja.reports import actions, apbd
from prakerja.reports.models import RegionalBudget
from staff import log_in_staff, make_staff

pytestmark = pytest.mark.django_db

T = 1_000_000_000_000  # one trillion rupiah


@pytest.fixture(autouse=True)
def in_2026(frozen_clock):
    frozen_clock(dt.datetime(2026, 8, 1, 3, 0, tzinfo=dt.UTC))


def officer_of(area: str, **client_options) -> tuple[Client, object]:
    user = make_staff("regional", f"apbd.{area}@prakerja.test", region_code=area)
    return log_in_staff(Client(**client_options), user), user


def enter(area: str, year: int, manpower: int, total: int) -> RegionalBudget:
    user = make_staff("regional", f"apbd.entry.{area}.{year}@prakerja.test", region_code=area)
    return actions.record_regional_budget(user, area, year, manpower, total)


def test_officer_records_and_replaces_their_areas_budget():
    client, user = officer_of("32")
    page = client.get("/pemantauan/apbd/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="wilayah" value="32"' in html and "csrfmiddlewaretoken" in html
    for name in ("tahun", "belanja_tenaga_kerja", "total_apbd"):
        assert f'for="id_{name}"' in html
    done = client.post(
        "/pemantauan/apbd/",
        {"wilayah": "32", "tahun": "2026", "belanja_tenaga_kerja": "Rp 1.500.000.000.000", "total_apbd": str(30 * T)},
    )
    assert done.status_code == 302 and done["Location"] == "/pemantauan/apbd/"
    budget = RegionalBudget.objects.get(region_code="32", year=2026)
    assert (budget.manpower, budget.total, budget.entered_by) == (1_500_000_000_000, 30 * T, user)
    client.post("/pemantauan/apbd/", {"wilayah": "32", "tahun": "2026", "belanja_tenaga_kerja": "1", "total_apbd": "4"})
    assert RegionalBudget.objects.filter(region_code="32").count() == 1
    assert RegionalBudget.objects.get(region_code="32").manpower == 1
    events = list(AuditEvent.objects.filter(action="reports.regional_budget_recorded").order_by("id"))
    assert [e.object_id for e in events] == [str(budget.public_id)] * 2
    assert events[0].before is None and events[0].after["manpower"] == 1_500_000_000_000
    assert events[1].before["manpower"] == 1_500_000_000_000 and events[1].after == {
        "region": "32",
        "year": 2026,
        "manpower": 1,
        "total": 4,
    }
    assert events[1].actor == user
    page = client.get("/pemantauan/apbd/")
    assert page.context["entries"][0].share_percent == 25.0 and "APBD tahun 2026 tersimpan" in page.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"tahun": "2026", "belanja_tenaga_kerja": "5", "total_apbd": "4"},  # manpower above the total
        {"tahun": "2026", "belanja_tenaga_kerja": "0", "total_apbd": "4"},
        {"tahun": "2026", "belanja_tenaga_kerja": "-3", "total_apbd": "4"},
        {"tahun": "2026", "belanja_tenaga_kerja": "1,5", "total_apbd": "4"},
        {"tahun": "2026", "belanja_tenaga_kerja": "", "total_apbd": "4"},
        {"tahun": "1999", "belanja_tenaga_kerja": "1", "total_apbd": "4"},
        {"tahun": "2028", "belanja_tenaga_kerja": "1", "total_apbd": "4"},
        {"tahun": "dua ribu", "belanja_tenaga_kerja": "1", "total_apbd": "4"},
        {"tahun": "2026", "belanja_tenaga_kerja": "1", "total_apbd": str(apbd.MAX_RUPIAH + 1)},
    ],
)
def test_bad_entries_are_refused(data):
    client, _user = officer_of("3273")
    page = client.post("/pemantauan/apbd/", {"wilayah": "3273", **data})
    assert page.status_code == 422
    assert page.context["form"].errors and 'role="alert"' in page.content.decode()
    assert not RegionalBudget.objects.exists()


def test_messages_in_english():
    client, _user = officer_of("3273")
    client.cookies["django_language"] = "en"
    page = client.post(
        "/pemantauan/apbd/", {"wilayah": "3273", "tahun": "2026", "belanja_tenaga_kerja": "5", "total_apbd": "4"}
    )
    assert page.status_code == 422
    assert "must not exceed the total APBD" in page.content.decode()


def test_the_action_keeps_the_rules_too():
    _client, user = officer_of("32")
    with pytest.raises(DomainError) as refused:
        actions.record_regional_budget(user, "35", 2026, 1, 4)
    assert refused.value.codes == ["DUTY_REQUIRED"] and refused.value.status == 403
    with pytest.raises(DomainError) as refused:
        actions.record_regional_budget(user, "32", 2026, 5, 4)
    assert refused.value.codes == ["INVALID_VALUE"]
    pmo = make_staff("pmo")
    with pytest.raises(DomainError):
        actions.record_regional_budget(pmo, "32", 2026, 1, 4)
    assert not RegionalBudget.objects.exists()


def test_only_the_areas_own_officer_may_enter(staff_client):
    data = {"tahun": "2026", "belanja_tenaga_kerja": "1", "total_apbd": "4"}
    for role in ("pmo", "pmo_support", "ministry", "auditor"):
        client = staff_client(role)
        assert client.get("/pemantauan/apbd/").status_code == 403, role
        assert client.post("/pemantauan/apbd/", {"wilayah": "32", **data}).status_code == 403, role
    assert Client().post("/pemantauan/apbd/", {"wilayah": "32", **data}).status_code == 302  # to the log-in
    client, _user = officer_of("32")
    assert client.post("/pemantauan/apbd/", {"wilayah": "35", **data}).status_code == 403
    assert client.post("/pemantauan/apbd/", {"wilayah": "3273", **data}).status_code == 403
    strict, _user = officer_of("3204", enforce_csrf_checks=True)
    assert strict.post("/pemantauan/apbd/", {"wilayah": "3204", **data}).status_code == 403  # no CSRF token
    assert not RegionalBudget.objects.exists()


@pytest.fixture
def shares():
    """2026 provinces: West Java 5%, and three others 2%, 4%, 10%; a regency at 50% and 2025 at 90% don't count
    for the provinces. Regencies/cities: Kota Bandung 3% and one other."""
    enter("32", 2026, 5 * T // 100, T)
    enter("33", 2026, 2 * T // 100, T)
    enter("34", 2026, 4 * T // 100, T)
    enter("35", 2026, 10 * T // 100, T)
    enter("35", 2025, 90 * T // 100, T)
    enter("3273", 2026, 3, 100)
    enter("3578", 2026, 50, 100)


def test_median_of_the_other_regions_at_the_same_level(shares):
    (west_java,) = apbd.comparison("32")
    assert (west_java.year, west_java.share, west_java.peers) == (2026, Fraction(5, 100), 3)
    assert west_java.peer_median == Fraction(4, 100) and west_java.median_percent == 4.0
    east_java = apbd.comparison("35")
    assert [(c.year, c.peers, c.median_percent) for c in east_java] == [(2026, 3, 4.0), (2025, 0, None)]
    (bandung,) = apbd.comparison("3273")
    assert (bandung.share_percent, bandung.peers, bandung.peer_median) == (3.0, 1, None)  # one other: withheld
    enter("3204", 2026, 7, 100)
    enter("3171", 2026, 9, 100)
    (bandung,) = apbd.comparison("3273")
    assert (bandung.peers, bandung.median_percent) == (3, 9.0)  # of 7%, 9%, 50%
    assert apbd.median([Fraction(1, 10), Fraction(2, 10)]) == Fraction(15, 100)


def test_officer_sees_only_their_own_figures(shares):
    client, _user = officer_of("32")
    page = client.get("/pemantauan/")
    assert page.context["apbd_national"] == {"rows": [], "medians": []}
    html = page.content.decode()
    assert 'data-share="5.0"' in html and 'data-median="4.0"' in html and 'data-peers="3"' in html
    for other in ("20.000.000.000", "40.000.000.000", "100.000.000.000", "data-apbd=", 'data-median="2026'):
        assert other not in html, other
    rows = list(csv.reader(io.StringIO(client.get("/pemantauan/ekspor.csv?tabel=apbd").content.decode())))
    assert rows == [
        ["year", "region_code", "manpower", "total", "share_percent", "other_regions", "other_regions_median_percent"],
        ["2026", "32", str(5 * T // 100), str(T), "5.0", "3", "4.0"],
    ]
    city, _user = officer_of("3273")
    html = city.get("/pemantauan/").content.decode()
    assert 'data-median=""' in html and "perlu sedikitnya 3 wilayah lain" in html


def test_national_view_lists_every_share(shares, staff_client):
    client = staff_client("ministry")
    page = client.get("/pemantauan/")
    national = page.context["apbd_national"]
    assert [(r["region_code"], r["year"], r["share_percent"]) for r in national["rows"]] == [
        ("32", 2026, 5.0),
        ("33", 2026, 2.0),
        ("34", 2026, 4.0),
        ("35", 2026, 10.0),
        ("3273", 2026, 3.0),
        ("3578", 2026, 50.0),
        ("35", 2025, 90.0),
    ]
    assert national["medians"] == [
        {"year": 2026, "level": "province", "regions": 4, "median_percent": 4.5},
        {"year": 2026, "level": "regency", "regions": 2, "median_percent": 26.5},
        {"year": 2025, "level": "province", "regions": 1, "median_percent": 90.0},
    ]
    html = page.content.decode()
    assert 'data-apbd="3578-2026"' in html and 'data-median="2026-province"' in html
    rows = list(csv.reader(io.StringIO(client.get("/pemantauan/ekspor.csv?tabel=apbd").content.decode())))
    assert rows[0][-2:] == ["level_regions", "level_median_percent"]
    assert rows[1] == ["2026", "province", "32", "Jawa Barat", str(5 * T // 100), str(T), "5.0", "4", "4.5"]
