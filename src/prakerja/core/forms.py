"""Showing a rule's refusal on a web page, in the reader's language, with its code."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from prakerja.core.errors import Problem, language_of


def add_problems(
    form: forms.Form, problems: list[Problem], language: str, aliases: dict[str, str] | None = None
) -> None:
    """Attach each problem to its field (or to the form), message followed by the stable code.

    The code is shown so a help desk or complaint can quote it exactly.
    """
    aliases = aliases or {}
    for problem in problems:
        field = aliases.get(problem.field or "", problem.field)
        text = f"{problem.message(language)} ({problem.code})"
        form.add_error(field if field in form.fields else None, text)


def say_problems(request: HttpRequest, problems: list[Problem]) -> None:
    """Flash each refusal on the next page, message followed by the stable code."""
    language = language_of(request)
    for problem in problems:
        messages.error(request, f"{problem.message(language)} ({problem.code})")
