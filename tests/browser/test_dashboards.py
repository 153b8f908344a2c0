"""The monitoring dashboard in a real browser (headless Chromium): a program-office officer sees the
national figures per province, a regional officer sees only their province, and both download a table
(CSV and XLSX) whose content matches what the page shows. A regional officer on a phone opens the planning
sheet from the dashboard, gets an estimate, downloads it, and reads the sheet in English too."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook
from playwright.sync_api import expect

from payouts import trained_recipients
from prakerja.batches.models import Application, Recipient
from staff import log_in_staff, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BANDUNG, SURABAYA = "3273", "3578"


@pytest.fixture
def figures(frozen_clock, provider):
    """Two recipients in Kota Surabaya (East Java, 35), the rest in Kota Bandung (West Java, 32)."""
    trained = trained_recipients(frozen_clock, provider, 6, seed=7411)
    assert len(trained) >= 4
    people = [t.person for t in trained]
    batch = Recipient.objects.get(person=people[0]).batch
    Application.objects.filter(batch=batch).update(regency_code=BANDUNG)
    Application.objects.filter(batch=batch, person__in=people[:2]).update(regency_code=SURABAYA)
    call_command("refresh_aggregates", stdout=io.StringIO())
    recipients = Recipient.objects.filter(batch=batch, status="active").count()
    return {"batch": batch.number, "recipients": recipients}


@pytest.fixture
def open_as(browser, live_server):
    contexts = []

    def open_page(role: str, region_code: str = "", viewport: dict | None = None):
        user = make_staff(role, f"{role}.{region_code or 'pusat'}.dash@prakerja.test", region_code=region_code)
        session = log_in_staff(Client(), user).cookies["sessionid"].value
        context = browser.new_context(
            viewport=viewport or {"width": 1000, "height": 900}, locale="id-ID", accept_downloads=True
        )
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_national_dashboard_and_its_xlsx_export(figures, open_as, live_server, tmp_path: Path):
    page = open_as("pmo")
    page.goto(live_server.url + "/pemantauan/")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Pemantauan program"
    assert page.locator('[data-total="recipients"]').inner_text().strip() == str(figures["recipients"])
    areas = page.locator('[data-table="areas"] tbody tr')
    assert sorted(areas.evaluate_all("rows => rows.map(r => r.dataset.region)")) == ["32", "35"]
    east_java = page.locator('[data-table="areas"] tr[data-region="35"] td')
    assert east_java.nth(2).inner_text().strip() == "2"  # recipients column

    with page.expect_download() as info:
        page.locator('[data-export="areas"]').get_by_role("link", name="Unduh Excel (XLSX)").click()
    download = info.value
    assert download.suggested_filename == "pemantauan-areas.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = load_workbook(path, read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:5] == ["region_code", "region_name", "applicants", "eligible", "recipients"]
    by_code = {r[0]: r for r in rows[1:]}
    assert sorted(by_code) == ["32", "35"]
    assert by_code["35"][4] == 2 and by_code["32"][4] == figures["recipients"] - 2


def test_regional_dashboard_shows_only_its_area_and_exports_it(figures, open_as, live_server, tmp_path: Path):
    page = open_as("regional", "35")
    page.goto(live_server.url + "/pemantauan/")
    assert page.locator('[data-total="recipients"]').inner_text().strip() == "2"
    regions = page.locator('[data-table="areas"] tbody tr').evaluate_all("rows => rows.map(r => r.dataset.region)")
    assert regions == [SURABAYA]
    assert page.locator('[data-region="32"], [data-region="3273"]').count() == 0

    with page.expect_download() as info:
        page.locator('[data-export="batches"]').get_by_role("link", name="Unduh CSV").click()
    download = info.value
    assert download.suggested_filename == "pemantauan-batches.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [(r[0], r[3]) for r in rows[1:]] == [(str(figures["batch"]), "2")]

    with page.expect_download() as info:
        page.locator('[data-export="areas"]').get_by_role("link", name="Unduh Excel (XLSX)").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    cells = [list(r) for r in load_workbook(path, read_only=True).active.iter_rows(values_only=True)]
    assert [r[0] for r in cells[1:]] == [SURABAYA] and cells[1][4] == 2


def test_planning_sheet_on_a_phone_and_its_export(figures, open_as, live_server, tmp_path: Path):
    page = open_as("regional", "32", viewport={"width": 390, "height": 844})
    page.goto(live_server.url + "/pemantauan/")
    page.get_by_role("link", name="Lembar perencanaan anggaran pelatihan").click()
    # The dashboard has a heading too: wait for the sheet's, not whichever page is showing.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Lembar perencanaan anggaran pelatihan"))
    page.get_by_label("Jumlah warga yang akan dilatih").fill("250")
    page.get_by_label("Harga rata-rata pelatihan per orang (Rp)").fill("3.500.000")
    page.get_by_label("Insentif per orang (Rp, boleh 0)").fill("700.000")
    page.get_by_label("Biaya pendukung").fill("2,5")
    page.get_by_role("button", name="Hitung perkiraan").click()
    total = page.locator('[data-table="estimate"] [data-line="total"] td[data-value]')
    assert total.get_attribute("data-value") == "1076250000"
    assert total.inner_text().strip() == "1.076.250.000"
    # Mobile first: nothing wider than the phone's screen (wide tables scroll inside their own box).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    with page.expect_download() as info:
        page.locator('[data-export="planning"]').get_by_role("link", name="Unduh Excel (XLSX)").click()
    assert info.value.suggested_filename == "perencanaan-anggaran.xlsx"
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    cells = dict(list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))[1:])
    assert (cells["residents"], cells["price_per_person"], cells["incentive_per_person"]) == (250, 3_500_000, 700_000)
    assert (cells["overhead"], cells["total"]) == (26_250_000, 1_076_250_000)

    with page.expect_download() as info:
        page.locator('[data-export="planning"]').get_by_role("link", name="Unduh CSV").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    rows = dict(list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))[1:])
    assert rows["total"] == "1076250000" and rows["overhead_percent"] == "2.5"

    # The same sheet in English, through the site's language switch (the inputs stay in the address).
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Training budget planning sheet"))
    assert page.get_by_label("Number of residents to train").input_value() == "250"
    assert page.locator('[data-line="total"] td[data-value]').get_attribute("data-value") == "1076250000"
