"""The surveys' error codes, registered into the platform's one table of messages."""

from __future__ import annotations

from prakerja.core.errors import MESSAGES

MESSAGES.update(
    {
        "SURVEY_NOT_FOUND": ("Survei tidak ditemukan.", "Survey not found."),
        "SURVEY_ALREADY_ANSWERED": ("Survei ini sudah dijawab.", "This survey has already been answered."),
        "OUTCOME_INVALID": (
            "Pilih salah satu: bekerja, berwirausaha, atau masih mencari kerja.",
            "Choose one: working, running a business, or still looking for work.",
        ),
    }
)
