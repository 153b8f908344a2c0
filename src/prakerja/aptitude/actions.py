"""Taking the test: start, save answers while time remains, finish.

Timing is the server's: an attempt's deadline is fixed when it starts
(``tkd_minutes``), and answers that arrive after the deadline plus a short
grace for slow connections (``tkd_grace_seconds``) are not counted. Answers
can be saved one by one, so a dropped connection loses nothing already sent.
An attempt left open past its deadline is finished with what was saved.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from typing import Any

from django.db import IntegrityError, transaction

from prakerja.accounts.models import User
from prakerja.aptitude.models import Attempt, Question
from prakerja.aptitude.periods import period_key
from prakerja.core import audit, clock
from prakerja.core.errors import DomainError, Problem, fail
from prakerja.core.program import setting


def current_period() -> str:
    return period_key(clock.today(), setting("tkd_period"))


def current_attempt(user: User) -> Attempt | None:
    attempt = Attempt.objects.filter(user=user, period=current_period()).first()
    if attempt is not None and attempt.finished_at is None and _time_over(attempt):
        attempt = _finish(attempt)
    return attempt


def test_taken(user: User) -> bool:
    """Eligibility's "test taken": a finished attempt in any period."""
    for attempt in Attempt.objects.filter(user=user, finished_at__isnull=True):
        if _time_over(attempt):
            _finish(attempt)
    return Attempt.objects.filter(user=user, finished_at__isnull=False).exists()


def _time_over(attempt: Attempt) -> bool:
    grace = dt.timedelta(seconds=setting("tkd_grace_seconds"))
    return clock.now() > attempt.deadline_at + grace


def _draw_questions() -> list[str]:
    """A fresh random selection per attempt, verbal questions first."""
    rng = random.Random(secrets.randbits(64))
    codes: list[str] = []
    for section, key in (("verbal", "tkd_questions_verbal"), ("quantitative", "tkd_questions_quantitative")):
        pool = list(Question.objects.filter(section=section, active=True).values_list("code", flat=True))
        codes += rng.sample(sorted(pool), min(setting(key), len(pool)))
    return codes


def start_attempt(user: User) -> Attempt:
    """Start the period's attempt, or resume it while its time runs."""
    from prakerja.registry.actions import has_current_declaration, person_of

    if not has_current_declaration(person_of(user)):
        raise fail("DECLARATION_REQUIRED", None, status=409)
    attempt = current_attempt(user)
    if attempt is not None:
        if attempt.finished_at is not None:
            raise fail("TEST_ALREADY_TAKEN", None, status=409)
        return attempt
    now = clock.now()
    codes = _draw_questions()
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                user=user,
                period=current_period(),
                started_at=now,
                deadline_at=now + dt.timedelta(minutes=setting("tkd_minutes")),
                question_codes=codes,
                max_score=len(codes),
            )
            audit.record("tkd.started", attempt, actor=user)
    except IntegrityError:
        # A second tab started it at the same moment: resume that one.
        return Attempt.objects.get(user=user, period=current_period())
    return attempt


def _clean_answers(attempt: Attempt, answers: Any) -> dict[str, int]:
    if not isinstance(answers, dict) or len(answers) > len(attempt.question_codes):
        raise fail("TEST_ANSWER_INVALID", "answers")
    allowed = set(attempt.question_codes)
    problems = []
    clean: dict[str, int] = {}
    for code, choice in answers.items():
        if code not in allowed or isinstance(choice, bool) or not isinstance(choice, int) or not 0 <= choice <= 9:
            problems.append(Problem("TEST_ANSWER_INVALID", f"answers.{str(code)[:12]}"))
        else:
            clean[code] = choice
    if problems:
        raise DomainError(problems)
    return clean


def _open_attempt(user: User) -> Attempt:
    attempt = Attempt.objects.select_for_update().filter(user=user, period=current_period()).first()
    if attempt is None:
        raise fail("TEST_NOT_STARTED", None, status=409)
    if attempt.finished_at is not None:
        raise fail("TEST_ALREADY_TAKEN", None, status=409)
    return attempt


@transaction.atomic
def save_answers(user: User, answers: Any) -> Attempt:
    """Record answers received in time; late ones are not counted and the attempt is finished."""
    attempt = _open_attempt(user)
    clean = _clean_answers(attempt, answers)
    if _time_over(attempt):
        attempt.late = True
        return _finish(attempt)
    attempt.answers = {**attempt.answers, **clean}
    attempt.save(update_fields=["answers"])
    return attempt


@transaction.atomic
def submit_attempt(user: User, answers: Any) -> Attempt:
    attempt = save_answers(user, answers or {})
    if attempt.finished_at is None:
        attempt = _finish(attempt)
    return attempt


def _finish(attempt: Attempt) -> Attempt:
    key = dict(Question.objects.filter(code__in=attempt.question_codes).values_list("code", "answer"))
    attempt.score = sum(1 for code, choice in attempt.answers.items() if key.get(code) == choice)
    attempt.finished_at = min(clock.now(), attempt.deadline_at + dt.timedelta(seconds=setting("tkd_grace_seconds")))
    attempt.save(update_fields=["score", "finished_at", "late"])
    audit.record("tkd.finished", attempt, actor=attempt.user, after={"score": attempt.score, "late": attempt.late})
    return attempt


def questions_for(attempt: Attempt) -> list[Question]:
    by_code = {q.code: q for q in Question.objects.filter(code__in=attempt.question_codes)}
    return [by_code[c] for c in attempt.question_codes if c in by_code]
