"""Showing a rule's refusal on a web form, in the reader's language, with its code."""

from __future__ import annotations

from django import forms

from prakerja.core.errors import Problem


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
