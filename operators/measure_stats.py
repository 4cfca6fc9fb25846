"""Confidence intervals for the measurements: a proportion (Wilson) and a difference of two (Newcombe).

Both are score intervals, not the textbook ``p ± z·√(p(1−p)/n)``: that one
collapses to a zero-width interval at 0 or 100 % and is far too narrow for the
few dozen reviewed alerts a new rule has, which is exactly when people look.

>>> low, high = wilson_interval(8, 10)
>>> round(low, 4), round(high, 4)
(0.4902, 0.9433)
>>> wilson_interval(0, 0)
(0.0, 1.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z_95 = 1.959963984540054
"""The two-sided 95 % normal quantile."""


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of ``successes / trials``; ``(0, 1)`` when nothing was tried."""
    if trials < 0 or successes < 0 or successes > trials:
        raise ValueError(f"need 0 <= successes <= trials, got {successes} of {trials}")
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    # At 0 or n successes the bound is exactly 0 or 1; rounding would leave 1e-17 off.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True, slots=True)
class Difference:
    """``p1 − p2`` with Newcombe's hybrid score interval (his method 10)."""

    p1: float
    p2: float
    low: float
    high: float

    @property
    def estimate(self) -> float:
        return self.p1 - self.p2


def difference_interval(successes1: int, trials1: int, successes2: int, trials2: int,
                        z: float = Z_95) -> Difference:
    """The difference of two independent proportions and its interval.

    Built from each arm's Wilson interval (l, u):
    ``d − √((p1−l1)² + (u2−p2)²)`` to ``d + √((u1−p1)² + (p2−l2)²)``.

    >>> d = difference_interval(30, 100, 15, 100)
    >>> round(d.estimate, 2), round(d.low, 4), round(d.high, 4)
    (0.15, 0.0341, 0.2615)
    """
    if trials1 == 0 or trials2 == 0:
        raise ValueError("both arms need at least one trial")
    p1, p2 = successes1 / trials1, successes2 / trials2
    l1, u1 = wilson_interval(successes1, trials1, z)
    l2, u2 = wilson_interval(successes2, trials2, z)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return Difference(p1, p2, low, high)
