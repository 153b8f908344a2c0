"""The ledger's pure rules: what counts as an amount, a balanced entry, the same request, an overdraft."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prakerja.core.errors import MESSAGES, Problem
from prakerja.payments import errors as ledger_errors
from prakerja.payments.rules import MAX_AMOUNT, amount_problem, fingerprint, line_problems, overdrawn, rupiah

CODES = ["AMOUNT_INVALID", "BALANCE_INSUFFICIENT", "IDEMPOTENCY_CONFLICT", "ENTRY_UNBALANCED", "SAME_ACCOUNT"]


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


@pytest.mark.parametrize("code", CODES)
def test_every_ledger_code_has_distinct_indonesian_and_english_messages(code):
    assert code in ledger_errors.LEDGER_MESSAGES
    indonesian, english = MESSAGES[code]
    assert indonesian and english and indonesian != english
    params = {"max": "Rp 1", "available": "Rp 500.000", "needed": "Rp 1.000.000"}
    for language in ("id", "en"):
        text = Problem(code, params=params).message(language)
        assert "{" not in text, text


def test_insufficient_balance_message_names_both_amounts():
    problem = Problem("BALANCE_INSUFFICIENT", params={"available": rupiah(500_000), "needed": rupiah(1_000_000)})
    assert problem.message("id") == "Saldo tidak mencukupi: tersedia Rp 500.000, dibutuhkan Rp 1.000.000."
    assert problem.message("en") == "Insufficient balance: Rp 500.000 available, Rp 1.000.000 needed."


@pytest.mark.parametrize(
    ("amount", "text"), [(0, "Rp 0"), (3_500_000, "Rp 3.500.000"), (-1_000, "-Rp 1.000"), (999, "Rp 999")]
)
def test_rupiah_uses_indonesian_grouping(amount, text):
    assert rupiah(amount) == text


@pytest.mark.parametrize("amount", [1, 3_500_000, MAX_AMOUNT])
def test_positive_whole_rupiah_is_an_amount(amount):
    assert amount_problem(amount) is None


@pytest.mark.parametrize(
    "amount", [0, -1, -3_500_000, MAX_AMOUNT + 1, 1.0, 1000.5, True, False, "1000", Decimal("1000"), None]
)
def test_anything_else_is_amount_invalid(amount):
    problem = amount_problem(amount)
    assert problem is not None and problem.code == "AMOUNT_INVALID" and problem.field == "amount"


def test_two_lines_summing_to_zero_form_an_entry():
    assert line_problems([("program_budget", -3_500_000), ("training_balance:x", 3_500_000)]) == []
    assert line_problems([("a", -5), ("b", 2), ("c", 3)]) == []


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([], ["ENTRY_UNBALANCED"]),
        ([("a", 5)], ["ENTRY_UNBALANCED"]),
        ([("a", -5), ("b", 4)], ["ENTRY_UNBALANCED"]),
        ([("a", -5), ("a", 5)], ["SAME_ACCOUNT"]),
        ([("a", -5), ("b", 0), ("c", 5)], ["AMOUNT_INVALID"]),
        ([("a", -5.0), ("b", 5.0)], ["AMOUNT_INVALID"]),
        ([("a", -MAX_AMOUNT - 1), ("b", MAX_AMOUNT + 1)], ["AMOUNT_INVALID"]),
        ([("a", True), ("b", -1)], ["AMOUNT_INVALID"]),
    ],
)
def test_malformed_entries_are_refused_with_their_reason(lines, expected):
    assert codes(line_problems(lines)) == expected


@given(st.lists(st.integers(-MAX_AMOUNT, MAX_AMOUNT).filter(bool), min_size=1, max_size=6))
def test_money_is_never_created_an_entry_passes_only_when_it_sums_to_zero(amounts):
    lines = [(f"acct{i}", amount) for i, amount in enumerate(amounts)]
    balanced = [*lines, ("balancing", -sum(amounts))] if sum(amounts) else lines
    assert ("ENTRY_UNBALANCED" in codes(line_problems(lines))) == (sum(amounts) != 0 or len(lines) < 2)
    if sum(amounts) and abs(sum(amounts)) <= MAX_AMOUNT:
        assert line_problems(balanced) == []


@given(st.permutations([("a", -7), ("b", 3), ("c", 4)]))
def test_fingerprint_ignores_line_order(lines):
    assert fingerprint("purchase", lines) == fingerprint("purchase", [("a", -7), ("b", 3), ("c", 4)])


def test_fingerprint_changes_with_kind_account_or_amount():
    base = fingerprint("balance_credit", [("program_budget", -100), ("training_balance:p", 100)])
    assert len(base) == 64
    assert base != fingerprint("balance_return", [("program_budget", -100), ("training_balance:p", 100)])
    assert base != fingerprint("balance_credit", [("program_budget", -101), ("training_balance:p", 101)])
    assert base != fingerprint("balance_credit", [("program_budget", -100), ("training_balance:q", 100)])
    # The direction matters: crediting the budget is not the same request as debiting it.
    assert base != fingerprint("balance_credit", [("program_budget", 100), ("training_balance:p", -100)])


def test_overdrawn_names_only_accounts_that_would_go_below_zero():
    balances = {"budget": 1_000, "person": 0, "funding": 0}
    assert overdrawn(balances, [("budget", -1_000), ("person", 1_000)]) == []
    assert overdrawn(balances, [("budget", -1_001), ("person", 1_001)]) == ["budget"]
    assert overdrawn(balances, [("funding", -5), ("person", 5)]) == ["funding"]
    assert overdrawn(balances, [("funding", -5), ("person", 5)], allow_negative={"funding"}) == []
    # Credits never overdraw, even onto an account with a negative balance.
    assert overdrawn({"funding": -10, "x": 10}, [("funding", 10), ("x", -10)], allow_negative={"funding"}) == []
