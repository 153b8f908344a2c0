"""Account pages: register, verify email and phone, log in and out."""

from __future__ import annotations

from urllib.parse import quote

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prakerja.accounts import actions, two_factor
from prakerja.accounts.forms import LoginForm, PhoneCodeForm, RegisterForm
from prakerja.accounts.staff_links import staff_links
from prakerja.core.errors import DomainError, Problem, language_of
from prakerja.core.forms import add_problems
from prakerja.core.requests import client_ip


def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.register(**form.cleaned_data, ip=client_ip(request))
        except DomainError as exc:
            add_problems(form, exc.problems, language_of(request))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Akun dibuat. Periksa email dan SMS Anda untuk verifikasi."))
            return redirect("accounts:verify")
    return render(request, "accounts/register.html", {"form": form})


def log_in(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.log_in(
                request, form.cleaned_data["email"], form.cleaned_data["password"], client_ip(request)
            )
        except DomainError as exc:
            add_problems(form, exc.problems, language_of(request))
        else:
            login(request, user)
            target = _safe_next(request)
            if two_factor.needs_second_factor(user):
                return redirect(f"{reverse('accounts:two-factor')}?next={quote(target or reverse('staff-home'))}")
            return redirect(target or "dashboard")
    return render(request, "accounts/login.html", {"form": form})


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else ""


@login_required
def two_factor_page(request: HttpRequest) -> HttpResponse:
    """The second factor: enrol an authenticator app on first use, then enter its code each log-in."""
    user = request.user
    if not two_factor.needs_second_factor(user):
        return redirect("dashboard")
    target = _safe_next(request) or reverse("staff-home")
    device = two_factor.confirmed_device(user)
    enrolling = device is None
    if device is None:
        device = two_factor.pending_device(user)
    error = ""
    if request.method == "POST":
        if two_factor.verify(request, device, request.POST.get("code", "")):
            return redirect(target)
        error = Problem("TWO_FACTOR_INVALID").message(language_of(request))
    context: dict[str, object] = {"enrolling": enrolling, "error": error}
    if enrolling:
        uri = two_factor.provisioning_uri(device)
        context |= {"secret": two_factor.secret_of(device), "qr": segno.make(uri).svg_data_uri(scale=4)}
    return render(request, "accounts/two_factor.html", context, status=400 if error else 200)


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """Where staff land after logging in: the pages their duties open, nothing else."""
    if not two_factor.needs_second_factor(request.user):
        return redirect("dashboard")
    return render(request, "accounts/staff_home.html", {"links": staff_links(request.user)})


@require_POST
def log_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("home")


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PhoneCodeForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "resend-email":
            actions.send_email_verification(user)  # type: ignore[arg-type]
            messages.info(request, _("Tautan verifikasi baru sudah dikirim ke email Anda."))
            return redirect("accounts:verify")
        if action == "resend-sms":
            try:
                actions.resend_phone_otp(user)  # type: ignore[arg-type]
            except DomainError as exc:
                messages.error(request, exc.problems[0].message(language_of(request)))
            else:
                messages.info(request, _("Kode SMS baru sudah dikirim."))
            return redirect("accounts:verify")
        form = PhoneCodeForm(request.POST)
        if form.is_valid():
            try:
                actions.verify_phone(user, form.cleaned_data["code"])  # type: ignore[arg-type]
            except DomainError as exc:
                add_problems(form, exc.problems, language_of(request))
            else:
                messages.success(request, _("Nomor ponsel terverifikasi."))
                return redirect("accounts:verify")
    if user.email_verified_at and user.phone_verified_at:  # type: ignore[union-attr]
        return redirect("dashboard")
    return render(request, "accounts/verify.html", {"form": form})


def verify_email_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        actions.verify_email(token)
    except DomainError as exc:
        return render(
            request,
            "accounts/verify_email_failed.html",
            {"problem": exc.problems[0], "message": exc.problems[0].message(language_of(request))},
            status=400,
        )
    messages.success(request, _("Email terverifikasi."))
    return redirect("accounts:verify" if request.user.is_authenticated else "accounts:login")
