"""The dashboard's tables as rows for download: one definition of each table, written as CSV or as an
XLSX workbook (openpyxl, write-only mode). Empty values are ``None`` (an empty CSV field, an empty cell);
figures stay numbers so a spreadsheet can add them up."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

FIGURE_COLUMNS = ("applicants", "eligible", "recipients", "revoked", "purchases", "completions", "incentives_paid")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Sheet titles (Excel allows at most 31 characters, no []:*?/\).
TITLES = {
    "areas": "Per wilayah",
    "batches": "Per gelombang",
    "years": "Per tahun",
    "profile": "Profil penerima",
    "outcomes": "Hasil survei",
    "supply": "Pasokan pelatihan",
    "budget": "Anggaran program",
    "coverage": "Cakupan luring",
    "no_offline": "Tanpa pelatihan luring",
    "apbd": "APBD tenaga kerja",
    "planning": "Perencanaan anggaran",
}
BUDGET_COLUMNS = (
    "allocated",
    "committed",
    "training_used",
    "incentives_funded",
    "incentives_paid",
    "returned",
    "remaining",
    "used_percent",
)
COVERAGE_COLUMNS = (
    "offline_programs",
    "offline_classes",
    "offline_seats",
    "blended_programs",
    "blended_classes",
    "blended_seats",
    "seats",
    "active_recipients",
)


def table_rows(table: str, data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The header and the rows of one dashboard table, from the figures the dashboard shows."""
    as_of = data["as_of"].isoformat() if data["as_of"] else None
    if table == "areas":
        header = ["region_code", "region_name", *FIGURE_COLUMNS, "as_of"]
        rows = [[r["code"], r["name"], *(r[c] for c in FIGURE_COLUMNS), as_of] for r in data["areas"]]
    elif table == "batches":
        header = ["batch", *FIGURE_COLUMNS, "as_of"]
        rows = [[r["batch_number"], *(r[c] for c in FIGURE_COLUMNS), as_of] for r in data["batches"]]
    elif table == "years":
        header = ["year", *FIGURE_COLUMNS, "as_of"]
        rows = [[r["batch_year"], *(r[c] for c in FIGURE_COLUMNS), as_of] for r in data["years"]]
    elif table == "outcomes":
        header = ["wave", "answers", "working", "business", "working_or_business_percent", "ci95_low", "ci95_high"]
        header.append("as_of")
        rows = []
        for o in data["outcomes"]:
            low, high = o.ci or (None, None)
            rows.append([o.wave, o.answers, o.working, o.business, o.either_pct, low, high, as_of])
    elif table == "supply":
        header = ["mode", "programs", "open_classes", "open_seats", "as_of"]
        rows = [[r["mode"], r["programs"], r["open_classes"], r["open_seats"], as_of] for r in data["supply"]]
    elif table == "profile":
        header = ["trait", "recipients_with_trait", "recipients", "percent", "as_of"]
        rows = [[s.key, s.count, s.of, s.percent, as_of] for s in data["shares"]]
    elif table in ("budget", "coverage", "no_offline", "apbd"):
        return _planning_tables(table, data, as_of)
    else:
        raise ValueError(table)
    return header, rows


def _planning_tables(table: str, data: dict[str, Any], as_of: str | None) -> tuple[list[str], list[list[Any]]]:
    """The budget, coverage and APBD tables (the budget's "as of" is its own refresh's)."""
    if table == "budget":
        # Only in the national view's data; the view refuses the table to anyone else.
        budget_as_of = data["budget_as_of"].isoformat() if data["budget_as_of"] else None
        header = ["year", *BUDGET_COLUMNS, "as_of"]
        rows = [
            ["total" if y.year is None else y.year, *(getattr(y, c) for c in BUDGET_COLUMNS), budget_as_of]
            for y in data["budget"]
        ]
    elif table == "coverage":
        # Every regency/city of the area (the national page groups them by province).
        header = ["region_code", "region_name", "province_code", *COVERAGE_COLUMNS, "recipients_per_seat", "as_of"]
        rows = [
            [r["code"], r["name"], r["province_code"], *(r[c] for c in COVERAGE_COLUMNS), r["per_seat"], as_of]
            for r in data["coverage_regencies"]
        ]
    elif table == "no_offline":
        header = ["level", "region_code", "region_name", "as_of"]
        rows = [["province", p["code"], p["name"], as_of] for p in data["no_offline"]["provinces"]]
        rows += [["regency", r["code"], r["name"], as_of] for r in data["no_offline"]["regencies"]]
    elif data["scope"]:  # apbd, an officer: their own area's years beside the other regions' median
        header = ["year", "region_code", "manpower", "total", "share_percent", "other_regions"]
        header.append("other_regions_median_percent")
        rows = [
            [c.year, data["scope"], c.manpower, c.total, c.share_percent, c.peers, c.median_percent]
            for c in data["apbd_own"]
        ]
    else:  # apbd, national: every entry, with the median of all the regions at its level that year
        medians = {(m["year"], m["level"]): m for m in data["apbd_national"]["medians"]}
        header = ["year", "level", "region_code", "region_name", "manpower", "total", "share_percent"]
        header += ["level_regions", "level_median_percent"]
        rows = []
        for e in data["apbd_national"]["rows"]:
            m = medians[(e["year"], e["level"])]
            entry = [e["year"], e["level"], e["region_code"], e["name"], e["manpower"], e["total"]]
            rows.append([*entry, e["share_percent"], m["regions"], m["median_percent"]])
    return header, rows


def planning_rows(estimate: Any, price_source: str) -> tuple[list[str], list[list[Any]]]:
    """The planning sheet as (item, value) rows: the inputs, then the estimate (whole rupiah)."""
    i = estimate.inputs
    percent = i.overhead_percent  # a whole percentage stays an integer in the file
    rows: list[list[Any]] = [
        ["residents", i.residents],
        ["price_per_person", i.price],
        ["price_source", price_source],
        ["incentive_per_person", i.incentive],
        ["overhead_percent", int(percent) if percent == int(percent) else float(percent)],
        ["training", estimate.training],
        ["incentives", estimate.incentives],
        ["subtotal", estimate.subtotal],
        ["overhead", estimate.overhead],
        ["total", estimate.total],
        ["total_per_person", estimate.per_person],
    ]
    return ["item", "value"], rows


def as_csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def as_xlsx(table: str, header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """A workbook with one sheet titled after the table: the header row, then the rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=TITLES[table])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
