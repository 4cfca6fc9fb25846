"""From the frustration head's three probabilities to the 0–100 score the gate reads.

The head says P(frustration ≥ 50), P(≥ 65) and P(≥ 80), each calibrated on
the labelled corpus. The score keeps DESIGN.md's bands meaningful by
construction: **score ≥ t exactly when P(a CS lead would rate the ticket ≥ t)
reaches** :data:`DECIDE_AT` — even odds for 50 (the digest's "near renewal"
line), 0.7 for 65 and 80, the lines that alert a person, where a false alarm
costs more than a late one. Chosen by cross-validation over held-out blocks of
the training corpus (``python -m cuewire_dev.evaluate_cv``) and on ``train2.jsonl``'s
writers held out, not on the dev split, whose writers are the training split's:
at 65, precision 0.79 / recall 0.65 across blocks and 0.92 / 0.58 on the other
writers, against 0.76 / 0.72 and 0.89 / 0.61 at 0.6 (with the subject line read apart
and training settling: 0.78 / 0.63 and 0.93 / 0.58, against 0.76 / 0.70 and 0.89 / 0.61
at 0.6, 0.79 / 0.52 and 0.97 / 0.50 at 0.8). Within a band the score rises with the
probability of reaching the next one.

>>> exact_score((0.2, 0.1, 0.0))
20.0
>>> exact_score((0.9, 0.7, 0.1)) >= 65, exact_score((0.9, 0.65, 0.1)) < 65
(True, True)
>>> exact_score((1.0, 1.0, 1.0))
100.0
"""

from __future__ import annotations

from collections.abc import Sequence

from config.taxonomy import RiskLevel

LEVELS = (50, 65, 80)
DECIDE_AT = (0.5, 0.7, 0.7)
"""The probability of reaching each level at which the score reaches it."""


def monotone(p: Sequence[float]) -> tuple[float, float, float]:
    """Clamp to [0, 1] and make P(≥ 50) ≥ P(≥ 65) ≥ P(≥ 80), as probabilities of nested events are."""
    p50 = min(1.0, max(0.0, float(p[0])))
    p65 = min(p50, max(0.0, float(p[1])))
    p80 = min(p65, max(0.0, float(p[2])))
    return p50, p65, p80


def exact_score(p: Sequence[float]) -> float:
    """The unrounded 0–100 score (evaluations rank on it)."""
    p50, p65, p80 = monotone(p)
    d50, d65, d80 = DECIDE_AT
    if p80 >= d80:
        return 80.0 + 20.0 * (p80 - d80) / (1.0 - d80)
    if p65 >= d65:
        return 65.0 + 15.0 * (p80 / d80)
    if p50 >= d50:
        return 50.0 + 15.0 * (p65 / d65)
    return 50.0 * p50 / d50


def rounded_score(p: Sequence[float]) -> int:
    """The score as an integer that stays on the same side of every threshold as the exact one."""
    exact = exact_score(p)
    value = round(exact)
    for level in LEVELS:
        if exact < level <= value:
            return level - 1
    return int(value)


def risk_level(score: int, topic: str | None) -> RiskLevel | None:
    """The band a score falls in; wrong or missing data is critical once the customer is frustrated."""
    if score >= 80 or (score >= 50 and topic == "data_integrity"):
        return "critical"
    if score >= 65:
        return "high"
    if score >= 50:
        return "medium-high"
    if score >= 35:
        return "low-medium"
    return None
