"""The program's budget per year, used against allocated (``reports.BudgetFigures``), from the ledger.

Where the money goes (payments.actions and the apps that post to it):

* ``budget_allocation``: state funding → program budget, when a batch is announced (its quota × balance);
* ``balance_credit``: program budget → each recipient's training balance;
* ``training_purchase`` / ``training_refund``: training balance ⇄ the held purchases (then the institution);
* ``incentive_earned``: state funding → incentives payable (incentives are funded as they are earned);
* ``incentive_paid`` / ``incentive_returned``: incentives payable ⇄ incentives paid out;
* ``balance_return`` and ``incentive_cancelled``: unused balances and cancelled incentives → treasury returns.

So every figure is read off the program's own (system) accounts, never a recipient's: per year,

* **allocated** = money into the program budget; **committed** = money out of it into training balances;
* **training used** = purchases into the held account less refunds out of the held or institution accounts;
* **incentives funded** = incentives earned; **incentives paid** = into "paid out" less returned by banks;
* **returned** = money into treasury returns (unused balances and cancelled incentives).

What remains at the end of a year is the running sum of (allocated + incentives funded − training used −
incentives paid − returned): the uncommitted budget, the unspent training balances and the incentives still
owed. Recovery receivables (clawbacks) are a memo pair outside this: money is back only when it is repaid.

The year is the entry's time in Asia/Jakarta. One ``GROUP BY`` (year, account kind, entry kind) in the
database; only its handful of rows comes into Python. The journal is append-only and an entry's time is
when it was written, so a closed year never changes: a refresh recomputes only from the year of the last
refresh (minus a margin for transactions still open then); ``refresh(full=True)`` recomputes every year
(needed only if entries were ever written with a past time, e.g. a back-fill).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import ExtractYear

from prakerja.core import clock
from prakerja.reports.models import BudgetFigures, Freshness

TABLE = "budget_figures"
# An entry is written inside a transaction a little before it commits; one this old is committed by now.
OPEN_TRANSACTION_MARGIN = dt.timedelta(minutes=10)
FLOWS = ("allocated", "committed", "training_used", "incentives_funded", "incentives_paid", "returned")
# Ledger account kinds (payments.models.LedgerAccount.Kind) the figures are read from.
_ACCOUNT_KINDS = ("budget", "holding", "institution_payable", "incentive_payable", "incentive_paid", "treasury")


def _year_start(year: int) -> dt.datetime:
    return dt.datetime(year, 1, 1, tzinfo=clock.JAKARTA)


def flows(since_year: int | None = None) -> dict[int, dict[str, int]]:
    """The flows per year from the postings on the program's accounts (from ``since_year`` on, if given)."""
    from prakerja.payments.models import Posting

    postings = Posting.objects.filter(account__kind__in=_ACCOUNT_KINDS)
    if since_year is not None:
        postings = postings.filter(entry__at__gte=_year_start(since_year))
    grouped = (
        postings.annotate(year=ExtractYear("entry__at", tzinfo=clock.JAKARTA))
        .values("year", "account__kind", "entry__kind")
        .annotate(inflow=Sum("amount", filter=Q(amount__gt=0)), outflow=Sum("amount", filter=Q(amount__lt=0)))
        .order_by()
    )
    out: dict[int, dict[str, int]] = {}
    for row in grouped:
        year, account, kind = int(row["year"]), row["account__kind"], row["entry__kind"]
        inflow, outflow = int(row["inflow"] or 0), -int(row["outflow"] or 0)
        cell = out.setdefault(year, dict.fromkeys(FLOWS, 0))
        if account == "budget":
            cell["allocated"] += inflow
            cell["committed"] += outflow
        elif account == "holding" and kind == "training_purchase":
            cell["training_used"] += inflow
        elif account in ("holding", "institution_payable") and kind == "training_refund":
            cell["training_used"] -= outflow
        elif account == "incentive_payable" and kind == "incentive_earned":
            cell["incentives_funded"] += inflow
        elif account == "incentive_paid":
            cell["incentives_paid"] += inflow - outflow
        elif account == "treasury":
            cell["returned"] += inflow
    return out


def refresh(full: bool = False) -> Freshness:
    """Bring the yearly figures up to date (see the module docstring); returns the "as of" row."""
    as_of = clock.now()
    with transaction.atomic():
        previous = Freshness.objects.filter(table=TABLE).first()
        since: int | None = None
        if not full and previous is not None and previous.as_of <= as_of:
            since = (previous.as_of - OPEN_TRANSACTION_MARGIN).astimezone(clock.JAKARTA).year
        figures = flows(since)
        stale = BudgetFigures.objects.all() if since is None else BudgetFigures.objects.filter(year__gte=since)
        stale.delete()
        BudgetFigures.objects.bulk_create(BudgetFigures(year=year, **cell) for year, cell in sorted(figures.items()))
        fresh, _ = Freshness.objects.update_or_create(
            table=TABLE, defaults={"as_of": as_of, "rows": BudgetFigures.objects.count()}
        )
    return fresh


def as_of() -> dt.datetime | None:
    fresh = Freshness.objects.filter(table=TABLE).first()
    return fresh.as_of if fresh else None


# --- reading ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Year:
    """One year's flows and what remained at its end (the running sum); ``year`` None is the total row."""

    year: int | None
    allocated: int
    committed: int
    training_used: int
    incentives_funded: int
    incentives_paid: int
    returned: int
    remaining: int

    @property
    def funded(self) -> int:
        """All the state put in: the program budget and the incentives."""
        return self.allocated + self.incentives_funded

    @property
    def used(self) -> int:
        """What reached people and institutions: trainings bought and incentives paid."""
        return self.training_used + self.incentives_paid

    @property
    def used_percent(self) -> float | None:
        return round(100 * self.used / self.funded, 1) if self.funded else None


def years() -> list[Year]:
    """Every year with money moving, oldest first, then the total row (remaining = what remains today)."""
    out: list[Year] = []
    remaining = 0
    totals = dict.fromkeys(FLOWS, 0)
    for row in BudgetFigures.objects.order_by("year").values("year", *FLOWS):
        cell = {k: int(row[k]) for k in FLOWS}
        remaining += cell["allocated"] + cell["incentives_funded"]
        remaining -= cell["training_used"] + cell["incentives_paid"] + cell["returned"]
        out.append(Year(year=row["year"], remaining=remaining, **cell))
        totals = {k: totals[k] + cell[k] for k in FLOWS}
    if out:
        out.append(Year(year=None, remaining=remaining, **totals))
    return out
