"""Catalog pages: the public catalog and program page, the program office's curation queue and
coverage table, the institution portal, and the regional officers' list of their institutions."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prakerja.catalog import actions, coverage, rules, search
from prakerja.catalog.models import Institution, Program, TrainingClass
from prakerja.catalog.rules import CATEGORIES, MODES
from prakerja.core import clock, roles
from prakerja.core.access import duty_required, in_region, institution_required, regional_required
from prakerja.core.errors import DomainError, Problem, language_of
from prakerja.learning import actions as learning
from prakerja.learning.models import Purchase
from prakerja.payments import actions as ledger
from prakerja.regions.models import Province


def _say(request: HttpRequest, problems: list[Problem]) -> None:
    for problem in problems:
        field = f" [{problem.field}]" if problem.field else ""
        messages.error(request, f"{problem.message(language_of(request))}{field} ({problem.code})")


def _categories(request: HttpRequest) -> list[tuple[str, str]]:
    english = language_of(request) == "en"
    return [(code, names[1] if english else names[0]) for code, names in CATEGORIES.items()]


# --- public catalog --------------------------------------------------------------------------------------
def catalog_list(request: HttpRequest) -> HttpResponse:
    result = search.search(search.Filters.from_query(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalog/list.html",
        {
            "result": result,
            "rows": [(p, result.open_classes.get(p.pk)) for p in result.programs],
            "categories": _categories(request),
            "modes": [(m, Program.Mode(m).label) for m in MODES],
            "provinces": Province.objects.order_by("name"),
            "query": query.urlencode(),
        },
    )


def program_detail(request: HttpRequest, program_id: str) -> HttpResponse:
    try:
        program = search.approved().select_related("institution", "district").get(public_id=program_id)
    except (Program.DoesNotExist, ValueError, Exception):
        raise Http404 from None
    return render(
        request,
        "catalog/detail.html",
        {
            "program": program,
            "classes": search.classes_of(program),
            "competencies": [c.strip() for c in program.competencies.splitlines() if c.strip()],
            "category": dict(_categories(request)).get(program.category, program.category),
        },
    )


# --- program office ----------------------------------------------------------------------------------------
@duty_required(roles.CURATION)
def curation(request: HttpRequest) -> HttpResponse:
    """The queue of submitted programs, oldest first; with ``?status=approved&q=…`` the approved
    programs, to suspend one."""
    status = Program.Status.APPROVED if request.GET.get("status") == "approved" else Program.Status.SUBMITTED
    programs = Program.objects.filter(status=status).select_related("institution", "district")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        programs = programs.filter(Q(title__icontains=q) | Q(institution__legal_name__icontains=q))
    order = "submitted_at" if status == Program.Status.SUBMITTED else "-decided_at"
    return render(
        request,
        "catalog/curation.html",
        {"queue": programs.order_by(order)[:100], "status": status, "q": q, "categories": dict(_categories(request))},
    )


@duty_required(roles.CURATION)
@require_POST
def curate(request: HttpRequest, program_id: str) -> HttpResponse:
    program = Program.objects.filter(public_id=program_id).first()
    if program is None:
        raise Http404
    try:
        if request.POST.get("decision") == "approve":
            actions.approve_program(program, actor=request.user)
            messages.success(request, _("Program disetujui: %(t)s") % {"t": program.title})
        elif request.POST.get("decision") == "suspend":
            actions.suspend_program(program, request.POST.get("reasons", ""), actor=request.user)
            messages.success(request, _("Program dibekukan: %(t)s") % {"t": program.title})
            return redirect(f"{reverse('pmo:curation')}?status=approved")
        else:
            reasons = [line for line in request.POST.get("reasons", "").splitlines() if line.strip()]
            actions.reject_program(program, reasons, actor=request.user)
            messages.success(request, _("Program ditolak: %(t)s") % {"t": program.title})
    except DomainError as error:
        _say(request, error.problems)
    return redirect("pmo:curation")


@duty_required(roles.SUPPORT)
def purchase_desk(request: HttpRequest) -> HttpResponse:
    """The program office finds a purchase by voucher code and can cancel it with the whole price
    returned — for trainings an institution can no longer deliver (suspended, closed down)."""
    voucher = request.GET.get("voucher", "").replace("\x00", "").strip().upper()[:16]
    found = (
        Purchase.objects.select_related("training_class__program__institution", "person")
        .filter(voucher_code=voucher)
        .first()
        if voucher
        else None
    )
    if request.method == "POST":
        purchase = Purchase.objects.filter(voucher_code=request.POST.get("voucher", "").strip().upper()[:16]).first()
        if purchase is None:
            raise Http404
        try:
            learning.cancel_purchase(purchase, request.POST.get("reason", "").strip(), actor=request.user)
        except DomainError as error:
            _say(request, error.problems)
        else:
            text = _("Pembelian %(v)s dibatalkan; harga dikembalikan ke saldo peserta.")
            messages.success(request, text % {"v": purchase.voucher_code})
        return redirect(f"{reverse('pmo:purchases')}?voucher={purchase.voucher_code}")
    return render(request, "catalog/purchase_desk.html", {"voucher": voucher, "purchase": found})


@duty_required(roles.CURATION, roles.AGGREGATES)
def coverage_page(request: HttpRequest) -> HttpResponse:
    level = "regency" if request.GET.get("level") == "regency" else "province"
    rows = coverage.coverage(level)
    return render(
        request,
        "catalog/coverage.html",
        {
            "rows": rows,
            "level": level,
            "without": [r for r in rows if not (r["offline_classes"] + r["blended_classes"])],
        },
    )


# --- regional officers -------------------------------------------------------------------------------------
@regional_required
def regional_institutions(request: HttpRequest, scope: str) -> HttpResponse:
    institutions = (
        in_region(Institution.objects.all(), scope, "regency_code")
        .annotate(
            approved=Count("programs", filter=Q(programs__status="approved"), distinct=True),
            submitted=Count("programs", filter=Q(programs__status="submitted"), distinct=True),
            rejected=Count("programs", filter=Q(programs__status="rejected"), distinct=True),
            certified=Count("trainers", filter=~Q(trainers__certificate_number=""), distinct=True),
            venue_count=Count("venues", distinct=True),
        )
        .order_by("legal_name")[:500]
    )
    rows = []
    for institution in institutions:
        gaps = rules.qualification_gaps(
            licence_number=institution.licence_number,
            district=institution.district_id is not None,
            certified_trainers=institution.certified,  # type: ignore[attr-defined]
            venues=institution.venue_count,  # type: ignore[attr-defined]
            offers_face_to_face=institution.kind != Institution.Kind.PLATFORM,
        )
        rows.append({"institution": institution, "gaps": [Problem(g).message(language_of(request)) for g in gaps]})
    return render(request, "catalog/regional.html", {"rows": rows, "scope": scope})


# --- institution portal ------------------------------------------------------------------------------------
@institution_required
def portal(request: HttpRequest, institution: Institution) -> HttpResponse:
    programs = institution.programs.order_by("-created_at")
    classes = (
        TrainingClass.objects.filter(program__institution=institution)
        .select_related("program")
        .order_by("-starts_at")[:100]
    )
    return render(
        request,
        "catalog/portal.html",
        {
            "institution": institution,
            "gaps": [Problem(g).message(language_of(request)) for g in actions.qualification(institution)],
            "programs": programs,
            "classes": classes,
            "categories": _categories(request),
            "modes": [(m, Program.Mode(m).label) for m in MODES],
            "approved": [p for p in programs if p.status == Program.Status.APPROVED],
            "trainers": institution.trainers.all(),
            "venues": institution.venues.all(),
            "payable": ledger.balance_of(ledger.account_for_institution(institution)),
        },
    )


@institution_required
@require_POST
def portal_program(request: HttpRequest, institution: Institution) -> HttpResponse:
    data: dict[str, Any] = {
        k: request.POST.get(k, "")
        for k in ("title", "category", "mode", "description", "competencies", "district_code")
    }
    for name in ("hours", "price"):
        try:
            data[name] = int(request.POST.get(name, "0").replace(".", ""))
        except ValueError:
            data[name] = 0
    try:
        program = actions.save_program(institution, data, actor=request.user)
        actions.submit_program(program, actor=request.user)
    except DomainError as error:
        _say(request, error.problems)
    else:
        messages.success(request, _("Program diajukan untuk kurasi."))
    return redirect("portal:home")


@institution_required
@require_POST
def portal_class(request: HttpRequest, institution: Institution) -> HttpResponse:
    try:
        program = institution.programs.filter(public_id=request.POST.get("program", "")).first()
    except ValidationError:  # not a UUID
        program = None
    if program is None:
        _say(request, [Problem("FIELD_REQUIRED", "program")])
        return redirect("portal:home")
    try:
        first = dt.datetime.fromisoformat(request.POST.get("first_start", "")).replace(tzinfo=clock.JAKARTA)
        count = max(1, min(int(request.POST.get("sessions", "1")), 30))
        hours = max(1, min(int(request.POST.get("hours_per_session", "1")), 12))
        capacity = int(request.POST.get("capacity", "0"))
    except ValueError:
        _say(request, [Problem("INVALID_VALUE", "sessions")])
        return redirect("portal:home")
    sessions = [(first + dt.timedelta(days=n), first + dt.timedelta(days=n, hours=hours)) for n in range(count)]
    venue_id = request.POST.get("venue", "")
    venue = institution.venues.filter(pk=int(venue_id)).first() if venue_id.isdigit() else None
    trainer_ids = [int(t) for t in request.POST.getlist("trainers") if t.isdigit()]
    trainers = list(institution.trainers.filter(pk__in=trainer_ids))
    try:
        created = actions.create_class(
            program, capacity=capacity, sessions=sessions, venue=venue, trainers=trainers, actor=request.user
        )
    except DomainError as error:
        _say(request, error.problems)
    else:
        messages.success(request, _("Kelas %(code)s dibuka.") % {"code": created.code})
    return redirect("portal:home")


@institution_required
@require_POST
def portal_trainer(request: HttpRequest, institution: Institution) -> HttpResponse:
    try:
        actions.add_trainer(
            institution,
            full_name=request.POST.get("full_name", ""),
            certificate_number=request.POST.get("certificate_number", ""),
            competency=request.POST.get("competency", ""),
            actor=request.user,
        )
    except DomainError as error:
        _say(request, error.problems)
    else:
        messages.success(request, _("Pelatih ditambahkan."))
    return redirect("portal:home")


@institution_required
@require_POST
def portal_venue(request: HttpRequest, institution: Institution) -> HttpResponse:
    capacity = request.POST.get("capacity", "")
    try:
        actions.add_venue(
            institution,
            name=request.POST.get("name", ""),
            district_code=request.POST.get("district_code", ""),
            capacity=int(capacity) if capacity.isdigit() else 0,
            address=request.POST.get("address", ""),
            facilities=request.POST.get("facilities", ""),
            actor=request.user,
        )
    except DomainError as error:
        _say(request, error.problems)
    else:
        messages.success(request, _("Tempat pelatihan ditambahkan."))
    return redirect("portal:home")


@institution_required
@require_POST
def portal_cancel_class(request: HttpRequest, institution: Institution, code: str) -> HttpResponse:
    """The institution cancels a class: every participant's price returns to their balance."""
    training_class = TrainingClass.objects.filter(
        code=code.replace("\x00", ""), program__institution=institution
    ).first()
    if training_class is None:
        raise Http404
    try:
        refunded = learning.cancel_class(training_class, request.POST.get("reason", ""), actor=request.user)
    except DomainError as error:
        _say(request, error.problems)
    else:
        messages.success(
            request,
            _("Kelas %(code)s dibatalkan; %(n)s peserta dikembalikan saldonya.") % {"code": code, "n": refunded},
        )
    return redirect("portal:home")


@institution_required
def portal_completion(request: HttpRequest, institution: Institution) -> HttpResponse:
    """Completion by CSV upload: one ``voucher_code`` per row. Valid rows are recorded, each
    broken row is reported with its line number and reason; nothing of a broken row is written."""
    results: list[dict[str, Any]] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or (upload.size or 0) > 2_000_000:
            _say(request, [Problem("CSV_INVALID", "file")])
            return redirect("portal:completion")
        try:
            text = upload.read().decode("utf-8-sig")
            reader = csv.DictReader(io.StringIO(text))
            columns = [c.strip().lower() for c in (reader.fieldnames or [])]
        except (UnicodeDecodeError, csv.Error):
            _say(request, [Problem("CSV_INVALID", "file")])
            return redirect("portal:completion")
        if "voucher_code" not in columns:
            _say(request, [Problem("CSV_COLUMNS_MISSING", "file", {"columns": "voucher_code"})])
            return redirect("portal:completion")
        language = language_of(request)
        for row in reader:
            # The line the row starts on in the file: blank lines are skipped by the reader, and a
            # quoted value may span lines (line_num is where the row ends).
            line = reader.line_num - sum(str(v).count("\n") for v in row.values() if isinstance(v, str))
            clean = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            voucher = clean.get("voucher_code", "")
            try:
                if not voucher:
                    raise DomainError([Problem("FIELD_REQUIRED", "voucher_code")])
                purchase = learning.complete(institution, voucher, actor=request.user)
            except DomainError as error:
                results.append(
                    {
                        "line": line,
                        "voucher": voucher,
                        "ok": False,
                        "code": error.problems[0].code,
                        "message": error.problems[0].message(language),
                    }
                )
            else:
                results.append(
                    {"line": line, "voucher": voucher, "ok": True, "certificate": purchase.certificate.number}
                )
        done = sum(1 for r in results if r["ok"])
        messages.success(
            request, _("%(ok)s baris tercatat, %(bad)s baris ditolak.") % {"ok": done, "bad": len(results) - done}
        )
    return render(request, "catalog/completion.html", {"institution": institution, "results": results})


def _statement_rows(institution: Institution) -> Any:
    return (
        Purchase.objects.filter(training_class__program__institution=institution)
        .select_related("training_class__program")
        .order_by("-purchased_at")
    )


@institution_required
def portal_statement(request: HttpRequest, institution: Institution) -> HttpResponse:
    rows = _statement_rows(institution)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="statement.csv"'
        writer = csv.writer(response)
        writer.writerow(
            ["voucher_code", "class_code", "program", "price", "status", "purchased_at", "completed_at", "settled_at"]
        )
        for p in rows.iterator(chunk_size=2000):
            writer.writerow(
                [
                    p.voucher_code,
                    p.training_class.code,
                    p.training_class.program.title,
                    p.price,
                    p.status,
                    p.purchased_at.isoformat(),
                    p.completed_at.isoformat() if p.completed_at else "",
                    p.settled_at.isoformat() if p.settled_at else "",
                ]
            )
        return response
    totals = rows.aggregate(
        settled=Sum("price", filter=Q(settled_at__isnull=False) & ~Q(status="cancelled")),
        held=Sum("price", filter=Q(settled_at__isnull=True, status="active")),
    )
    return render(
        request,
        "catalog/statement.html",
        {
            "institution": institution,
            "rows": rows[:200],
            "totals": totals,
            "payable": ledger.balance_of(ledger.account_for_institution(institution)),
        },
    )
