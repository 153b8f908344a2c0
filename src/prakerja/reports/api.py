"""API operations of this app (mounted at ``/api/v1/``): the public open data."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from prakerja.reports import aggregates

router = Router(tags=["open data"])


class ProvinceFiguresOut(Schema):
    province_code: str
    province_name: str
    applicants: int | None
    eligible: int | None
    recipients: int | None
    revoked: int | None
    purchases: int | None
    completions: int | None
    incentives_paid: int | None
    women: int | None
    disability: int | None
    former_migrant_worker: int | None
    primary_or_less: int | None
    unemployed: int | None
    never_trained: int | None


class OpenDataOut(Schema):
    as_of: dt.datetime | None
    suppressed_below: int
    provinces: list[ProvinceFiguresOut]


@router.get(
    "/open-data",
    response=OpenDataOut,
    summary="Aggregate figures per province; every cell under 10 people is null (no login)",
)
def open_data(request: HttpRequest) -> dict:
    """Counts of people per province (``incentives_paid`` in rupiah, null when under 10 people were paid)."""
    return {"as_of": aggregates.as_of(), "suppressed_below": aggregates.SMALL_CELL, "provinces": aggregates.open_data()}
