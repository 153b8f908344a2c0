"""The monitoring dashboard (duty "aggregates", regional officers inside their area), its CSV exports,
and the public open-data page. Every figure comes from the aggregate tables, never from a person's row."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prakerja.core import roles
from prakerja.core.access import duty_required, is_pmo, region_scope
from prakerja.reports import actions, aggregates

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
        "supply": aggregates.supply(scope),
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


FIGURE_COLUMNS = ("applicants", "eligible", "recipients", "revoked", "purchases", "completions", "incentives_paid")


@duty_required(roles.AGGREGATES)
def export(request: HttpRequest) -> HttpResponse:
    """``?tabel=areas|batches|years|profile|outcomes|supply`` (areas by default): one table of the dashboard as CSV."""
    table = request.GET.get("tabel", "areas")
    if table not in TABLES:
        return HttpResponse(
            "INVALID_VALUE: tabel harus areas, batches, years, profile, outcomes atau supply / "
            "tabel must be areas, batches, years, profile, outcomes or supply",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    data = _figures(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pemantauan-{table}.csv"'
    writer = csv.writer(response)
    as_of = data["as_of"].isoformat() if data["as_of"] else ""
    if table == "areas":
        writer.writerow(["region_code", "region_name", *FIGURE_COLUMNS, "as_of"])
        for r in data["areas"]:
            writer.writerow([r["code"], r["name"], *(r[c] for c in FIGURE_COLUMNS), as_of])
    elif table == "batches":
        writer.writerow(["batch", *FIGURE_COLUMNS, "as_of"])
        for r in data["batches"]:
            writer.writerow([r["batch_number"], *(r[c] for c in FIGURE_COLUMNS), as_of])
    elif table == "years":
        writer.writerow(["year", *FIGURE_COLUMNS, "as_of"])
        for r in data["years"]:
            writer.writerow([r["batch_year"], *(r[c] for c in FIGURE_COLUMNS), as_of])
    elif table == "outcomes":
        writer.writerow(
            ["wave", "answers", "working", "business", "working_or_business_percent", "ci95_low", "ci95_high", "as_of"]
        )
        for o in data["outcomes"]:
            low, high = o.ci or ("", "")
            either = "" if o.either_pct is None else o.either_pct
            writer.writerow([o.wave, o.answers, o.working, o.business, either, low, high, as_of])
    elif table == "supply":
        writer.writerow(["mode", "programs", "open_classes", "open_seats", "as_of"])
        for r in data["supply"]:
            writer.writerow([r["mode"], r["programs"], r["open_classes"], r["open_seats"], as_of])
    else:
        writer.writerow(["trait", "recipients_with_trait", "recipients", "percent", "as_of"])
        for s in data["shares"]:
            writer.writerow([s.key, s.count, s.of, "" if s.percent is None else s.percent, as_of])
    return response


def open_data(request: HttpRequest) -> HttpResponse:
    """Public: figures per province, every cell under 10 people shown as "<10"."""
    rows = [r | {"cells": [r[c] for c in aggregates.OPEN_COUNTS]} for r in aggregates.open_data()]
    return render(
        request,
        "reports/open_data.html",
        {"rows": rows, "as_of": aggregates.as_of(), "small_cell": aggregates.SMALL_CELL},
    )
