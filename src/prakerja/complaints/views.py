"""Complaint pages: the public form, a participant's list, the reporter's ticket, the public look-up, and the
support dashboard with its ticket page. Views are thin: access through ``complaints.access``, changes
through ``complaints.actions``; a refusal is flashed with its code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prakerja.accounts.models import User
from prakerja.complaints import access, actions, rules, storage
from prakerja.complaints.forms import ComplaintForm, LookupForm, attachment_hint
from prakerja.complaints.labels import CATEGORY_LABELS, STATUS_LABELS
from prakerja.complaints.models import Complaint
from prakerja.core import audit, clock, roles
from prakerja.core.access import duty_required
from prakerja.core.errors import DomainError, Problem, language_of
from prakerja.core.forms import add_problems, say_problems
from prakerja.core.models import AuditEvent
from prakerja.core.program import setting
from prakerja.core.requests import client_ip

NEW_CODE_KEY = "complaint_new_code"
PAGE_SIZE = 50
# What the staff ticket page shows of a person, recorded as seen (audit.record_view) on every view.
PERSONAL_FIELDS = ("reporter_name", "reporter_email", "reporter_phone", "description", "messages")


def _found(get: Callable[..., Complaint], *args: Any, **kwargs: Any) -> Complaint:
    """A complaint from an access helper, its 404 refusal turned into the site's 404 page."""
    try:
        return get(*args, **kwargs)
    except DomainError as error:
        if error.status == 404:
            raise Http404 from None
        raise


def _too_big(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > rules.MAX_REQUEST_BYTES
    except ValueError:
        return True


def _refuse_too_big(request: HttpRequest) -> None:
    say_problems(request, [Problem("BODY_TOO_LARGE")])


def _files(request: HttpRequest) -> list[Any]:
    return list(request.FILES.getlist("attachments"))


def _is_participant(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role == "participant")


# --- reporters --------------------------------------------------------------------------------------------


def new(request: HttpRequest) -> HttpResponse:
    """File a complaint: a participant as themselves, anyone else with a name and an email or phone."""
    user = request.user
    participant = _is_participant(user)
    needs_region = not participant or actions._regency_of_participant(user) is None
    if request.method == "POST" and _too_big(request):
        _refuse_too_big(request)
        return redirect("complaints:new")
    form = ComplaintForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        public=not participant,
        needs_region=needs_region,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filed = actions.file_complaint(
                category=data["category"],
                subject=data["subject"],
                description=data["description"],
                reporter=user if user.is_authenticated else None,
                name=data.get("name", ""),
                email=data.get("email", ""),
                phone=data.get("phone", ""),
                regency_code=data.get("regency_code", ""),
                files=data["attachments"],
                actor=user if user.is_authenticated else None,
                ip=client_ip(request),
            )
        except DomainError as error:
            add_problems(form, error.problems, language_of(request))
        else:
            complaint = filed.complaint
            if filed.access_code:
                access.grant(request.session, complaint)
                request.session[NEW_CODE_KEY] = {"id": str(complaint.public_id), "code": filed.access_code}
            messages.success(request, _("Pengaduan Anda diterima dengan nomor %(n)s.") % {"n": complaint.number})
            return redirect("complaints:ticket", public_id=complaint.public_id)
    return render(request, "complaints/new.html", {"form": form, "participant": participant})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    complaints = access.own_complaints(request.user).order_by("-created_at")[:200]
    return render(request, "complaints/mine.html", {"complaints": complaints})


def ticket(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The reporter's page: the thread (never internal notes), a reply form, confirm or reopen once resolved."""
    complaint = _found(access.access_reporter_ticket, request, public_id)
    if request.method == "POST":
        if _too_big(request):
            _refuse_too_big(request)
        else:
            try:
                actions.reporter_reply(
                    complaint,
                    request.POST.get("body", ""),
                    _files(request),
                    user=request.user if request.user.is_authenticated else None,
                    ip=client_ip(request),
                )
            except DomainError as error:
                say_problems(request, error.problems)
            else:
                messages.success(request, _("Balasan Anda terkirim."))
        return redirect("complaints:ticket", public_id=complaint.public_id)
    new_code = request.session.pop(NEW_CODE_KEY, None)
    if not (isinstance(new_code, dict) and new_code.get("id") == str(complaint.public_id)):
        new_code = None
    thread = (
        complaint.messages.filter(internal=False)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    now = clock.now()
    reopen_days = int(setting("complaint_reopen_days"))
    can_reopen = rules.reopen_refusal(complaint.status, complaint.resolved_at, now, reopen_days) is None
    return render(
        request,
        "complaints/ticket.html",
        {
            "complaint": complaint,
            "thread": thread,
            "new_code": new_code["code"] if new_code else None,
            "can_reply": complaint.status in rules.ACTIVE,
            "can_confirm": complaint.status == rules.RESOLVED,
            "can_reopen": can_reopen,
            "reopen_until": complaint.resolved_at + dt.timedelta(days=reopen_days) if complaint.resolved_at else None,
            "attachment_hint": attachment_hint(),
        },
    )


@require_POST
def confirm(request: HttpRequest, public_id: Any) -> HttpResponse:
    complaint = _found(access.access_reporter_ticket, request, public_id)
    try:
        actions.confirm(complaint, user=request.user if request.user.is_authenticated else None, ip=client_ip(request))
    except DomainError as error:
        say_problems(request, error.problems)
    else:
        messages.success(request, _("Terima kasih. Pengaduan ditutup."))
    return redirect("complaints:ticket", public_id=complaint.public_id)


@require_POST
def reopen(request: HttpRequest, public_id: Any) -> HttpResponse:
    complaint = _found(access.access_reporter_ticket, request, public_id)
    try:
        actions.reopen(
            complaint,
            request.POST.get("reason", ""),
            user=request.user if request.user.is_authenticated else None,
            ip=client_ip(request),
        )
    except DomainError as error:
        say_problems(request, error.problems)
    else:
        messages.success(request, _("Pengaduan dibuka kembali."))
    return redirect("complaints:ticket", public_id=complaint.public_id)


def lookup(request: HttpRequest) -> HttpResponse:
    """A public reporter opens their ticket with its number and access code."""
    if request.method == "POST":
        form = LookupForm(request.POST)
        status = 200
        if form.is_valid():
            try:
                complaint = access.unlock_ticket(
                    form.cleaned_data["number"], form.cleaned_data["code"], ip=client_ip(request)
                )
            except DomainError as error:
                add_problems(form, error.problems, language_of(request))
                status = 429 if error.status == 429 else 200
            else:
                access.grant(request.session, complaint)
                return redirect("complaints:ticket", public_id=complaint.public_id)
        return render(request, "complaints/lookup.html", {"form": form}, status=status)
    form = LookupForm(initial={"number": access.normalize_number(request.GET.get("nomor", ""))})
    return render(request, "complaints/lookup.html", {"form": form})


def attachment(request: HttpRequest, public_id: Any) -> HttpResponseBase:
    """An attachment, for whoever may see its complaint; staff downloads are recorded as personal-data views."""
    try:
        found, as_staff = access.access_attachment(request, public_id)
    except DomainError:
        raise Http404 from None
    try:
        handle = storage.path_of(found.stored_name).open("rb")
    except (OSError, ValueError):
        raise Http404 from None
    if as_staff:
        audit.record_view(
            request.user,
            found.complaint,
            ["attachment"],
            purpose=f"complaint:{found.complaint.number}",
            ip=client_ip(request),
        )
    response = FileResponse(handle, content_type=found.content_type)
    response["Content-Disposition"] = content_disposition_header(True, found.original_name) or "attachment"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


# --- staff ------------------------------------------------------------------------------------------------


def support_staff() -> list[User]:
    """Accounts that may be given complaints (holders of the support duty)."""
    support_roles = [role for role, held in roles.DUTIES.items() if roles.SUPPORT in held]
    return list(
        User.objects.filter(Q(role__in=support_roles) | Q(is_superuser=True), is_active=True).order_by("email")[:200]
    )


def _filters(request: HttpRequest, staff: Any) -> tuple[dict[str, str], Q]:
    """The dashboard's filters from the query string (anything unknown is ignored), as a Q."""
    now = clock.now()
    chosen = {key: request.GET.get(key, "").strip()[:40] for key in ("status", "category", "region", "assignee")}
    chosen["breached"] = "1" if request.GET.get("breached") == "1" else ""
    chosen["due_soon"] = "1" if request.GET.get("due_soon") == "1" else ""
    if "status" not in request.GET:
        chosen["status"] = "active"
    q = Q()
    if chosen["status"] == "active":
        q &= Q(status__in=sorted(rules.ACTIVE))
    elif chosen["status"] in STATUS_LABELS:
        q &= Q(status=chosen["status"])
    else:
        chosen["status"] = ""
    if chosen["category"] in CATEGORY_LABELS:
        q &= Q(category=chosen["category"])
    else:
        chosen["category"] = ""
    region = chosen["region"]
    if region.isdigit() and len(region) in (2, 4):
        q &= Q(region_code__startswith=region) if len(region) == 2 else Q(region_code=region)
    else:
        chosen["region"] = ""
    assignee = chosen["assignee"]
    if assignee == "me":
        q &= Q(assignee=staff)
    elif assignee == "none":
        q &= Q(assignee__isnull=True)
    elif assignee:
        user = access.staff_member(assignee)
        q &= Q(assignee=user) if user is not None else Q(pk__in=[])
    if chosen["breached"]:
        q &= Q(status__in=sorted(rules.RUNNING), sla_due_at__lt=now)
    if chosen["due_soon"]:
        window = dt.timedelta(hours=int(setting("complaint_due_soon_hours")))
        q &= Q(status__in=sorted(rules.RUNNING), sla_due_at__gte=now, sla_due_at__lte=now + window)
    return chosen, q


@duty_required(roles.SUPPORT, roles.REGIONAL)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The support dashboard: SLA breaches and complaints due soon (in the officer's scope), and the list
    filtered by status, category, region, assignee, breached or due soon."""
    scoped = access.staff_complaints(request.user)
    now = clock.now()
    window = dt.timedelta(hours=int(setting("complaint_due_soon_hours")))
    running = Q(status__in=sorted(rules.RUNNING))
    counts = scoped.filter(status__in=sorted(rules.ACTIVE)).aggregate(
        breached=Count("id", filter=running & Q(sla_due_at__lt=now)),
        due_soon=Count("id", filter=running & Q(sla_due_at__gte=now, sla_due_at__lte=now + window)),
        unassigned=Count("id", filter=Q(assignee__isnull=True)),
    )
    per_status = dict(scoped.values_list("status").annotate(n=Count("id")).order_by())
    chosen, q = _filters(request, request.user)
    listing = scoped.filter(q).select_related("assignee").order_by("sla_due_at", "id")
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("halaman"))
    query = request.GET.copy()
    query.pop("halaman", None)
    return render(
        request,
        "complaints/staff_list.html",
        {
            "counts": counts,
            "per_status": [(code, label, per_status.get(code, 0)) for code, label in STATUS_LABELS.items()],
            "page": page,
            "chosen": chosen,
            "query": query.urlencode(),
            "statuses": STATUS_LABELS,
            "categories": CATEGORY_LABELS,
            "staff": support_staff() if access.is_support(request.user) else [],
            "now": now,
            "scope": access.region_scope(request.user),
        },
    )


@duty_required(roles.SUPPORT, roles.REGIONAL)
def staff_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Everything about one complaint, internal notes included. Showing it is a view of personal data,
    recorded with the purpose ``complaint:<number>``."""
    complaint = _found(access.access_staff_complaint, request.user, public_id)
    audit.record_view(
        request.user, complaint, PERSONAL_FIELDS, purpose=f"complaint:{complaint.number}", ip=client_ip(request)
    )
    thread = complaint.messages.select_related("author").prefetch_related("attachments").order_by("created_at", "id")
    history = (
        AuditEvent.objects.filter(object_type=Complaint._meta.label_lower, object_id=str(complaint.public_id))
        .exclude(action="personal_data.view")
        .select_related("actor")
        .order_by("at", "id")[:200]
    )
    support = access.is_support(request.user)
    return render(
        request,
        "complaints/staff_detail.html",
        {
            "complaint": complaint,
            "thread": thread,
            "history": history,
            "support": support,
            "may_note": access.may_note(request.user, complaint),
            "staff": support_staff() if support else [],
            "active": complaint.status in rules.ACTIVE,
            "can_resolve": rules.can_move(complaint.status, rules.RESOLVED),
            "can_escalate": rules.escalation_refusal(complaint.status, complaint.escalation_level) is None,
            "contacts": _contacts(complaint),
            "attachment_hint": attachment_hint(),
            "now": clock.now(),
        },
    )


def _contacts(complaint: Complaint) -> dict[str, str]:
    user = complaint.reporter_user
    if user is not None:
        return {"name": "", "email": user.email, "phone": user.phone or "", "account": str(user.public_id)}
    return {"name": complaint.reporter_name, "email": complaint.reporter_email, "phone": complaint.reporter_phone}


def _staff_action(request: HttpRequest, public_id: Any, act: Callable[[Complaint], Any], done: str) -> HttpResponse:
    complaint = _found(access.access_staff_complaint, request.user, public_id)
    if _too_big(request):
        _refuse_too_big(request)
    else:
        try:
            act(complaint)
        except DomainError as error:
            say_problems(request, error.problems)
        else:
            messages.success(request, done)
    return redirect("complaints:staff-detail", public_id=complaint.public_id)


@require_POST
@duty_required(roles.SUPPORT)
def staff_assign(request: HttpRequest, public_id: Any) -> HttpResponse:
    wanted = request.POST.get("assignee", "")
    assignee = request.user if wanted == "me" else access.staff_member(wanted)
    return _staff_action(
        request,
        public_id,
        lambda c: actions.assign(c, assignee, actor=request.user, ip=client_ip(request)),
        _("Petugas ditetapkan."),
    )


@require_POST
@duty_required(roles.SUPPORT)
def staff_reply(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _staff_action(
        request,
        public_id,
        lambda c: actions.staff_reply(
            c,
            request.user,
            request.POST.get("body", ""),
            _files(request),
            ask_reporter=request.POST.get("ask_reporter") == "1",
            ip=client_ip(request),
        ),
        _("Balasan terkirim ke pelapor."),
    )


@require_POST
@duty_required(roles.SUPPORT, roles.REGIONAL)
def staff_note(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _staff_action(
        request,
        public_id,
        lambda c: actions.add_note(
            c, request.user, request.POST.get("body", ""), _files(request), ip=client_ip(request)
        ),
        _("Catatan internal disimpan."),
    )


@require_POST
@duty_required(roles.SUPPORT)
def staff_escalate(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _staff_action(
        request,
        public_id,
        lambda c: actions.escalate(c, actor=request.user, reason=request.POST.get("reason", ""), ip=client_ip(request)),
        _("Pengaduan dieskalasi."),
    )


@require_POST
@duty_required(roles.SUPPORT)
def staff_resolve(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _staff_action(
        request,
        public_id,
        lambda c: actions.resolve(
            c, actor=request.user, resolution=request.POST.get("resolution", ""), ip=client_ip(request)
        ),
        _("Pengaduan diselesaikan; pelapor diberi tahu."),
    )


@require_POST
@duty_required(roles.SUPPORT)
def staff_close(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _staff_action(
        request,
        public_id,
        lambda c: actions.close(c, actor=request.user, reason=request.POST.get("reason", ""), ip=client_ip(request)),
        _("Pengaduan ditutup."),
    )


def home(request: HttpRequest) -> HttpResponse:
    """``/pengaduan/``: participants to their list, staff to the dashboard, visitors to the form."""
    user = request.user
    if access.is_complaint_staff(user):
        return redirect("complaints:staff-list")
    if _is_participant(user):
        return redirect("complaints:mine")
    return redirect(reverse("complaints:new"))
