"""Pages of the help desks: the officer's desk flow, the desk directory and report, the resident's
set-password page and the public directory.

Officer pages take the area from ``core.access.regional_required`` (the program office sees every
area, read-only); a registration or desk outside the area answers 404, an action by anyone but a
regional officer 403.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from prakerja.core import audit, clock
from prakerja.core.access import regional_required
from prakerja.core.errors import DomainError, Problem, language_of
from prakerja.core.forms import add_problems, say_problems
from prakerja.core.requests import client_ip
from prakerja.helpdesk import actions, consent, photos, rules
from prakerja.helpdesk.activation import tokens
from prakerja.helpdesk.forms import (
    AccountForm,
    ConsentForm,
    DeskForm,
    DeskIdentityForm,
    PhoneCodeForm,
    PhotoForm,
    ReportForm,
)
from prakerja.helpdesk.models import AssistedRegistration, HelpDesk, Status
from prakerja.regions.models import Province, Regency
from prakerja.registry.forms import ProfileForm
from prakerja.registry.validation import check_identity

View = Callable[..., HttpResponseBase]


def _http(exc: DomainError) -> None:
    """A 404/403 refusal becomes the page's 404/403 (a foreign object looks like a missing one)."""
    if exc.status == 404:
        raise Http404 from None
    if exc.status == 403 and any(p.code in ("HELPDESK_OFFICER_ONLY", "DUTY_REQUIRED") for p in exc.problems):
        raise PermissionDenied from None


def _registration(scope: str, rid: Any) -> AssistedRegistration:
    try:
        return actions.registration_in(scope, rid)
    except DomainError as exc:
        _http(exc)
        raise


def officer_action(view: View) -> View:
    """POST-only pages that change something: regional officers only (the program office looks, never acts)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            actions.acting_scope(request.user)
        except DomainError:
            raise PermissionDenied from None
        return view(request, *args, **kwargs)

    return wrapped


def _is_officer(request: HttpRequest) -> bool:
    try:
        actions.acting_scope(request.user)
    except DomainError:
        return False
    return True


def _step_url(registration: AssistedRegistration) -> str:
    """Where the desk flow continues."""
    name = {
        Status.CONSENTED: "helpdesk:account",
        Status.ACCOUNT: "helpdesk:contacts",
        Status.CONTACTS: "helpdesk:identity",
    }.get(registration.status, "helpdesk:registration")  # type: ignore[call-overload]
    if registration.status == Status.IDENTITY and registration.profile_saved_at is None:
        name = "helpdesk:profile"
    return reverse(name, args=[registration.public_id])


def _context(request: HttpRequest, registration: AssistedRegistration, **extra: Any) -> dict[str, Any]:
    resident = registration.resident
    return {
        "r": registration,
        "resident": resident,
        "can_act": _is_officer(request),
        "email_masked": _mask_email(resident.email) if resident else "",
        "phone_masked": _mask_phone(resident.phone or "") if resident else "",
        **extra,
    }


def _mask_email(email: str) -> str:
    name, _at, domain = email.partition("@")
    return f"{name[:2]}{'*' * max(1, len(name) - 2)}@{domain}"


def _mask_phone(phone: str) -> str:
    return f"{phone[:6]}{'*' * max(0, len(phone) - 9)}{phone[-3:]}" if phone else ""


# --- officer: list and start -------------------------------------------------------------------------------------
@regional_required
def desk_home(request: HttpRequest, scope: str) -> HttpResponse:
    registrations = actions.registrations_in(scope).order_by("-consented_at")[:200]
    return render(
        request,
        "helpdesk/home.html",
        {
            "registrations": registrations,
            "scope": scope,
            "can_act": _is_officer(request),
            "held_photos": actions.registrations_in(scope).exclude(photo_file="").count(),
        },
    )


@regional_required
def start(request: HttpRequest, scope: str) -> HttpResponse:
    if not _is_officer(request):
        raise PermissionDenied
    desks = list(actions.desks_in(scope).filter(active=True).order_by("name"))
    form = ConsentForm(request.POST or None, desks=desks, initial={"version": consent.CURRENT})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            desk = actions.desk_in(scope, data["desk"])
            registration = actions.start(
                request.user,
                desk,
                read_aloud=data["read_aloud"],
                method=data["method"],
                reference=data["reference"],
                version=data["version"],
                ip=client_ip(request),
            )
        except DomainError as exc:
            _http(exc)
            add_problems(form, exc.problems, language_of(request))
        else:
            messages.success(request, _("Persetujuan warga tercatat."))
            return redirect("helpdesk:account", registration.public_id)
    return render(
        request,
        "helpdesk/start.html",
        {
            "form": form,
            "desks": desks,
            "version": consent.CURRENT,
            "text": consent.text_of(consent.CURRENT, language_of(request)),
        },
        status=422 if form.errors else 200,
    )


# --- officer: one registration -----------------------------------------------------------------------------------
@regional_required
def registration_page(request: HttpRequest, scope: str, rid: Any) -> HttpResponse:
    registration = _registration(scope, rid)
    person = getattr(registration.resident, "person", None) if registration.resident else None
    return render(
        request,
        "helpdesk/registration.html",
        _context(request, registration, person=person, next_url=_step_url(registration)),
    )


@require_POST
@regional_required
@officer_action
def registration_action(request: HttpRequest, scope: str, rid: Any) -> HttpResponse:
    registration = _registration(scope, rid)
    action = request.POST.get("action")
    ip = client_ip(request)
    try:
        if action == "complete":
            actions.complete(request.user, registration, ip=ip)
            messages.success(request, _("Pendaftaran di meja layanan selesai."))
        elif action == "cancel":
            actions.cancel(request.user, registration, ip=ip)
            messages.info(request, _("Pendaftaran dibatalkan."))
        elif action == "resend-activation":
            actions.resend_activation(request.user, registration, ip=ip)
            messages.info(request, _("Tautan pembuatan kata sandi dikirim ulang ke ponsel dan email warga."))
    except DomainError as exc:
        _http(exc)
        say_problems(request, exc.problems)
    return redirect("helpdesk:registration", registration.public_id)


@regional_required
def account(request: HttpRequest, scope: str, rid: Any) -> HttpResponse:
    registration = _registration(scope, rid)
    if registration.resident_id is not None or not registration.open:
        return redirect(_step_url(registration))
    if not _is_officer(request):
        raise PermissionDenied
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_account(request.user, registration, **form.cleaned_data, ip=client_ip(request))
        except DomainError as exc:
            _http(exc)
            add_problems(form, exc.problems, language_of(request))
        else:
            messages.success(
                request,
                _(
                    "Akun dibuat tanpa kata sandi. Warga menerima kode SMS, tautan verifikasi email, dan tautan "
                    "untuk membuat kata sandinya sendiri."
                ),
            )
            return redirect("helpdesk:contacts", registration.public_id)
    return render(
        request, "helpdesk/account.html", _context(request, registration, form=form), status=422 if form.errors else 200
    )


@regional_required
def contacts(request: HttpRequest, scope: str, rid: Any) -> HttpResponse:
    registration = _registration(scope, rid)
    if registration.resident_id is None:
        return redirect(_step_url(registration))
    actions.refresh_contacts(request.user, registration)
    if registration.status != Status.ACCOUNT:
        return redirect(_step_url(registration))
    form = PhoneCodeForm()
    if request.method == "POST":
        if not _is_officer(request):
            raise PermissionDenied
        action = request.POST.get("action")
        ip = client_ip(request)
        try:
            if action == "resend-sms":
                actions.resend_phone_code(request.user, registration, ip=ip)
                messages.info(request, _("Kode SMS baru dikirim ke ponsel warga."))
                return redirect("helpdesk:contacts", registration.public_id)
            if action == "resend-email":
                actions.resend_email_link(request.user, registration, ip=ip)
                messages.info(request, _("Tautan verifikasi baru dikirim ke email warga."))
                return redirect("helpdesk:contacts", registration.public_id)
            if action == "code":
                form = PhoneCodeForm(request.POST)
                if form.is_valid():
                    actions.verify_phone(request.user, registration, form.cleaned_data["code"], ip=ip)
                    messages.success(request, _("Nomor ponsel warga terverifikasi."))
                    return redirect("helpdesk:contacts", registration.public_id)
            else:
                return redirect("helpdesk:contacts", registration.public_id)
        except DomainError as exc:
            _http(exc)
            add_problems(form, exc.problems, language_of(request))
    return render(
        request,
        "helpdesk/contacts.html",
        _context(request, registration, form=form),
        status=422 if form.errors else 200,
    )


@regional_required
def identity(request: HttpRequest, scope: str, rid: Any) -> HttpResponse:
    registration = _registration(scope, rid)
    if registration.status != Status.CONTACTS:
        return redirect(_step_url(registration))
    form = DeskIdentityForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not _is_officer(request):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.verify_identity(
                    request.user, registration, data, photo_matches=data["photo_matches"], ip=client_ip(request)
                )
            except DomainError as exc:
                _http(exc)
                add_problems(form, exc.problems, language_of(request))
                status = exc.status if exc.status in (403, 409, 503) else 422
            else:
                messages.success(
                    request,
                    _("Identitas cocok dengan data Dukcapil dan tersimpan. Foto KTP sudah dihapus."),
                )
                return redirect(_step_url(registration))
        else:
            # Every problem in one round trip, the rules' too, for the fields the form accepted.
            _identity, problems = check_identity(request.POST.dict(), today=clock.today())
            add_problems(form, [p for p in problems if p.field not in form.errors], language_of(request))
            status = 422
        registration.refresh_from_db()
    return render(
        request,
        "helpdesk/identity.html",
        _context(request, registration, form=form, photo_form=PhotoForm(), max_mb=photos.max_bytes() // 2**20),
        status=status,
    )


@csrf_exempt
def upload_photo(request: HttpRequest, rid: Any) -> HttpResponseBase:
    """Take the photo with a size limit applied while the body is read (so the limit is installed before
    anything parses the upload), then check the CSRF token as every other form does."""
    limit = photos.PhotoSizeLimit(request, photos.max_bytes())
    request.upload_handlers = [limit]
    return _upload_photo(request, rid, limit=limit)


@csrf_protect
@require_POST
@regional_required
@officer_action
def _upload_photo(request: HttpRequest, scope: str, rid: Any, *, limit: photos.PhotoSizeLimit) -> HttpResponse:
    registration = _registration(scope, rid)
    upload = request.FILES.get("photo")
    data = upload.read(photos.max_bytes() + 1) if upload is not None else None
    try:
        actions.upload_photo(request.user, registration, data, too_large=limit.too_large, ip=client_ip(request))
    except DomainError as exc:
        _http(exc)
        if registration.status != Status.CONTACTS:
            say_problems(request, exc.problems)
            return redirect(_step_url(registration))
        photo_form = PhotoForm(data={})
        photo_form.is_valid()
        add_problems(photo_form, exc.problems, language_of(request))
        return render(
            request,
            "helpdesk/identity.html",
            _context(
                request,
                registration,
                form=DeskIdentityForm(),
                photo_form=photo_form,
                max_mb=photos.max_bytes() // 2**20,
            ),
            status=413 if any(p.code == "HELPDESK_PHOTO_TOO_LARGE" for p in exc.problems) else 422,
        )
    messages.success(request, _("Foto KTP tersimpan sementara. Cocokkan dengan warga, lalu isi identitasnya."))
    return redirect("helpdesk:identity", registration.public_id)


@require_POST
@regional_required
@officer_action
def discard_photo(request: HttpRequest, scope: str, rid: Any) -> HttpResponse:
    registration = _registration(scope, rid)
    mismatch = request.POST.get("reason") == "mismatch"
    try:
        actions.discard_photo(request.user, registration, mismatch=mismatch, ip=client_ip(request))
    except DomainError as exc:
        _http(exc)
        say_problems(request, exc.problems)
        return redirect(_step_url(registration))
    if mismatch:
        messages.warning(request, _("Foto tidak cocok dengan warga: foto dihapus dan pendaftaran dibatalkan."))
        return redirect("helpdesk:registration", registration.public_id)
    messages.info(request, _("Foto dihapus. Unggah foto baru."))
    return redirect("helpdesk:identity", registration.public_id)


@never_cache
@regional_required
@officer_action
def photo(request: HttpRequest, scope: str, rid: Any) -> HttpResponse:
    """The held photo, for the officer's comparison only (never cached, every view audited)."""
    registration = _registration(scope, rid)
    found = actions.photo_of(request.user, registration, ip=client_ip(request))
    if found is None:
        raise Http404
    data, content_type = found
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "no-store, private"
    response["Content-Disposition"] = "inline"
    return response


@regional_required
def profile(request: HttpRequest, scope: str, rid: Any) -> HttpResponse:
    registration = _registration(scope, rid)
    if registration.identity_verified_at is None or registration.status == Status.CANCELLED:
        return redirect(_step_url(registration))
    form = ProfileForm(request.POST or None)
    if request.method == "POST":
        if not _is_officer(request):
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.save_profile(request.user, registration, form.cleaned_data, ip=client_ip(request))
            except DomainError as exc:
                _http(exc)
                add_problems(form, exc.problems, language_of(request))
            else:
                messages.success(request, _("Profil warga tersimpan."))
                return redirect("helpdesk:registration", registration.public_id)
    return render(
        request, "helpdesk/profile.html", _context(request, registration, form=form), status=422 if form.errors else 200
    )


# --- officer: the desk directory ----------------------------------------------------------------------------------
@regional_required
def desks(request: HttpRequest, scope: str) -> HttpResponse:
    return render(
        request,
        "helpdesk/desks.html",
        {"desks": actions.desks_in(scope).order_by("regency__code", "name"), "can_act": _is_officer(request)},
    )


@regional_required
def desk_edit(request: HttpRequest, scope: str, desk_id: Any = None) -> HttpResponse:
    desk: HelpDesk | None = None
    if desk_id is not None:
        try:
            desk = actions.desk_in(scope, desk_id)
        except DomainError as exc:
            _http(exc)
            raise
    if not _is_officer(request):
        raise PermissionDenied
    initial = (
        {
            "regency": desk.regency_id,
            "name": desk.name,
            "address": desk.address,
            "opening_hours": desk.opening_hours,
            "phone": rules.display_phone(desk.phone) if desk.phone else "",
            "email": desk.email,
            "active": desk.active,
        }
        if desk
        else {"active": True}
    )
    form = DeskForm(request.POST or None, scope=scope, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            desk = actions.save_desk(request.user, desk, form.cleaned_data, ip=client_ip(request))
        except DomainError as exc:
            _http(exc)
            add_problems(form, exc.problems, language_of(request))
        else:
            messages.success(request, _("Meja layanan tersimpan."))
            return redirect("helpdesk:desks")
    return render(request, "helpdesk/desk_form.html", {"form": form, "desk": desk}, status=422 if form.errors else 200)


# --- officer: the desk report -------------------------------------------------------------------------------------
def _report_range(request: HttpRequest) -> tuple[ReportForm, dt.date, dt.date, list[Problem]]:
    form = ReportForm(request.GET or None)
    today = clock.today()
    start_day, end_day = today - dt.timedelta(days=29), today
    problems: list[Problem] = []
    if form.is_bound:
        if form.is_valid():
            start_day = form.cleaned_data["start"] or start_day
            end_day = form.cleaned_data["end"] or end_day
        else:
            problems.append(Problem("INVALID_DATE", "start"))
    if end_day < start_day or (end_day - start_day).days > 366:
        problems.append(Problem("HELPDESK_DATE_RANGE", "start"))
        start_day, end_day = today - dt.timedelta(days=29), today
    return form, start_day, end_day, problems


@regional_required
def report(request: HttpRequest, scope: str) -> HttpResponse:
    form, start_day, end_day, problems = _report_range(request)
    if problems:
        add_problems(form, problems, language_of(request))
    rows = actions.desk_report(scope, start_day, end_day)
    return render(
        request,
        "helpdesk/report.html",
        {
            "form": form,
            "rows": rows,
            "by_officer": actions.totals_by(rows, "officer"),
            "by_desk": actions.totals_by(rows, "desk"),
            "start": start_day,
            "end": end_day,
            "scope": scope,
            "csv_query": f"start={start_day.isoformat()}&end={end_day.isoformat()}",
        },
        status=422 if problems else 200,
    )


CSV_COLUMNS = ("day", "officer", "desk", "desk_id", "regency_code", *actions.REPORT_COUNTS)


@regional_required
def report_csv(request: HttpRequest, scope: str) -> HttpResponse:
    _form, start_day, end_day, problems = _report_range(request)
    if problems:
        return HttpResponse(problems[0].message(language_of(request)), status=422, content_type="text/plain")
    rows = actions.desk_report(scope, start_day, end_day)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="laporan-meja-layanan-{start_day}-{end_day}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([row["day"].isoformat() if c == "day" else row[c] for c in CSV_COLUMNS])
    # Counts per officer: no resident's data, but officers' addresses are staff personal data.
    audit.record_export(
        request.user,
        "helpdesk-report",
        rows=len(rows),
        purpose=f"desk report {scope or 'national'} {start_day}..{end_day}",
        ip=client_ip(request),
    )
    return response


# --- the resident: set their own password ------------------------------------------------------------------------
ACTIVATION_SESSION_KEY = "_helpdesk_activation_token"
TOKEN_IN_SESSION = "atur-sandi"


@never_cache
def activate(request: HttpRequest, rid: Any, token: str) -> HttpResponse:
    """The link from the SMS or email: the resident chooses their password (the officer never sees it).

    As Django's password reset does, a valid token is moved into the session and the browser is sent
    to an address without it, so the token never leaks through a Referer header or a shared screen.
    """
    registration = (
        AssistedRegistration.objects.select_related("resident", "desk")
        .filter(public_id=rid, resident__isnull=False)
        .first()
    )
    user = registration.resident if registration else None
    from_session = token == TOKEN_IN_SESSION
    if from_session:
        token = request.session.get(ACTIVATION_SESSION_KEY, "")
    if registration is None or user is None or not user.is_active or not tokens.check_token(user, token):
        problem = Problem("HELPDESK_ACTIVATION_INVALID")
        return render(
            request,
            "helpdesk/activate.html",
            {"invalid": True, "message": problem.message(language_of(request)), "code": problem.code},
            status=400,
        )
    if not from_session:
        request.session[ACTIVATION_SESSION_KEY] = token
        return redirect("helpdesk:activate", registration.public_id, TOKEN_IN_SESSION)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.activate(registration, form, ip=client_ip(request))
        request.session.pop(ACTIVATION_SESSION_KEY, None)
        messages.success(request, _("Kata sandi tersimpan. Silakan masuk dengan email dan kata sandi Anda."))
        return redirect("accounts:login")
    return render(
        request,
        "helpdesk/activate.html",
        {"form": form, "email": user.email, "desk": registration.desk},
        status=422 if form.errors else 200,
    )


# --- public directory -----------------------------------------------------------------------------------------------
def directory(request: HttpRequest) -> HttpResponse:
    province = (request.GET.get("province") or "").strip()
    regency = (request.GET.get("regency") or "").strip()
    province = province if len(province) == 2 and province.isdigit() else ""
    regency = regency if len(regency) == 4 and regency.isdigit() else ""
    if regency and not regency.startswith(province):
        province = regency[:2]
    return render(
        request,
        "helpdesk/directory.html",
        {
            "desks": actions.public_desks(province=province, regency=regency),
            "provinces": Province.objects.all(),
            "regencies": Regency.objects.filter(province_id=province) if province else [],
            "province": province,
            "regency": regency,
        },
    )
