"""Pages of payments: the participant's incentives and payout account; the program office's
disbursement batches (maker and checker) and reconciliation."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from prakerja.core import clock, roles
from prakerja.core.access import duty_required, participant_required
from prakerja.core.errors import DomainError, Problem, language_of
from prakerja.core.forms import add_problems, say_problems
from prakerja.core.requests import client_ip
from prakerja.payments import disbursement, payout_accounts, reconciliation
from prakerja.payments.api import payments_of
from prakerja.payments.forms import PayoutAccountForm
from prakerja.payments.models import DisbursementBatch, Mismatch, Payout, StatementImport
from prakerja.registry.actions import person_of


# --- participant --------------------------------------------------------------------------------------------
@participant_required
def incentives(request: HttpRequest) -> HttpResponse:
    person = person_of(request.user)  # type: ignore[arg-type]
    form = PayoutAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payout_accounts.save_payout_account(person, form.cleaned_data, actor=request.user, ip=client_ip(request))
        except DomainError as exc:
            add_problems(form, exc.problems, language_of(request))
        else:
            messages.success(request, _("Rekening terverifikasi atas nama Anda dan tersimpan."))
            return redirect("payments:incentives")
    from prakerja.surveys.models import SurveyInvitation

    return render(
        request,
        "payments/incentives.html",
        {
            "form": form,
            "data": payments_of(person),
            "in_flight": payout_accounts.payout_in_flight(person),
            "has_identity": bool(person.nik),
            "surveys": SurveyInvitation.objects.filter(person=person, answered_at__isnull=True).order_by("sequence"),
        },
    )


# --- program office: disbursement -----------------------------------------------------------------------------
@duty_required(roles.FINANCE_MAKER, roles.FINANCE_CHECKER)
def batches(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            batch = disbursement.prepare_batch(actor=request.user)
        except DomainError as exc:
            say_problems(request, exc.problems)
            return redirect("pmo:disbursements")
        messages.success(request, _("Batch pencairan disiapkan. Petugas lain harus menyetujuinya."))
        return redirect("pmo:disbursement", batch_id=batch.public_id)
    rows = list(DisbursementBatch.objects.select_related("created_by", "approved_by").order_by("-created_at")[:100])
    due = disbursement.due_summary()
    return render(request, "payments/pmo_batches.html", {"batches": rows, "due": due})


@duty_required(roles.FINANCE_MAKER, roles.FINANCE_CHECKER)
def batch_detail(request: HttpRequest, batch_id: str) -> HttpResponse:
    try:
        batch = disbursement.get_batch(batch_id)
    except DomainError:
        raise Http404 from None
    if request.method == "POST":
        try:
            disbursement.approve_batch(batch.public_id, actor=request.user)
        except DomainError as exc:
            say_problems(request, exc.problems)
        else:
            messages.success(request, _("Batch disetujui; pembayaran dikirim di latar belakang."))
        return redirect("pmo:disbursement", batch_id=batch.public_id)
    progress = disbursement.progress_of(batch)
    finished = progress["confirmed"] + progress["failed"] + progress["returned"]
    # Failed, returned, or still open with a flag (the gateway unreachable for many attempts): what finance looks at.
    problems = (
        batch.payouts.filter(Q(status__in=[Payout.Status.FAILED, Payout.Status.RETURNED]) | ~Q(failure_code=""))
        .exclude(status=Payout.Status.CONFIRMED)
        .order_by("id")[:200]
    )
    return render(
        request,
        "payments/pmo_batch.html",
        {
            "batch": batch,
            "progress": progress,
            "finished": finished,
            "percent": round(100 * finished / batch.payout_count) if batch.payout_count else 100,
            "problems": problems,
            "may_approve": batch.status == DisbursementBatch.Status.AWAITING_APPROVAL
            and batch.created_by_id != request.user.pk,
        },
    )


# --- program office: reconciliation ---------------------------------------------------------------------------
@duty_required(roles.FINANCE_MAKER, roles.FINANCE_CHECKER)
def reconciliation_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and "mismatch" in request.POST:
        try:
            reconciliation.resolve(
                request.POST["mismatch"],
                request.POST.get("resolution", ""),
                actor=request.user,
                recheck=request.POST.get("recheck") == "1",
            )
        except DomainError as exc:
            say_problems(request, exc.problems)
        else:
            messages.success(request, _("Selisih diselesaikan."))
        return redirect("pmo:reconciliation")
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(request.POST.get("date", ""))
        except ValueError:
            say_problems(request, [Problem("INVALID_DATE", "date")])
            return redirect("pmo:reconciliation")
        upload = request.FILES.get("file")
        try:
            if upload is not None:
                if upload.size and upload.size > reconciliation.MAX_BYTES:
                    raise DomainError([Problem("BODY_TOO_LARGE", "file")], status=413)
                statement = reconciliation.import_statement(day, upload.read(), actor=request.user)
            else:
                statement = reconciliation.fetch_and_import(day, actor=request.user)
        except DomainError as exc:
            say_problems(request, exc.problems)
        else:
            text = _("Laporan %(d)s: %(rows)s baris, %(m)s cocok.")
            messages.success(request, text % {"d": day.isoformat(), "rows": statement.rows, "m": statement.matched})
        return redirect(reverse("pmo:reconciliation"))
    return render(
        request,
        "payments/pmo_reconciliation.html",
        {
            "open": Mismatch.objects.filter(resolved_at__isnull=True).select_related("statement").order_by("id")[:500],
            "open_count": Mismatch.objects.filter(resolved_at__isnull=True).count(),
            "imports": StatementImport.objects.order_by("-imported_at")[:20],
            "yesterday": (clock.today() - dt.timedelta(days=1)).isoformat(),
        },
    )
