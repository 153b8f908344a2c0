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
}


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
    else:
        raise ValueError(table)
    return header, rows


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
