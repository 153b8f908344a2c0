"""Every dashboard table downloads as CSV and as an XLSX workbook: the same figures (numbers stay numbers
in the workbook), the same area scope for a regional officer, and a 400 for a table that does not exist."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from payouts import trained_recipients
from prakerja.batches.models import Application, Recipient

pytestmark = pytest.mark.django_db

BANDUNG, SURABAYA = "3273", "3578"
TABLES = ("areas", "batches", "years", "profile", "outcomes", "supply")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def figures(frozen_clock, provider):
    """A few trained recipients: two in Kota Surabaya (East Java), the rest in Kota Bandung (West Java)."""
    trained = trained_recipients(frozen_clock, provider, 8, seed=7301)
    assert len(trained) >= 4
    people = [t.person for t in trained]
    batch = Recipient.objects.get(person=people[0]).batch
    Application.objects.filter(batch=batch).update(regency_code=BANDUNG)
    Application.objects.filter(batch=batch, person__in=people[:2]).update(regency_code=SURABAYA)
    call_command("refresh_aggregates", stdout=io.StringIO())
    recipients = Recipient.objects.filter(batch=batch, status="active").count()
    return {"batch": batch.number, "west_java": recipients - 2}


def csv_rows(client, table: str) -> list[list[str]]:
    response = client.get(f"/pemantauan/ekspor.csv?tabel={table}")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def xlsx_sheet(client, table: str):
    response = client.get(f"/pemantauan/ekspor.csv?tabel={table}&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="pemantauan-{table}.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert len(workbook.sheetnames) == 1
    return workbook[workbook.sheetnames[0]]


def same_as_csv(cells: list[list], rows: list[list[str]]) -> bool:
    """Cell by cell: an empty cell is an empty field, a number equals the field read as a number."""
    if len(cells) != len(rows) or any(len(c) != len(r) for c, r in zip(cells, rows, strict=True)):
        return False
    for cell_row, csv_row in zip(cells, rows, strict=True):
        for value, field in zip(cell_row, csv_row, strict=True):
            if value is None:
                ok = field == ""
            elif isinstance(value, int | float):
                ok = field != "" and float(field) == value
            else:
                ok = str(value) == field
            if not ok:
                return False
    return True


def test_xlsx_holds_the_same_figures_as_the_csv(figures, staff_client):
    client = staff_client("pmo")
    for table in TABLES:
        sheet = xlsx_sheet(client, table)
        cells = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert len(cells) > (table != "supply"), table  # no class is open any more in this data set
        assert same_as_csv(cells, csv_rows(client, table)), table
    areas = xlsx_sheet(client, "areas")
    assert areas.title == "Per wilayah"
    rows = [list(r) for r in areas.iter_rows(values_only=True)]
    assert rows[0][:5] == ["region_code", "region_name", "applicants", "eligible", "recipients"]
    west_java = next(r for r in rows[1:] if r[0] == "32")
    east_java = next(r for r in rows[1:] if r[0] == "35")
    # Figures are numbers in the workbook, not text.
    assert west_java[4] == figures["west_java"] and isinstance(west_java[4], int)
    assert east_java[4] == 2
    assert all(isinstance(v, int) for v in west_java[2:9])
    profile = [list(r) for r in xlsx_sheet(client, "profile").iter_rows(values_only=True)]
    assert profile[0] == ["trait", "recipients_with_trait", "recipients", "percent", "as_of"]
    assert all(isinstance(r[2], int) and r[2] == figures["west_java"] + 2 for r in profile[1:])
    assert all(r[3] is None or isinstance(r[3], int | float) for r in profile[1:])


def test_regional_officers_xlsx_holds_only_their_area(figures, staff_client):
    officer = staff_client("regional", "35")
    areas = [list(r) for r in xlsx_sheet(officer, "areas").iter_rows(values_only=True)]
    assert [r[0] for r in areas[1:]] == [SURABAYA]
    assert areas[1][4] == 2
    batches = [list(r) for r in xlsx_sheet(officer, "batches").iter_rows(values_only=True)]
    assert [(r[0], r[3]) for r in batches[1:]] == [(figures["batch"], 2)]
    for table in TABLES:
        values = [v for r in xlsx_sheet(officer, table).iter_rows(values_only=True) for v in r]
        assert BANDUNG not in values and "32" not in values
        cells = [list(r) for r in xlsx_sheet(officer, table).iter_rows(values_only=True)]
        assert same_as_csv(cells, csv_rows(officer, table)), table


def test_unknown_table_or_format_is_a_400(figures, staff_client):
    client = staff_client("pmo")
    for url in ("/pemantauan/ekspor.csv?tabel=people&format=xlsx", "/pemantauan/ekspor.csv?tabel=areas&format=pdf"):
        response = client.get(url)
        assert response.status_code == 400
        assert response.content.decode().startswith("INVALID_VALUE")
    assert staff_client("auditor").get("/pemantauan/ekspor.csv?tabel=areas&format=xlsx").status_code == 403


def test_dashboard_links_both_formats_for_every_table(figures, staff_client):
    html = staff_client("pmo").get("/pemantauan/").content.decode()
    for table in TABLES:
        assert f'href="/pemantauan/ekspor.csv?tabel={table}"' in html
        assert f'href="/pemantauan/ekspor.csv?tabel={table}&amp;format=xlsx"' in html
