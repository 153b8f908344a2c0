"""``prakerja batch export``: one CSV row per application, the selection explained."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import TextIO

from prakerja.batches.models import Application, Batch

COLUMNS = (
    "application_id",
    "person_id",
    "kk_number",
    "birth_date",
    "gender",
    "regency_code",
    "occupation",
    "in_formal_education",
    "prior_recipient",
    "eligible",
    "reasons",
    "selected",
    "rank",
    "tier",
)


def _flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def csv_rows(batch: Batch) -> Iterator[list[object]]:
    """The header, then one row per application, read in chunks (a batch may hold millions)."""
    yield list(COLUMNS)
    rows = (
        Application.objects.filter(batch=batch)
        .order_by("id")
        .values_list(
            "public_id",
            "person__public_id",
            "kk_number",
            "birth_date",
            "gender",
            "regency_code",
            "occupation",
            "in_formal_education",
            "prior_recipient",
            "eligible",
            "reason",
            "status",
            "rank",
            "tier",
        )
    )
    for row in rows.iterator(chunk_size=10_000):
        app_id, person_id, kk, birth, gender, regency, occupation, formal, prior, eligible, reason, status, *rest = row
        rank, tier = rest
        selected = "" if status == Application.Status.APPLIED else _flag(status == Application.Status.SELECTED)
        yield [
            app_id,
            person_id,
            kk,
            birth.isoformat(),
            gender,
            regency,
            occupation,
            _flag(formal),
            _flag(prior),
            _flag(eligible),
            reason,
            selected,
            "" if rank is None else rank,
            "" if tier is None else tier,
        ]


def write_csv(batch: Batch, out: TextIO) -> int:
    writer = csv.writer(out)
    count = -1
    for row in csv_rows(batch):
        writer.writerow(row)
        count += 1
    return count
