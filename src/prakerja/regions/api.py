"""``/api/v1/regions``: today's provinces, regencies/cities and districts (public)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from prakerja.accounts.api import ErrorsOut
from prakerja.core.errors import fail
from prakerja.regions.models import District, Province, Regency

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str


@router.get("/provinces", response=list[RegionOut])
def provinces(request: HttpRequest) -> list[dict[str, Any]]:
    return [dict(row) for row in Province.objects.values("code", "name")]


def _region_code(code: str, length: int) -> str:
    """The parent's code from the path: ASCII digits, of which the first ``length`` name it (a
    longer code, e.g. a district's, names its regency or province). Anything else is refused
    before a query (PostgreSQL cannot even take a NUL character as a parameter)."""
    if not (code.isascii() and code.isdigit() and len(code) >= length):
        raise fail("INVALID_VALUE", "code", status=422)
    return code[:length]


@router.get(
    "/provinces/{code}/regencies",
    response={200: list[RegionOut], 422: ErrorsOut},
    summary="The regencies and cities of a province (2-digit code); an unknown one has none",
)
def regencies(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    province = _region_code(code, 2)
    return [dict(row) for row in Regency.objects.filter(province_id=province).values("code", "name")]


@router.get(
    "/regencies/{code}/districts",
    response={200: list[RegionOut], 422: ErrorsOut},
    summary="The districts of a regency or city (4-digit code); an unknown one has none",
)
def districts(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    regency = _region_code(code, 4)
    return [dict(row) for row in District.objects.filter(regency_id=regency).values("code", "name")]
