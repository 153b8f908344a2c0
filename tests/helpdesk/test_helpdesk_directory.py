"""The public directory of help desks (a light page, no log-in) and GET /api/v1/help-desks."""

from __future__ import annotations

import pytest
from django.test import Client
from helpdesk_support import make_desk, officer

from prakerja.accounts.models import User
from prakerja.helpdesk import rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def desks():
    user, _client = officer("32", "direktori@prakerja.test")
    return {
        "kota": make_desk(user, "3273", "Meja Layanan Disnaker Kota Bandung"),
        "kab": make_desk(user, "3204", "Meja Layanan Soreang", phone="", email="soreang@bandungkab.example"),
        "closed": make_desk(user, "3273", "Meja Layanan Lama", active=False),
        "surabaya": make_desk(user, "3578", "Meja Layanan Surabaya"),
    }


def test_the_directory_page_filters_by_province_and_regency(desks):
    web = Client()
    page = web.get("/layanan/")
    body = page.content.decode()
    assert page.status_code == 200
    for name in ("Disnaker Kota Bandung", "Soreang", "Surabaya"):
        assert name in body
    assert "Meja Layanan Lama" not in body
    assert "(022) 7312345" in body and 'href="tel:+62227312345"' in body

    body = web.get("/layanan/?province=32").content.decode()
    assert "Disnaker Kota Bandung" in body and "Soreang" in body and "Surabaya" not in body
    # The regency list of the chosen province is there without script.
    assert '<option value="3273" selected' not in body and '<option value="3273"' in body

    body = web.get("/layanan/?province=32&regency=3204").content.decode()
    assert "Soreang" in body and "Disnaker Kota Bandung" not in body
    assert '<option value="3204" selected' in body
    # A regency alone implies its province; nonsense filters are ignored, never an error.
    assert "Soreang" in web.get("/layanan/?regency=3204").content.decode()
    assert web.get("/layanan/?province=<script>&regency=%00").status_code == 200
    body = web.get("/layanan/?regency=9999").content.decode()
    assert "Belum ada meja layanan di wilayah ini." in body


def test_the_api_lists_active_desks(desks):
    web = Client()
    r = web.get("/api/v1/help-desks", {"regency": "3273"})
    assert r.status_code == 200
    assert r.json() == [
        {
            "id": str(desks["kota"].public_id),
            "name": "Meja Layanan Disnaker Kota Bandung",
            "province_code": "32",
            "province": desks["kota"].regency.province.name,
            "regency_code": "3273",
            "regency": desks["kota"].regency.name,
            "address": "Jl. Martanegara No. 4, Bandung",
            "opening_hours": "Senin–Jumat 08.00–15.00 WIB",
            "phone": "+62227312345",
            "phone_display": "(022) 7312345",
            "email": "disnaker@bandung.example",
        }
    ]
    names = [d["name"] for d in web.get("/api/v1/help-desks?province=32").json()]
    assert names == ["Meja Layanan Soreang", "Meja Layanan Disnaker Kota Bandung"]  # by regency code
    assert len(web.get("/api/v1/help-desks").json()) == 3
    assert web.get("/api/v1/help-desks?regency=1101").json() == []
    r = web.get("/api/v1/help-desks?regency=32A3", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422
    assert r.json() == {"errors": [{"code": "INVALID_VALUE", "field": "regency", "message": "Invalid value."}]}
    assert web.get("/api/v1/help-desks?province=3").status_code == 422


def test_pure_rules():
    assert rules.photo_kind(b"\xff\xd8\xff\xe1rest") == "jpeg"
    assert rules.photo_kind(b"\x89PNG\r\n\x1a\nrest") == "png"
    assert rules.photo_kind(b"GIF89a") is None and rules.photo_kind(b"") is None
    assert rules.check_photo(b"\xff\xd8\xff", 10, max_bytes=5)[1][0].code == "HELPDESK_PHOTO_TOO_LARGE"
    assert rules.check_photo(b"", 0, max_bytes=5)[1][0].code == "HELPDESK_PHOTO_REQUIRED"
    assert rules.resident_in_area("3273", None, "32")
    assert rules.resident_in_area("3578", "3273", "3273")
    assert not rules.resident_in_area("3578", "3578", "32")
    assert not rules.resident_in_area("3204", None, "3273")
    codes = [p.code for p in rules.check_consent(read_aloud=False, method="", reference="", version="1", current="2")]
    assert codes == [
        "HELPDESK_CONSENT_OUTDATED",
        "HELPDESK_CONSENT_REQUIRED",
        "HELPDESK_CONSENT_REQUIRED",
        "HELPDESK_CONSENT_REFERENCE_REQUIRED",
    ]
    assert rules.desk_phone("022-7312345") == "+62227312345"
    assert rules.desk_phone("0812 3456 7890") == "+6281234567890"
    assert rules.desk_phone("+1 202 555 0100") is None and rules.desk_phone("12") is None


def test_demo_desks_fill_the_directory_once():
    from prakerja.helpdesk.demo import DESKS, seed_desks

    assert seed_desks() == 0  # nobody to keep them yet
    User.objects.create_superuser("admin.demo@prakerja.test", "Rahasia#2024x")
    assert seed_desks() == len(DESKS)
    assert seed_desks() == 0
    body = Client().get("/layanan/?province=31").content.decode()
    assert "Jakarta Barat" in body and "Jakarta Selatan" in body and "Kota Bandung" not in body


def test_photo_retention_check(settings):
    from prakerja.helpdesk.checks import photo_retention

    assert photo_retention() == []
    settings.HELPDESK_PHOTO_MAX_HOURS = 48
    assert [w.id for w in photo_retention()] == ["helpdesk.W001"]
    settings.HELPDESK_PHOTO_MAX_HOURS = "lama"
    assert [w.id for w in photo_retention()] == ["helpdesk.E001"]
