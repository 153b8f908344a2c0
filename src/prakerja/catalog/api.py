"""``/api/v1/trainings``: the catalog, and ``/api/v1/coverage``: offline supply per region."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema

from prakerja.accounts.api import ErrorsOut
from prakerja.catalog import coverage as coverage_module
from prakerja.catalog import search
from prakerja.catalog.models import Program
from prakerja.core.errors import fail

router = Router(tags=["catalog"])


class ProgramOut(Schema):
    id: str
    title: str
    category: str
    mode: str
    hours: int
    price: int
    institution: str
    province_code: str
    regency_code: str
    rating: float | None
    reviews: int
    open_classes: int
    next_class_starts: dt.datetime | None


class CatalogOut(Schema):
    total: int
    page: int
    pages: int
    results: list[ProgramOut]


class SessionOut(Schema):
    sequence: int
    starts_at: dt.datetime
    ends_at: dt.datetime


class ClassOut(Schema):
    code: str
    starts_at: dt.datetime
    enrollment_closes_at: dt.datetime
    capacity: int
    seats_left: int
    venue: str | None
    district_code: str | None
    sessions: list[SessionOut]


class ProgramDetailOut(ProgramOut):
    description: str
    competencies: list[str]
    classes: list[ClassOut]


def program_out(program: Program, result: search.Result | None = None) -> dict:
    row = result.open_classes.get(program.pk) if result else None
    return {
        "id": str(program.public_id),
        "title": program.title,
        "category": program.category,
        "mode": program.mode,
        "hours": program.hours,
        "price": program.price,
        "institution": program.institution.legal_name,
        "province_code": program.province_code,
        "regency_code": program.regency_code,
        "rating": program.rating,
        "reviews": program.rating_count,
        "open_classes": row["count"] if row else 0,
        "next_class_starts": row["next_start"] if row else None,
    }


@router.get("/trainings", response=CatalogOut, summary="Search the training catalog")
def trainings(
    request: HttpRequest,
    mode: str = "",
    category: str = "",
    province: str = "",
    regency: str = "",
    max_price: int | None = None,
    min_hours: int | None = None,
    min_rating: float | None = None,
    q: str = "",
    sort: str = "rating",
    page: int = 1,
) -> dict:
    """Approved programs. ``province``/``regency`` select offline and blended programs given
    there; ``sort``: rating (default), price, -price, hours, newest; 20 per page."""
    result = search.search(search.Filters.from_query(request.GET))
    return {
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "results": [program_out(p, result) for p in result.programs],
    }


@router.get(
    "/trainings/{program_id}",
    response={200: ProgramDetailOut, 404: ErrorsOut},
    summary="One program and its open classes",
)
def training(request: HttpRequest, program_id: str) -> dict:
    try:
        program = search.approved().select_related("institution").get(public_id=program_id)
    except (Program.DoesNotExist, ValueError, ValidationError):  # unknown, or not a UUID
        raise fail("NOT_FOUND", status=404) from None
    classes = search.classes_of(program)
    data = program_out(program)
    data["open_classes"] = len(classes)
    data["next_class_starts"] = classes[0].starts_at if classes else None
    data["description"] = program.description
    data["competencies"] = [line.strip() for line in program.competencies.splitlines() if line.strip()]
    data["classes"] = [
        {
            "code": c.code,
            "starts_at": c.starts_at,
            "enrollment_closes_at": c.enrollment_closes_at,
            "capacity": c.capacity,
            "seats_left": c.seats_left,
            "venue": c.venue.name if c.venue else None,
            "district_code": c.venue.district_id if c.venue else None,
            "sessions": [
                {"sequence": s.sequence, "starts_at": s.starts_at, "ends_at": s.ends_at} for s in c.sessions.all()
            ],
        }
        for c in classes
    ]
    return data


class CoverageOut(Schema):
    code: str
    name: str
    offline_classes: int
    blended_classes: int
    open_seats: int


@router.get("/coverage", response=list[CoverageOut], summary="Offline and blended classes with open seats per region")
def coverage(request: HttpRequest, level: str = "province") -> list[dict]:
    """``level=province`` (default) or ``regency``: every region, including those with none."""
    if level not in ("province", "regency"):
        raise fail("INVALID_VALUE", "level", status=422)
    return coverage_module.coverage(level)
