"""Comparing what a person typed with what the civil registry holds (pure)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass


def normalize_name(name: str) -> str:
    """Unicode-normalize, case-fold, drop punctuation, collapse spaces: 'MUH.  Rizky' == 'muh rizky'."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Submitted:
    nik: str
    kk_number: str
    full_name: str
    birth_date: dt.date


@dataclass(frozen=True)
class RegistryEntry:
    nik: str
    kk_number: str
    full_name: str
    birth_date: dt.date


def mismatch_codes(entry: RegistryEntry | None, submitted: Submitted) -> list[str]:
    """Every reason the submitted identity differs from the registry entry."""
    if entry is None:
        return ["REGISTRY_NIK_NOT_FOUND"]
    codes = []
    if entry.kk_number != submitted.kk_number:
        codes.append("REGISTRY_KK_MISMATCH")
    if normalize_name(entry.full_name) != normalize_name(submitted.full_name):
        codes.append("REGISTRY_NAME_MISMATCH")
    if entry.birth_date != submitted.birth_date:
        codes.append("REGISTRY_BIRTH_DATE_MISMATCH")
    return codes
