"""The basic aptitude test (Tes Kemampuan Dasar): question bank and timed attempts."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Question(models.Model):
    class Section(models.TextChoices):
        VERBAL = "verbal", "Verbal"
        QUANTITATIVE = "quantitative", "Kuantitatif / Quantitative"

    code = models.CharField(max_length=10, unique=True)
    section = models.CharField(max_length=20, choices=Section.choices)
    text = models.TextField()
    choices = models.JSONField()
    answer = models.PositiveSmallIntegerField(help_text="0-based index into choices")
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.code


class Attempt(models.Model):
    """One sitting of the test. The server's clock alone decides what counts."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tkd_attempts")
    period = models.CharField(max_length=10, help_text="e.g. 2026, 2026-H2, 2026-Q4, 2026-11")
    started_at = models.DateTimeField()
    deadline_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    question_codes = models.JSONField(help_text="codes, in the order shown")
    answers = models.JSONField(default=dict, help_text="code -> chosen index, as received in time")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    max_score = models.PositiveSmallIntegerField()
    late = models.BooleanField(default=False, help_text="an answer arrived after the time was over")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "period"], name="one_tkd_attempt_per_period")]

    def __str__(self) -> str:
        return f"TKD {self.period} {self.public_id}"
