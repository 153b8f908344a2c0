"""The public program page (light enough for a 3G phone: no script, no images) and the program office's
announcements desk."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from prakerja.batches.models import Batch
from prakerja.core import clock, roles
from prakerja.core.access import duty_required
from prakerja.core.errors import DomainError
from prakerja.core.forms import say_problems
from prakerja.regions.models import Province
from prakerja.reports import outreach
from prakerja.reports.models import Announcement


def program_page(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    batches = Batch.objects.exclude(status=Batch.Status.DRAFT).filter(closes_at__gt=now).order_by("opens_at")[:5]
    return render(
        request,
        "reports/program.html",
        {
            "open_batches": [b for b in batches if b.opens_at <= now],
            "upcoming_batches": [b for b in batches if b.opens_at > now],
            "announcements": outreach.current(),
            "provinces": Province.objects.order_by("name"),
        },
    )


@duty_required(roles.SUPPORT)
def announcements_desk(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            if request.POST.get("withdraw"):
                outreach.withdraw(request.user, request.POST["withdraw"])
                messages.success(request, _("Pengumuman ditarik."))
            else:
                outreach.publish(request.user, request.POST.get("title"), request.POST.get("body"))
                messages.success(request, _("Pengumuman diterbitkan."))
        except DomainError as exc:
            say_problems(request, exc.problems)
        return redirect("reports:announcements")
    notices = Announcement.objects.select_related("author").order_by("-published_at")[:50]
    return render(request, "reports/announcements.html", {"notices": notices})
