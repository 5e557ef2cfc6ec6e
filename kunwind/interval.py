"""The 95% Wilson score interval of a measured proportion (precision, recall)."""

from __future__ import annotations

import math


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of k successes in n trials."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def proportion(k: int, n: int, word: str, unit: str = "") -> str:
    """``42% found (42 of 100; 95% interval 33%–52%)``: a measured share in words."""
    low, high = wilson(k, n)
    share = k / n if n else 0.0
    return f"{share:.0%} {word} ({k} of {n}{unit}; 95% interval {low:.0%}–{high:.0%})"
