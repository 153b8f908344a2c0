"""``prakerja batch export``: one CSV row per application, the selection explained."""

from __future__ import annotations

import csv
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


def write_csv(batch: Batch, out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
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
    count = 0
    for (
        app_id,
        person_id,
        kk,
        birth,
        gender,
        regency,
        occupation,
        formal,
        prior,
        eligible,
        reason,
        status,
        rank,
        tier,
    ) in rows.iterator(chunk_size=10_000):
        writer.writerow(
            [
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
                _flag(status == Application.Status.SELECTED) if status != "applied" else "",
                "" if rank is None else rank,
                "" if tier is None else tier,
            ]
        )
        count += 1
    return count
