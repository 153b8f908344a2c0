"""Evaluation surveys: the employment-outcome question, asked some days after the first training."""

from __future__ import annotations

import uuid

from django.db import models

from prakerja.core import clock


class Outcome(models.TextChoices):
    WORKING = "working", "Bekerja / Working"
    BUSINESS = "business", "Berwirausaha / Running a business"
    LOOKING = "looking", "Masih mencari kerja / Still looking for work"


class SurveyInvitation(models.Model):
    """One survey wave sent to one person (30 and 90 days after completing the first training by default).

    The wave's position (1, 2) is the sequence of the survey incentive it earns,
    so answering never earns more than the program's two survey incentives.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="survey_invitations")
    sequence = models.PositiveSmallIntegerField()
    days_after = models.PositiveSmallIntegerField(help_text="Days after completion this wave was due.")
    sent_at = models.DateTimeField(default=clock.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    # Optional detail: monthly income bracket or free text would go here; the outcome is what the program reports.
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "sequence"], name="survey_wave_once"),
            models.CheckConstraint(condition=models.Q(sequence__in=[1, 2]), name="survey_sequence_bounded"),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True, outcome="")
                | models.Q(answered_at__isnull=False) & ~models.Q(outcome=""),
                name="survey_answer_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"survey {self.sequence} {self.person_id}"
