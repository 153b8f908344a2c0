"""Pre-aggregated figures for the dashboards and open data: never a person's data.

Pages read only these tables; ``reports.aggregates.refresh`` rebuilds them set-based from the
program's tables (applications, recipients, purchases, incentives). Also the program office's public
announcements for the outreach page.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class RegionBatchFigures(models.Model):
    """Counts for one batch in one regency/city (the applicant's regency as applied).

    The profile columns count *recipients* (revoked included) with that trait in the registry.
    """

    batch_number = models.PositiveIntegerField()
    batch_year = models.PositiveSmallIntegerField(null=True, help_text="year the batch opened (Asia/Jakarta)")
    regency_code = models.CharField(max_length=4)
    province_code = models.CharField(max_length=2)
    applicants = models.PositiveIntegerField(default=0)
    eligible = models.PositiveIntegerField(default=0)
    recipients = models.PositiveIntegerField(default=0)
    revoked = models.PositiveIntegerField(default=0)
    purchases = models.PositiveIntegerField(default=0, help_text="purchases not cancelled")
    completions = models.PositiveIntegerField(default=0)
    incentives_paid = models.BigIntegerField(default=0, help_text="rupiah")
    paid_people = models.PositiveIntegerField(default=0, help_text="people with an incentive paid")
    women = models.PositiveIntegerField(default=0)
    disability = models.PositiveIntegerField(default=0)
    former_migrant_worker = models.PositiveIntegerField(default=0)
    primary_or_less = models.PositiveIntegerField(default=0, help_text="education SD or none")
    unemployed = models.PositiveIntegerField(default=0)
    never_trained = models.PositiveIntegerField(default=0)
    # Evaluation surveys answered, per wave (1 and 2), and the outcomes reported.
    wave1_answers = models.PositiveIntegerField(default=0)
    wave1_working = models.PositiveIntegerField(default=0)
    wave1_business = models.PositiveIntegerField(default=0)
    wave2_answers = models.PositiveIntegerField(default=0)
    wave2_working = models.PositiveIntegerField(default=0)
    wave2_business = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch_number", "regency_code"], name="figures_one_row_per_batch_regency")
        ]
        indexes = [models.Index(fields=["province_code"], name="figures_by_province")]

    def __str__(self) -> str:
        return f"batch {self.batch_number} / {self.regency_code}"


class SupplyFigures(models.Model):
    """Training supply by mode: approved programs with open classes, those classes and their free seats.

    Face-to-face modes are placed in the program's regency/city; online modes ("webinar",
    "self_paced") are national and have an empty regency.
    """

    mode = models.CharField(max_length=12)
    regency_code = models.CharField(max_length=4, blank=True)
    province_code = models.CharField(max_length=2, blank=True)
    programs = models.PositiveIntegerField(default=0)
    open_classes = models.PositiveIntegerField(default=0)
    open_seats = models.PositiveIntegerField(default=0)
    # The sum of the counted programs' prices: with ``programs``, the average price of what can be bought here.
    price_sum = models.BigIntegerField(default=0, help_text="rupiah")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mode", "regency_code"], name="supply_one_row_per_mode_regency")]

    def __str__(self) -> str:
        return f"{self.mode} / {self.regency_code or 'national'}"


class BudgetFigures(models.Model):
    """The program's money per year (Asia/Jakarta, by the journal entry's time), from the ledger's postings on
    the program's own accounts (``reports.budget``). Flows of that year only; what remains is their running
    sum, computed on reading. National money: shown to the program office and the ministry only."""

    year = models.PositiveSmallIntegerField(unique=True)
    allocated = models.BigIntegerField(default=0, help_text="rupiah funded into the program budget")
    committed = models.BigIntegerField(default=0, help_text="rupiah credited from the budget to training balances")
    training_used = models.BigIntegerField(default=0, help_text="rupiah of trainings bought, less refunds")
    incentives_funded = models.BigIntegerField(default=0, help_text="rupiah of incentives earned (funded)")
    incentives_paid = models.BigIntegerField(default=0, help_text="rupiah of incentives paid, less returned")
    returned = models.BigIntegerField(default=0, help_text="rupiah returned to the state treasury")

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return f"budget {self.year}"


class RegionalBudget(models.Model):
    """A region's own budget (APBD) for one year, as its regional officer entered it: the part for manpower
    affairs (urusan tenaga kerja) and the total. One row per region and year; a later entry replaces it
    (audited as ``reports.regional_budget_recorded`` with the figures before and after)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region_code = models.CharField(max_length=4, help_text="2 digits a province, 4 a regency/city")
    year = models.PositiveSmallIntegerField()
    manpower = models.BigIntegerField(help_text="rupiah for manpower affairs")
    total = models.BigIntegerField(help_text="rupiah, the whole APBD")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="regional_budget_one_per_region_year"),
            models.CheckConstraint(
                condition=models.Q(manpower__gt=0, total__gt=0, manpower__lte=models.F("total")),
                name="regional_budget_positive_manpower_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"APBD {self.region_code} {self.year}"


class Freshness(models.Model):
    """When an aggregate table was last rebuilt (one row per table): the pages' "as of" time."""

    table = models.CharField(max_length=40, unique=True)
    as_of = models.DateTimeField()
    rows = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.table} @ {self.as_of:%Y-%m-%d %H:%M}"


class Announcement(models.Model):
    """A notice of the program office on the public program page (a new batch, a changed rule, a warning
    against fraud). Withdrawn notices stay in the database, never shown again."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=150)
    body = models.TextField(max_length=3000)
    published_at = models.DateTimeField(db_index=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.title
