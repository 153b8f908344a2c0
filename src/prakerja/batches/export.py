"""``prakerja batch export`` and the PMO's CSV: one row per application, the selection explained.

The family-card number is personal data: it is stored encrypted on the person (core.pii) and
decrypted here, for the program's own analysis of the selection; each export is audited
(``personal_data.export``: who, which batch, how many rows, why).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, TextIO

from prakerja.batches.models import Application, Batch
from prakerja.core import audit, pii

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
PURPOSE = "analysis of the batch's selection (PMO export)"


def _flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def csv_rows(
    batch: Batch, *, actor: Any = None, purpose: str = PURPOSE, ip: str | None = None
) -> Iterator[list[object]]:
    """The header, then one row per application, read in chunks (a batch may hold millions).

    The export is audited when it starts (a download cut short was still a download).
    """
    applications = Application.objects.filter(batch=batch)
    audit.record_export(actor, f"batch {batch.number} applications", rows=applications.count(), purpose=purpose, ip=ip)
    yield list(COLUMNS)
    rows = applications.order_by("id").values_list(
        "public_id",
        "person__public_id",
        "person__kk_ciphertext",
        "birth_date",
        "gender",
        "regency_code",
        "occupation",
        "in_formal_education",
        "prior_recipient",
        "result__eligible",
        "result__reason",
        "result__status",
        "result__rank",
        "result__tier",
    )
    decrypt = pii.decrypt
    for row in rows.iterator(chunk_size=10_000):
        app_id, person_id, kk, birth, gender, regency, occupation, formal, prior, eligible, reason, status, *rest = row
        rank, tier = rest
        selected = "" if status is None else _flag(status == Application.Status.SELECTED)  # no result yet: blank
        yield [
            app_id,
            person_id,
            decrypt("kk", kk) if kk else "",
            birth.isoformat(),
            gender,
            regency,
            occupation,
            _flag(formal),
            _flag(prior),
            _flag(eligible),
            reason or "",
            selected,
            "" if rank is None else rank,
            "" if tier is None else tier,
        ]


def write_csv(
    batch: Batch, out: TextIO, *, actor: Any = None, purpose: str = "prakerja batch export (operator CLI)"
) -> int:
    writer = csv.writer(out)
    count = -1
    for row in csv_rows(batch, actor=actor, purpose=purpose):
        writer.writerow(row)
        count += 1
    return count
