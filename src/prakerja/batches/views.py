"""Batch pages: the public list, the participant's join and result, and the program office's console."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prakerja.batches import actions
from prakerja.batches.explain import outcome_counts, reason_problem
from prakerja.batches.export import csv_rows
from prakerja.batches.forms import BatchForm
from prakerja.batches.models import Application, Batch
from prakerja.core import roles
from prakerja.core.access import duty_required, participant_required
from prakerja.core.errors import DomainError, language_of
from prakerja.core.forms import add_problems, say_problems
from prakerja.core.requests import client_ip
from prakerja.regions.models import Province, Regency


def batch_list(request: HttpRequest) -> HttpResponse:
    batches = Batch.objects.exclude(status=Batch.Status.DRAFT).order_by("-number")[:30]
    return render(
        request, "batches/list.html", {"batches": batches, "open_numbers": {b.number for b in actions.open_batches()}}
    )


@participant_required
@require_POST
def join(request: HttpRequest, number: int) -> HttpResponse:
    try:
        actions.apply(request.user, number)  # type: ignore[arg-type]
    except DomainError as exc:
        say_problems(request, exc.problems)
    else:
        messages.success(request, _("Anda sudah bergabung ke gelombang %(n)s. Tunggu hasil seleksi.") % {"n": number})
    return redirect("dashboard")


@participant_required
def my_result(request: HttpRequest, number: int) -> HttpResponse:
    application = (
        Application.objects.filter(batch__number=number, person__user_id=request.user.pk or 0)
        .select_related("batch", "result")
        .first()
    )
    if application is None:
        messages.error(request, _("Anda tidak bergabung ke gelombang ini."))
        return redirect("dashboard")
    problem = reason_problem(application)
    return render(
        request,
        "batches/result.html",
        {
            "application": application,
            "batch": application.batch,
            "reason": problem.message(language_of(request)) if problem else "",
            "recipient": getattr(application, "recipient", None) if application.status == "selected" else None,
        },
    )


# --- program office -------------------------------------------------------------------------------
@duty_required(roles.SELECTION)
def pmo_list(request: HttpRequest) -> HttpResponse:
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = actions.create_batch(
                number=data["number"],
                quota=data["quota"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                name=data["name"],
                allocation=data["allocation"],
                method=data["method"],
                quota_table=data["quota_table"],
                recovery=data["recovery"],
                actor=request.user,  # type: ignore[arg-type]
            )
        except DomainError as exc:
            add_problems(form, exc.problems, language_of(request), aliases={"quotas": "quota_table"})
        else:
            messages.success(request, _("Gelombang %(n)s dibuat (draf).") % {"n": batch.number})
            return redirect("pmo:batch", number=batch.number)
    batches = Batch.objects.annotate(applicants=Count("applications")).order_by("-number")
    return render(request, "batches/pmo_list.html", {"batches": batches, "form": form})


@duty_required(roles.SELECTION)
def pmo_batch(request: HttpRequest, number: int) -> HttpResponse:
    batch = actions.get_batch(number)
    if request.method == "POST":
        step = request.POST.get("step")
        steps = {
            "open": actions.open_batch,
            "close": actions.close_batch,
            "select": actions.select_batch,
            "announce": actions.announce_batch,
        }
        try:
            if step not in steps:
                raise DomainError([])
            steps[step](number, actor=request.user)  # type: ignore[operator]
        except DomainError as exc:
            say_problems(request, exc.problems)
        else:
            messages.success(request, _("Langkah berhasil: %(step)s.") % {"step": step})
        return redirect("pmo:batch", number=number)
    names = dict(Province.objects.values_list("code", "name")) | dict(Regency.objects.values_list("code", "name"))
    quotas = [
        {
            "code": q.region_code,
            "name": names.get(q.region_code, _("Nasional")),
            "quota": q.quota,
            "eligible": q.eligible,
            "selected": q.selected,
        }
        for q in batch.quotas.order_by("region_code")
    ]
    reasons = outcome_counts(batch)
    return render(
        request,
        "batches/pmo_batch.html",
        {"batch": batch, "quotas": quotas, "reasons": reasons, "applicants": batch.applications.count()},
    )


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


@duty_required(roles.SELECTION)
def pmo_export(request: HttpRequest, number: int) -> StreamingHttpResponse:
    batch = actions.get_batch(number)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in csv_rows(batch, actor=request.user, ip=client_ip(request))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="gelombang-{batch.number}.csv"'
    return response
