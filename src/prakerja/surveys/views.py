"""The survey page a participant reaches from the SMS or email link."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from prakerja.core.access import participant_required
from prakerja.core.errors import DomainError
from prakerja.core.forms import say_problems
from prakerja.registry.actions import person_of
from prakerja.surveys import actions
from prakerja.surveys.models import Outcome


@participant_required
def answer(request: HttpRequest, survey_id: str) -> HttpResponse:
    person = person_of(request.user)  # type: ignore[arg-type]
    try:
        survey = actions.invitation_for(person, survey_id)
    except DomainError:
        raise Http404 from None
    if request.method == "POST":
        try:
            actions.answer(
                person,
                survey.public_id,
                request.POST.get("outcome", ""),
                request.POST.get("note", ""),
                actor=request.user,
            )
        except DomainError as exc:
            say_problems(request, exc.problems)
            return redirect("surveys:answer", survey_id=survey.public_id)
        messages.success(request, _("Terima kasih! Insentif survei akan dibayarkan ke rekening Anda."))
        return redirect("payments:incentives")
    return render(request, "surveys/answer.html", {"survey": survey, "outcomes": Outcome.choices})
