"""Whole-number shares, shared by the generator and its access log."""

import math
from collections.abc import Sequence


def split(total: int, weights: Sequence[float]) -> list[int]:
    """Share `total` in proportion to `weights` with whole numbers (largest remainder)."""
    if not weights:
        return []
    weight_sum = sum(weights) or 1.0
    exact = [total * weight / weight_sum for weight in weights]
    shares = [math.floor(value) for value in exact]
    order = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares
