"""Checking identity and profile input: one place for the web forms and the API.

Each function takes loosely typed input (what a form or JSON body carried),
returns cleaned values and *every* problem found, and touches no table other
than the region list. Nothing is written here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from prakerja.core.errors import Problem
from prakerja.regions.models import District
from prakerja.regions.nik import check_kk, check_nik, normalize_number
from prakerja.registry.models import Education, EmploymentStatus, Gender, MaritalStatus, Occupation

# Letters of any script, spaces and the punctuation names really carry (O'Neil, Muh., Siti-Aisyah).
_NAME = re.compile(r"^[^\W\d_]+(?:[ '.,-]+[^\W\d_]+)*[.]?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f<>]")


def _text(value: Any, field: str, max_len: int, problems: list[Problem], *, required: bool = True) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(Problem("FIELD_REQUIRED", field))
        return ""
    if not isinstance(value, str):
        problems.append(Problem("INVALID_TYPE", field))
        return ""
    text = unicodedata.normalize("NFC", " ".join(value.split()))
    if len(text) > max_len:
        problems.append(Problem("TOO_LONG", field, {"max": max_len}))
        return ""
    if _CONTROL.search(text):
        problems.append(Problem("INVALID_CHARACTERS", field))
        return ""
    return text


def _name(value: Any, field: str, problems: list[Problem]) -> str:
    text = _text(value, field, 120, problems)
    if text and not _NAME.match(text):
        problems.append(Problem("INVALID_CHARACTERS", field))
        return ""
    return text


def _date(value: Any, field: str, problems: list[Problem]) -> dt.date | None:
    if value in (None, ""):
        problems.append(Problem("FIELD_REQUIRED", field))
        return None
    if isinstance(value, dt.date):
        return value
    text = str(value)
    if len(text) == 10:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    problems.append(Problem("INVALID_DATE", field))
    return None


def _choice(value: Any, field: str, choices: type, problems: list[Problem]) -> str:
    if value in (None, ""):
        problems.append(Problem("FIELD_REQUIRED", field))
        return ""
    if value not in choices.values:  # type: ignore[attr-defined]
        problems.append(Problem("INVALID_VALUE", field))
        return ""
    return str(value)


def _district(value: Any, field: str, problems: list[Problem], *, required: bool = True) -> District | None:
    code = normalize_number(value)
    if not code:
        if required:
            problems.append(Problem("FIELD_REQUIRED", field))
        return None
    valid_shape = len(code) == 6 and code.isascii() and code.isdigit()
    district = District.objects.filter(code=code).select_related("regency").first() if valid_shape else None
    if district is None:
        problems.append(Problem("DISTRICT_UNKNOWN", field))
    return district


@dataclass
class IdentityInput:
    nik: str
    kk_number: str
    full_name: str
    birth_date: dt.date
    gender: str
    mother_name: str
    ktp_district: District
    address: str
    domicile_district: District


def check_identity(data: dict[str, Any], *, today: dt.date) -> tuple[IdentityInput | None, list[Problem]]:
    problems: list[Problem] = []
    full_name = _name(data.get("full_name"), "full_name", problems)
    mother_name = _name(data.get("mother_name"), "mother_name", problems)
    birth_date = _date(data.get("birth_date"), "birth_date", problems)
    if birth_date and birth_date > today:
        problems.append(Problem("BIRTH_DATE_IN_FUTURE", "birth_date"))
        birth_date = None
    gender = _choice(data.get("gender"), "gender", Gender, problems)
    ktp_district = _district(data.get("district_code"), "district_code", problems)
    domicile = _district(data.get("domicile_district_code"), "domicile_district_code", problems, required=False)
    address = _text(data.get("address"), "address", 300, problems)

    nik_raw, kk_raw = data.get("nik"), data.get("kk_number")
    if nik_raw in (None, ""):
        problems.append(Problem("FIELD_REQUIRED", "nik"))
    else:
        problems += check_nik(nik_raw, birth_date=birth_date, gender=gender or None, today=today)
    if kk_raw in (None, ""):
        problems.append(Problem("FIELD_REQUIRED", "kk_number"))
    else:
        problems += check_kk(kk_raw)

    if problems:
        return None, problems
    assert birth_date is not None and ktp_district is not None
    return (
        IdentityInput(
            nik=normalize_number(nik_raw),
            kk_number=normalize_number(kk_raw),
            full_name=full_name,
            birth_date=birth_date,
            gender=gender,
            mother_name=mother_name,
            ktp_district=ktp_district,
            address=address,
            # The domicile is where the person lives today; the KTP district is the default.
            domicile_district=domicile or ktp_district,
        ),
        [],
    )


PROFILE_FIELDS = (
    "education",
    "employment_status",
    "occupation",
    "in_formal_education",
    "disability",
    "former_migrant_worker",
    "prior_training",
    "marital_status",
    "dependents",
    "desired_topic",
)


def _bool(value: Any, field: str, problems: list[Problem]) -> bool | None:
    if value is None or value == "":
        problems.append(Problem("FIELD_REQUIRED", field))
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "1", "ya", "yes", "on"}:
        return True
    if isinstance(value, str) and value.lower() in {"false", "0", "tidak", "no", "off"}:
        return False
    problems.append(Problem("INVALID_TYPE", field))
    return None


def check_profile(data: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Problem]]:
    problems: list[Problem] = []
    clean: dict[str, Any] = {
        "education": _choice(data.get("education"), "education", Education, problems),
        "employment_status": _choice(data.get("employment_status"), "employment_status", EmploymentStatus, problems),
        "occupation": _choice(data.get("occupation"), "occupation", Occupation, problems),
        "marital_status": _choice(data.get("marital_status"), "marital_status", MaritalStatus, problems),
        "desired_topic": _text(data.get("desired_topic"), "desired_topic", 100, problems),
    }
    for field in ("in_formal_education", "disability", "former_migrant_worker", "prior_training"):
        clean[field] = _bool(data.get(field), field, problems)
    dependents = data.get("dependents")
    if dependents in (None, ""):
        problems.append(Problem("FIELD_REQUIRED", "dependents"))
    else:
        try:
            if isinstance(dependents, bool) or isinstance(dependents, float):
                raise ValueError
            clean["dependents"] = int(dependents)
            if not 0 <= clean["dependents"] <= 30:
                problems.append(Problem("INVALID_VALUE", "dependents"))
        except (TypeError, ValueError):
            problems.append(Problem("INVALID_TYPE", "dependents"))
    return (None, problems) if problems else (clean, [])
