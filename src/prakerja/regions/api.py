"""``/api/v1/regions``: today's provinces, regencies/cities and districts (public)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from prakerja.regions.models import District, Province, Regency

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str


@router.get("/provinces", response=list[RegionOut])
def provinces(request: HttpRequest) -> list[dict[str, Any]]:
    return [dict(row) for row in Province.objects.values("code", "name")]


@router.get("/provinces/{code}/regencies", response=list[RegionOut])
def regencies(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [dict(row) for row in Regency.objects.filter(province_id=code[:2]).values("code", "name")]


@router.get("/regencies/{code}/districts", response=list[RegionOut])
def districts(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [dict(row) for row in District.objects.filter(regency_id=code[:4]).values("code", "name")]
