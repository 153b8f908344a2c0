"""The monitoring dashboard (duty "aggregates", regional officers inside their area), its CSV/XLSX exports,
the planning sheet, the regional officers' APBD entry, and the public open-data page. Every figure comes
from the aggregate tables (or the officers' own APBD entries), never from a person's row."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prakerja.core import clock, roles
from prakerja.core.access import duty_required, is_pmo, region_scope
from prakerja.core.errors import DomainError, language_of
from prakerja.core.forms import add_problems
from prakerja.core.program import setting
from prakerja.reports import actions, aggregates, apbd, budget, coverage, exports, planning, supply
from prakerja.reports.forms import PlanningForm, RegionalBudgetForm

TABLES = ("areas", "batches", "years", "profile", "outcomes", "supply", "budget", "coverage", "no_offline", "apbd")
NATIONAL_ONLY = ("budget",)  # national money: never in a regional officer's view


def _scope(request: HttpRequest) -> str:
    """ "" for the national view (program office, ministry); an officer's province or regency code."""
    return region_scope(request.user) or ""


def _figures(request: HttpRequest) -> dict[str, Any]:
    scope = _scope(request)
    rows = aggregates.scoped(scope)
    area_key = "province_code" if not scope else "regency_code"
    areas = aggregates.by(rows, area_key)
    names = aggregates.region_names([r[area_key] for r in areas] + ([scope] if scope else []))
    for r in areas:
        r["code"] = r[area_key]
        r["name"] = names.get(r["code"], "")
    total = aggregates.totals(rows)
    regencies = coverage.regencies(scope)
    national = not scope
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
        "national": national,
        # The budget is the nation's money: read only for the national view, never put in an officer's context.
        "budget": budget.years() if national else [],
        "budget_as_of": budget.as_of() if national else None,
        "coverage": coverage.provinces(regencies) if national else regencies,
        "coverage_regencies": regencies,
        "no_offline": coverage.without_offline(scope, regencies),
        "apbd_own": apbd.comparison(scope) if scope else [],
        "apbd_national": apbd.national() if national else {"rows": [], "medians": []},
        "min_peers": apbd.MIN_PEERS,
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


def _invalid(indonesian: str, english: str) -> HttpResponse:
    return HttpResponse(
        f"INVALID_VALUE: {indonesian} / {english}", status=400, content_type="text/plain; charset=utf-8"
    )


def _file(table: str, kind: str, header: list[str], rows: list[list[Any]], name: str) -> HttpResponse:
    if kind == "xlsx":
        response = HttpResponse(exports.as_xlsx(table, header, rows), content_type=exports.XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(exports.as_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@duty_required(roles.AGGREGATES)
def export(request: HttpRequest) -> HttpResponse:
    """``?tabel=`` one of ``TABLES`` (areas by default) and ``&format=csv|xlsx`` (CSV by default): one table
    of the dashboard, with the same rows and area scope as the page (``coverage`` lists every regency/city of
    the area, also where the national page groups them by province). ``budget`` is national only (403)."""
    table = request.GET.get("tabel", "areas")
    if table not in TABLES:
        listed = ", ".join(TABLES)
        return _invalid(f"tabel harus salah satu dari {listed}", f"tabel must be one of {listed}")
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        return _invalid("format harus csv atau xlsx", "format must be csv or xlsx")
    if table in NATIONAL_ONLY and region_scope(request.user) is not None:
        raise PermissionDenied
    header, rows = exports.table_rows(table, _figures(request))
    return _file(table, kind, header, rows, f"pemantauan-{table}")


# --- the planning sheet ---------------------------------------------------------------------------------------

PLANNING_FIELDS = ("jumlah", "harga", "insentif", "overhead")


def default_incentive() -> int:
    """The incentives one recipient can earn under today's settings: after training, plus every survey."""
    return int(setting("training_incentive")) + int(setting("survey_incentive")) * len(setting("survey_days"))


def _planning_form(request: HttpRequest, scope: str, bound: bool) -> tuple[PlanningForm, str]:
    price, source = supply.average_price(scope)
    data: QueryDict | None = request.GET if bound else None
    form = PlanningForm(data, default_price=price, default_incentive=default_incentive())
    return form, source


@duty_required(roles.AGGREGATES)
def planning_sheet(request: HttpRequest) -> HttpResponse:
    """What training a number of residents would cost: a GET form (nothing is stored), the estimate beside it.

    The default price is the average of the approved offline and blended programs open in the officer's area
    (else in the country); the default incentive is the program's (after training plus every survey)."""
    scope = _scope(request)
    bound = any(name in request.GET for name in PLANNING_FIELDS)
    form, source = _planning_form(request, scope, bound)
    estimate = planning.estimate(form.inputs()) if bound and form.is_valid() else None
    context = {
        "form": form,
        "estimate": estimate,
        "price_source": form.price_source() if estimate else "",
        "default_source": source,
        "query": request.GET.urlencode() if estimate else "",
        "scope": scope,
        "scope_name": aggregates.region_names([scope]).get(scope, "") if scope else "",
    }
    return render(request, "reports/planning.html", context, status=400 if bound and form.errors else 200)


def _errors_in(language: str, request: HttpRequest, scope: str) -> str:
    with translation.override(language):
        form, _source = _planning_form(request, scope, True)
        form.is_valid()
        return "; ".join(f"{field}: {' '.join(str(m) for m in errors)}" for field, errors in form.errors.items())


@duty_required(roles.AGGREGATES)
def planning_export(request: HttpRequest) -> HttpResponse:
    """The planning sheet's estimate for the query's inputs (the page's fields) as CSV or XLSX;
    400 ``INVALID_VALUE`` with the problems in Indonesian and English for bad input."""
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        return _invalid("format harus csv atau xlsx", "format must be csv or xlsx")
    scope = _scope(request)
    form, source = _planning_form(request, scope, True)
    if not form.is_valid():
        return _invalid(_errors_in("id", request, scope), _errors_in("en", request, scope))
    estimate = planning.estimate(form.inputs())
    header, rows = exports.planning_rows(estimate, "input" if form.price_source() == "input" else source)
    return _file("planning", kind, header, rows, "perencanaan-anggaran")


# --- the region's APBD ----------------------------------------------------------------------------------------


@duty_required(roles.REGIONAL)
def regional_budget(request: HttpRequest) -> HttpResponse:
    """A regional officer records their own area's APBD for manpower affairs and total APBD for a year (POST),
    and sees their entries beside the other regions' median share. Nobody else enters one (403), and the
    area is always the officer's own: a form naming another region is refused (403)."""
    scope = region_scope(request.user)
    if not scope:
        raise PermissionDenied
    this_year = clock.today().year
    form = RegionalBudgetForm(request.POST or None, this_year=this_year, initial={"tahun": this_year})
    status = 200
    if request.method == "POST":
        if request.POST.get("wilayah", scope) != scope:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.record_regional_budget(
                    request.user, scope, data["tahun"], data["belanja_tenaga_kerja"], data["total_apbd"]
                )
            except DomainError as exc:
                if exc.status == 403:
                    raise PermissionDenied from exc
                add_problems(form, exc.problems, language_of(request))
            else:
                messages.success(request, _("APBD tahun %(year)s tersimpan.") % {"year": data["tahun"]})
                return redirect("reports:apbd")
        status = 422
    context = {
        "form": form,
        "scope": scope,
        "scope_name": aggregates.region_names([scope]).get(scope, ""),
        "entries": apbd.comparison(scope),
        "min_peers": apbd.MIN_PEERS,
    }
    return render(request, "reports/apbd.html", context, status=status)


def open_data(request: HttpRequest) -> HttpResponse:
    """Public: figures per province, every cell under 10 people shown as "<10"."""
    rows = [r | {"cells": [r[c] for c in aggregates.OPEN_COUNTS]} for r in aggregates.open_data()]
    return render(
        request,
        "reports/open_data.html",
        {"rows": rows, "as_of": aggregates.as_of(), "small_cell": aggregates.SMALL_CELL},
    )
