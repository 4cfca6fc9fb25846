"""Calibration: P(frustrated) onto 0–100 so that DESIGN.md's 50/65/80 mean what they say."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.taxonomy import DEFAULT_BANDS, load_taxonomy
from operators.learned_score import NOT_FRUSTRATED_CEILING, LearnedScorer, calibrate

GRID = [i / 1000 for i in range(1001)]


@pytest.mark.parametrize("band", sorted(set(DEFAULT_BANDS.values())))
def test_monotone_and_within_0_100(band: tuple[int, int]) -> None:
    scores = [calibrate(p, band) for p in GRID]
    assert all(0 <= s <= 100 for s in scores)
    assert all(a <= b for a, b in pairwise(scores))


@pytest.mark.parametrize("band", sorted(set(DEFAULT_BANDS.values())))
def test_even_odds_is_the_low_end_and_certainty_the_high_end(band: tuple[int, int]) -> None:
    low, high = band
    assert calibrate(0.5, band) == low
    assert calibrate(1.0, band) == high
    assert calibrate(0.0, band) == 0


@pytest.mark.parametrize("band", sorted(set(DEFAULT_BANDS.values())))
def test_a_ticket_judged_not_frustrated_crosses_no_gate_threshold(band: tuple[int, int]) -> None:
    assert all(calibrate(p, band) < NOT_FRUSTRATED_CEILING for p in GRID if p < 0.5)


def test_only_critical_language_reaches_80_and_only_high_or_worse_65() -> None:
    taxonomy = load_taxonomy()
    top = {name: calibrate(1.0, taxonomy.band(name)) for name in DEFAULT_BANDS}
    assert top["critical"] == 100
    assert max(top["high"], top["medium-high"], top["low-medium"], top["none"]) < 80
    assert max(top["medium-high"], top["low-medium"]) < 65
    assert top["low-medium"] < 50


@given(p=st.floats(-1.0, 2.0, allow_nan=False),
       q=st.floats(-1.0, 2.0, allow_nan=False),
       low=st.integers(0, 100), width=st.integers(0, 100))
def test_any_band_any_probability(p: float, q: float, low: int, width: int) -> None:
    band = (low, min(100, low + width))
    a, b = calibrate(p, band), calibrate(q, band)
    assert 0 <= a <= 100
    if p <= q:
        assert a <= b


def test_the_scorer_is_monotone_in_its_own_probability() -> None:
    # Tickets in the same band are ranked exactly as the model's probability ranks them.
    scorer = LearnedScorer.seeded(load_taxonomy())
    texts = ["The sync stopped", "Sync stopped again, unacceptable", "Is the sync stopped?",
             "Thanks, the sync stopped complaining", "Salesforce sync stopped, we are blocked"]
    assessed = sorted((scorer.assess(t) for t in texts), key=lambda a: a.probability)
    assert {a.level for a in assessed} == {"high"}
    scores = [a.exact_score for a in assessed]
    assert scores == sorted(scores)
