"""The test page: start, answer (saved as you go when scripts run), finish."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from prakerja.aptitude import actions
from prakerja.core import clock
from prakerja.core.access import participant_required
from prakerja.core.errors import DomainError
from prakerja.core.forms import say_problems


def _answers_from(request: HttpRequest) -> dict[str, int]:
    answers = {}
    for key in request.POST:
        value = request.POST.get(key, "")
        if key.startswith("q_") and value.isdigit():
            answers[key[2:]] = int(value)
    return answers


@participant_required
def test(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "start":
                actions.start_attempt(user)  # type: ignore[arg-type]
            elif action == "save":
                actions.save_answers(user, _answers_from(request))  # type: ignore[arg-type]
                return HttpResponse(status=204)
            elif action == "submit":
                finished = actions.submit_attempt(user, _answers_from(request))  # type: ignore[arg-type]
                if finished.late:
                    messages.warning(request, _("Waktu habis: jawaban yang terlambat tidak dihitung."))
                else:
                    messages.success(request, _("Tes selesai."))
                return redirect("dashboard")
        except DomainError as exc:
            if action == "save":
                return HttpResponse(exc.problems[0].code, status=exc.status)
            say_problems(request, exc.problems)
        return redirect("aptitude:test")
    attempt = actions.current_attempt(user)  # type: ignore[arg-type]
    context: dict[str, object] = {"attempt": attempt}
    if attempt is not None and attempt.finished_at is None:
        context["questions"] = actions.questions_for(attempt)
        context["seconds_left"] = max(0, int((attempt.deadline_at - clock.now()).total_seconds()))
    return render(request, "aptitude/test.html", context)
