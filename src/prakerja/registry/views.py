"""Participant pages: dashboard, identity, profile, declaration, the personal-data download.

A participant sees their own NIK and KK number in full on their identity page (``core.pii.shown``
gives a number in full to its owner); the dashboard, often open on a shared or watched screen,
shows the NIK masked.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from prakerja.batches.actions import open_batches
from prakerja.core import clock, pii
from prakerja.core.access import participant_required
from prakerja.core.errors import DomainError, language_of
from prakerja.core.forms import add_problems
from prakerja.core.requests import client_ip
from prakerja.payments.api import payments_of
from prakerja.registry import actions, declaration, subject_export
from prakerja.registry.api import mask_nik
from prakerja.registry.forms import DeclarationForm, IdentityForm, ProfileForm
from prakerja.registry.journey import journey
from prakerja.registry.validation import check_identity


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@participant_required
def dashboard(request: HttpRequest) -> HttpResponse:
    state = journey(request.user)  # type: ignore[arg-type]
    person = actions.person_of(request.user)  # type: ignore[arg-type]
    language = language_of(request)
    return render(
        request,
        "registry/dashboard.html",
        {
            "journey": state,
            "person": person,
            "nik_masked": mask_nik(person.nik),
            "reasons": [(p.code, p.message(language)) for p in state.reasons],
            "open_batches": open_batches() if state.state == "eligible" else [],
            "incentives": payments_of(person),
            "data_export_url": _data_export_url(),
        },
    )


def _data_export_url() -> str | None:
    """The download's address, when the site's URLs include the page (``registry:data-export``)."""
    try:
        return reverse("registry:data-export")
    except NoReverseMatch:
        return None


@participant_required
def data_export(request: HttpRequest) -> HttpResponse:
    """Everything the platform holds about the participant, as a JSON file (audited)."""
    document = subject_export.export(request.user, ip=client_ip(request), channel="web")  # type: ignore[arg-type]
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="data-pribadi-prakerja.json"'
    response["Cache-Control"] = "no-store"
    return response


@participant_required
def identity(request: HttpRequest) -> HttpResponse:
    person = actions.person_of(request.user)  # type: ignore[arg-type]
    if person.identity_verified_at:
        return render(
            request,
            "registry/identity_done.html",
            {
                "person": person,
                "nik": pii.shown(request.user, person, "nik"),
                "kk_number": pii.shown(request.user, person, "kk"),
            },
        )
    form = IdentityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.submit_identity(request.user, form.cleaned_data, ip=client_ip(request))  # type: ignore[arg-type]
        except DomainError as exc:
            add_problems(form, exc.problems, language_of(request))
        else:
            messages.success(request, _("Identitas Anda cocok dengan data Dukcapil dan sudah tersimpan."))
            return redirect("registry:profile")
    elif request.method == "POST":
        # Show every problem in one round trip (a slow connection makes each retry costly):
        # the rule checks too, for the fields the form itself accepted.
        _identity, problems = check_identity(request.POST.dict(), today=clock.today())
        add_problems(form, [p for p in problems if p.field not in form.errors], language_of(request))
    return render(request, "registry/identity.html", {"form": form})


@participant_required
def profile(request: HttpRequest) -> HttpResponse:
    person = actions.person_of(request.user)  # type: ignore[arg-type]
    initial = {
        f: ("true" if v is True else "false" if v is False else v)
        for f in ProfileForm.base_fields
        if (v := getattr(person, f)) not in (None, "")
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_profile(request.user, form.cleaned_data, ip=client_ip(request))  # type: ignore[arg-type]
        except DomainError as exc:
            add_problems(form, exc.problems, language_of(request))
        else:
            messages.success(request, _("Profil tersimpan."))
            return redirect("registry:declaration")
    return render(request, "registry/profile.html", {"form": form, "person": person})


@participant_required
def declaration_page(request: HttpRequest) -> HttpResponse:
    person = actions.person_of(request.user)  # type: ignore[arg-type]
    version = actions.current_declaration_version()
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.accept_declaration(request.user, version, ip=client_ip(request))  # type: ignore[arg-type]
        except DomainError as exc:
            add_problems(form, exc.problems, language_of(request))
        else:
            messages.success(request, _("Pernyataan dan persetujuan tersimpan."))
            return redirect("aptitude:test")
    return render(
        request,
        "registry/declaration.html",
        {
            "form": form,
            "version": version,
            "text": declaration.text_of(version, language_of(request)),
            "accepted": person.declarations.filter(version=version).first(),
        },
    )
