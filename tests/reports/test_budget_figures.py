"""The program's budget per year, used against allocated, from a few ledger entries posted by hand at known
times (one of them on 1 January in Jakarta while still 31 December in UTC), checked against figures worked
out by hand; only the national view (program office, ministry) sees it."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from prakerja.accounts.models import User
from prakerja.catalog import actions as catalog
from prakerja.payments import actions as ledger
from prakerja.registry.models import Person
from prakerja.reports import budget
from prakerja.reports.models import BudgetFigures

pytestmark = pytest.mark.django_db

UTC = dt.UTC
M = 1_000_000


def at(frozen_clock, *args: int) -> None:
    frozen_clock(dt.datetime(*args, tzinfo=UTC))


@pytest.fixture
def books(frozen_clock):
    """Two recipients' balances and one institution, and every kind of movement the program makes."""
    at(frozen_clock, 2025, 3, 1, 3)
    ledger.ensure_system_accounts()
    p1, p2 = (
        Person.objects.create(user=User.objects.create_user(f"budget{n}@contoh.id", "Rahasia#2024x")) for n in (1, 2)
    )
    institution = catalog.create_institution(legal_name="LPK Anggaran", licence_number="LPK/32/0777")
    acc = {
        code: ledger.system_account(code)
        for code in (
            ledger.STATE_FUNDING,
            ledger.PROGRAM_BUDGET,
            ledger.TREASURY_RETURNS,
            ledger.TRAINING_HOLDING,
            ledger.INCENTIVES_PAYABLE,
            ledger.INCENTIVES_PAID,
        )
    }
    b1, b2 = ledger.account_for_person(p1), ledger.account_for_person(p2)
    payable = ledger.account_for_institution(institution)
    n = iter(range(1, 100))

    def move(source, destination, amount: int, kind: str) -> None:
        ledger.transfer(
            source=source, destination=destination, amount=amount, kind=kind, idempotency_key=f"test:{next(n)}"
        )

    # 2025 (Jakarta)
    move(acc[ledger.STATE_FUNDING], acc[ledger.PROGRAM_BUDGET], 10_500_000, "budget_allocation")  # 3 × 3.5 M
    move(acc[ledger.PROGRAM_BUDGET], b1, 3_500_000, "balance_credit")
    move(acc[ledger.PROGRAM_BUDGET], b2, 3_500_000, "balance_credit")  # one place never named: 3.5 M stays
    at(frozen_clock, 2025, 4, 1, 3)
    move(b1, acc[ledger.TRAINING_HOLDING], 1 * M, "training_purchase")
    move(b2, acc[ledger.TRAINING_HOLDING], 2 * M, "training_purchase")
    at(frozen_clock, 2025, 5, 1, 3)
    move(acc[ledger.TRAINING_HOLDING], payable, 1 * M, "training_settlement")  # no effect on the budget
    move(acc[ledger.TRAINING_HOLDING], b2, 2 * M, "training_refund")
    at(frozen_clock, 2025, 6, 1, 3)
    move(acc[ledger.STATE_FUNDING], acc[ledger.INCENTIVES_PAYABLE], 600_000, "incentive_earned")
    move(acc[ledger.STATE_FUNDING], acc[ledger.INCENTIVES_PAYABLE], 50_000, "incentive_earned")
    move(acc[ledger.INCENTIVES_PAYABLE], acc[ledger.INCENTIVES_PAID], 600_000, "incentive_paid")
    # 31 December 17:30 UTC is 1 January 00:30 in Jakarta: a 2026 movement.
    at(frozen_clock, 2025, 12, 31, 17, 30)
    move(b2, acc[ledger.TREASURY_RETURNS], 3_500_000, "balance_return")
    # 2026
    at(frozen_clock, 2026, 2, 1, 3)
    move(acc[ledger.INCENTIVES_PAID], acc[ledger.INCENTIVES_PAYABLE], 600_000, "incentive_returned")  # bank sent back
    move(acc[ledger.INCENTIVES_PAYABLE], acc[ledger.INCENTIVES_PAID], 600_000, "incentive_paid")  # paid again
    at(frozen_clock, 2026, 3, 1, 3)
    move(acc[ledger.INCENTIVES_PAYABLE], acc[ledger.TREASURY_RETURNS], 50_000, "incentive_cancelled")
    move(payable, b1, 1 * M, "training_refund")  # cancelled after settlement
    move(b1, acc[ledger.TRAINING_HOLDING], 1_500_000, "training_purchase")
    at(frozen_clock, 2026, 4, 1, 3)
    return {"remaining_in_books": ledger.balance_of(acc[ledger.PROGRAM_BUDGET]) + ledger.balance_of(b1)}


# By hand:
# 2025: allocated 10.5 M; committed 7 M; trainings 3 M bought − 2 M refunded = 1 M; incentives funded 650 k,
#       paid 600 k; returned 0; remaining 10.5 M + 650 k − 1 M − 600 k = 9,550,000.
# 2026: trainings −1 M refunded + 1.5 M bought = 500 k; incentives paid −600 k + 600 k = 0; returned 3.5 M + 50 k;
#       remaining 9,550,000 − 500 k − 3,550,000 = 5,500,000 (= 3.5 M uncommitted + 2 M in a balance).
EXPECTED = {
    2025: (10_500_000, 7_000_000, 1_000_000, 650_000, 600_000, 0, 9_550_000),
    2026: (0, 0, 500_000, 0, 0, 3_550_000, 5_500_000),
    None: (10_500_000, 7_000_000, 1_500_000, 650_000, 600_000, 3_550_000, 5_500_000),
}
FIELDS = ("allocated", "committed", "training_used", "incentives_funded", "incentives_paid", "returned", "remaining")


def as_table(years: list[budget.Year]) -> dict[int | None, tuple[int, ...]]:
    return {y.year: tuple(getattr(y, f) for f in FIELDS) for y in years}


def test_budget_per_year_matches_hand_figures(books):
    fresh = budget.refresh()
    assert fresh.as_of == dt.datetime(2026, 4, 1, 3, tzinfo=UTC)
    assert as_table(budget.years()) == EXPECTED
    assert books["remaining_in_books"] == EXPECTED[None][-1]  # the running sum is what the books still hold
    total = budget.years()[-1]
    assert (total.funded, total.used, total.used_percent) == (11_150_000, 2_100_000, 18.8)
    assert budget.years()[0].used_percent == 14.3  # 1.6 M of 11.15 M


def test_refresh_recomputes_only_open_years(books, frozen_clock):
    budget.refresh()
    # A closed year's row is never recomputed by the regular refresh (the journal is append-only)…
    BudgetFigures.objects.create(year=2020, allocated=1)
    at(frozen_clock, 2026, 5, 1, 3)
    ledger.transfer(
        source=ledger.system_account(ledger.STATE_FUNDING),
        destination=ledger.system_account(ledger.PROGRAM_BUDGET),
        amount=7 * M,
        kind="budget_allocation",
        idempotency_key="test:late",
    )
    budget.refresh()
    figures = as_table(budget.years())
    assert figures[2026][0] == 7 * M and figures[2025] == (*EXPECTED[2025][:-1], 9_550_001)
    assert BudgetFigures.objects.filter(year=2020).exists()
    # …and a full one starts again from the postings.
    budget.refresh(full=True)
    assert not BudgetFigures.objects.filter(year=2020).exists()
    assert as_table(budget.years())[None][0] == 17_500_000


def test_national_view_shows_and_exports_the_budget(books, staff_client):
    budget.refresh()
    for role in ("ministry", "pmo_finance_checker"):
        client = staff_client(role)
        page = client.get("/pemantauan/")
        assert page.status_code == 200
        assert as_table(page.context["budget"]) == EXPECTED
        html = page.content.decode()
        assert 'id="budget-h"' in html and 'data-remaining="5500000"' in html and "10.500.000" in html
    rows = list(csv.reader(io.StringIO(client.get("/pemantauan/ekspor.csv?tabel=budget").content.decode())))
    assert rows[0] == ["year", *FIELDS, "used_percent", "as_of"]
    assert rows[1][:8] == ["2025", "10500000", "7000000", "1000000", "650000", "600000", "0", "9550000"]
    assert rows[3][0] == "total" and rows[3][7] == "5500000" and rows[3][8] == "18.8"
    workbook = client.get("/pemantauan/ekspor.csv?tabel=budget&format=xlsx")
    sheet = load_workbook(io.BytesIO(workbook.content), read_only=True).active
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert cells[2][:8] == [2026, 0, 0, 500_000, 0, 0, 3_550_000, 5_500_000]


def test_regional_officers_never_see_the_national_budget(books, staff_client):
    budget.refresh()
    for area in ("32", "3273"):
        officer = staff_client("regional", area)
        page = officer.get("/pemantauan/")
        assert page.status_code == 200
        assert page.context["budget"] == [] and page.context["budget_as_of"] is None
        html = page.content.decode()
        assert 'id="budget-h"' not in html and "10.500.000" not in html and "5500000" not in html
        assert officer.get("/pemantauan/ekspor.csv?tabel=budget").status_code == 403
        assert officer.get("/pemantauan/ekspor.csv?tabel=budget&format=xlsx").status_code == 403


def test_no_ledger_no_rows():
    budget.refresh()
    assert budget.years() == []
