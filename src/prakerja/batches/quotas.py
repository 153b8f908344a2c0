"""Quota allocation (pure): split a batch's places among regions so the parts add up exactly."""

from __future__ import annotations

from collections.abc import Mapping


def largest_remainder(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Hamilton's method: each region gets floor(total * w / W), then the places left over go one
    each to the largest fractional remainders (ties: the lower region code), so the parts sum to
    ``total`` exactly. Regions with no weight get nothing; with no weight at all, nothing is placed.
    """
    weight_sum = sum(weights.values())
    if total < 0 or any(w < 0 for w in weights.values()):
        raise ValueError("total and weights must be non-negative")
    if weight_sum == 0:
        return dict.fromkeys(weights, 0)
    shares = {code: divmod(total * w, weight_sum) for code, w in weights.items()}
    quotas = {code: whole for code, (whole, _rest) in shares.items()}
    left = total - sum(quotas.values())
    by_remainder = sorted(shares, key=lambda code: (-shares[code][1], code))
    for code in by_remainder[:left]:
        quotas[code] += 1
    return quotas
