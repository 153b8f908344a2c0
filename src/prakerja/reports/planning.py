"""The planning sheet's arithmetic: what training a number of residents would cost (pure; no database).

Every amount is whole rupiah (``int``). Steps:

1. training = residents × average training price;
2. incentives = residents × incentive per person;
3. subtotal = training + incentives;
4. overhead = subtotal × overhead percent ÷ 100, **rounded up** to the whole rupiah (computed exactly with
   fractions, never floats), so the estimate is never short by a fraction of a rupiah;
5. total = subtotal + overhead;
6. per person = total ÷ residents, rounded up likewise (for reading only; the total is not derived from it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

# Bounds of the inputs (also the form's): generous for any region, far inside a 64-bit rupiah column.
MAX_RESIDENTS = 100_000_000
MAX_PRICE = 1_000_000_000
MAX_INCENTIVE = 1_000_000_000
MAX_OVERHEAD_PERCENT = Decimal(100)


@dataclass(frozen=True)
class Inputs:
    residents: int
    price: int
    incentive: int = 0
    overhead_percent: Decimal = Decimal(0)


@dataclass(frozen=True)
class Estimate:
    inputs: Inputs
    training: int
    incentives: int
    subtotal: int
    overhead: int
    total: int
    per_person: int


def estimate(inputs: Inputs) -> Estimate:
    """The estimated budget and its breakdown (see the module docstring for the rounding)."""
    if inputs.residents <= 0:
        raise ValueError("residents must be positive")
    if min(inputs.price, inputs.incentive) < 0 or inputs.overhead_percent < 0:
        raise ValueError("amounts must not be negative")
    training = inputs.residents * inputs.price
    incentives = inputs.residents * inputs.incentive
    subtotal = training + incentives
    overhead = math.ceil(Fraction(subtotal) * Fraction(inputs.overhead_percent) / 100)
    total = subtotal + overhead
    return Estimate(
        inputs=inputs,
        training=training,
        incentives=incentives,
        subtotal=subtotal,
        overhead=overhead,
        total=total,
        per_person=math.ceil(Fraction(total, inputs.residents)),
    )
