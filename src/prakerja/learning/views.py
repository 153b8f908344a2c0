"""Participant pages of the marketplace: buying a class, my trainings (voucher and redeem codes),
the review, and the certificate with its public verification page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prakerja.core.access import participant_required
from prakerja.core.errors import DomainError
from prakerja.core.forms import say_problems
from prakerja.learning import actions, certificate
from prakerja.learning.api import purchases_of
from prakerja.learning.models import Certificate
from prakerja.registry.actions import person_of


@participant_required
@require_POST
def buy(request: HttpRequest, code: str) -> HttpResponse:
    try:
        actions.buy(person_of(request.user), code, actor=request.user)  # type: ignore[arg-type]
    except DomainError as error:
        say_problems(request, error.problems)
        back = request.POST.get("back", "")
        safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
        return redirect(back if back and safe else reverse("catalog:list"))
    messages.success(request, _("Pelatihan berhasil dibeli. Simpan kode voucher dan kode redeem Anda."))
    return redirect("learning:mine")


@participant_required
def mine(request: HttpRequest) -> HttpResponse:
    purchases = purchases_of(person_of(request.user))  # type: ignore[arg-type]
    rows = []
    for purchase in purchases:
        codes = [
            {"code": code, "opens": opens, "closes": closes, "state": state}
            for code, opens, closes, state in actions.redeem_schedule(purchase)
        ]
        rows.append({"purchase": purchase, "codes": codes, "review": getattr(purchase, "review", None)})
    return render(request, "learning/mine.html", {"rows": rows})


@participant_required
@require_POST
def review(request: HttpRequest, purchase_id: str) -> HttpResponse:
    try:
        rating = int(request.POST.get("rating", "0"))
    except ValueError:
        rating = 0
    try:
        actions.review(person_of(request.user), purchase_id, rating, request.POST.get("text", ""), actor=request.user)  # type: ignore[arg-type]
    except DomainError as error:
        say_problems(request, error.problems)
    except ValueError:
        raise Http404 from None
    else:
        messages.success(request, _("Terima kasih atas rating dan ulasan Anda."))
    return redirect("learning:mine")


def _certificate(token: str) -> Certificate:
    found = (
        Certificate.objects.select_related("purchase__person", "purchase__training_class__program__institution")
        .filter(verify_token=token)
        .first()
    )
    if found is None:
        raise Http404
    return found


def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Public: what the QR code on a certificate opens."""
    return render(request, "learning/verify.html", {"facts": certificate.facts(_certificate(token))})


@participant_required
def certificate_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The holder's own certificate as a PDF."""
    found = _certificate(token)
    if found.purchase.person.user_id != request.user.pk:
        raise Http404
    url = request.build_absolute_uri(reverse("certificate-verify", args=[token]))
    response = HttpResponse(certificate.pdf(found, url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="sertifikat-{found.pk}.pdf"'
    return response
