"""Test periods: one attempt per period, the period length being a program setting."""

from __future__ import annotations

import datetime as dt


def period_key(day: dt.date, period: str) -> str:
    if period == "year":
        return f"{day.year}"
    if period == "half":
        return f"{day.year}-H{1 if day.month <= 6 else 2}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if period == "month":
        return f"{day:%Y-%m}"
    raise ValueError(f"unknown test period {period!r}")
