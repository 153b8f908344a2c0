"""The monitoring dashboard (duty "aggregates", regional officers inside their area), its CSV exports,
and the public open-data page. Every figure comes from the aggregate tables, never from a person's row."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prakerja.core import roles
from prakerja.core.access import duty_required, is_pmo, region_scope
from prakerja.reports import actions, aggregates, exports, supply

TABLES = ("areas", "batches", "years", "profile", "outcomes", "supply")


def _figures(request: HttpRequest) -> dict[str, Any]:
    scope = region_scope(request.user) or ""
    rows = aggregates.scoped(scope)
    area_key = "province_code" if not scope else "regency_code"
    areas = aggregates.by(rows, area_key)
    names = aggregates.region_names([r[area_key] for r in areas] + ([scope] if scope else []))
    for r in areas:
        r["code"] = r[area_key]
        r["name"] = names.get(r["code"], "")
    total = aggregates.totals(rows)
    return {
        "scope": scope,
        "scope_name": names.get(scope, ""),
        "area_level": "province" if not scope else "regency",
        "areas": areas,
        "batches": aggregates.by(rows, "batch_number"),
        "years": aggregates.by(rows.exclude(batch_year=None), "batch_year"),
        "total": total,
        "shares": aggregates.shares(total),
        "outcomes": aggregates.outcomes(total),
        "supply": supply.in_area(scope),
        "as_of": aggregates.as_of(),
    }


@duty_required(roles.AGGREGATES)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/dashboard.html", _figures(request) | {"can_refresh": is_pmo(request.user)})


@duty_required(roles.AGGREGATES)
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """The program office asks for fresh figures now (the rebuild runs as a background task)."""
    if not is_pmo(request.user):
        raise PermissionDenied
    actions.request_refresh(request.user)
    messages.success(request, _("Penghitungan ulang angka telah dijadwalkan."))
    return redirect("reports:dashboard")


@duty_required(roles.AGGREGATES)
def export(request: HttpRequest) -> HttpResponse:
    """``?tabel=areas|batches|years|profile|outcomes|supply`` (areas by default) and ``&format=csv|xlsx``
    (CSV by default): one table of the dashboard, with the same rows and area scope as the page."""
    table = request.GET.get("tabel", "areas")
    if table not in TABLES:
        return HttpResponse(
            "INVALID_VALUE: tabel harus areas, batches, years, profile, outcomes atau supply / "
            "tabel must be areas, batches, years, profile, outcomes or supply",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        return HttpResponse(
            "INVALID_VALUE: format harus csv atau xlsx / format must be csv or xlsx",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    header, rows = exports.table_rows(table, _figures(request))
    if kind == "xlsx":
        response = HttpResponse(exports.as_xlsx(table, header, rows), content_type=exports.XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(exports.as_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pemantauan-{table}.{kind}"'
    return response


def open_data(request: HttpRequest) -> HttpResponse:
    """Public: figures per province, every cell under 10 people shown as "<10"."""
    rows = [r | {"cells": [r[c] for c in aggregates.OPEN_COUNTS]} for r in aggregates.open_data()]
    return render(
        request,
        "reports/open_data.html",
        {"rows": rows, "as_of": aggregates.as_of(), "small_cell": aggregates.SMALL_CELL},
    )
