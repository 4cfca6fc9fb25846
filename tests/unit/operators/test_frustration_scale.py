"""The 0–100 scale: the gate's thresholds mean what the frustration head's probabilities say."""

from __future__ import annotations

import pickle

from hypothesis import given
from hypothesis import strategies as st

from operators.frustration_scale import DECIDE_AT, LEVELS, exact_score, monotone, risk_level, rounded_score
from operators.learned_score import LearnedScorer
from operators.score import Evidence

probability = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@given(probability, probability, probability)
def test_a_threshold_is_reached_exactly_when_its_probability_is(p50: float, p65: float,
                                                                p80: float) -> None:
    p = monotone((p50, p65, p80))
    exact, rounded = exact_score(p), rounded_score(p)
    assert 0 <= exact <= 100 and 0 <= rounded <= 100
    for level, decide, pi in zip(LEVELS, DECIDE_AT, p, strict=True):
        assert (exact >= level) == (pi >= decide)
        assert (rounded >= level) == (exact >= level)  # rounding never crosses a threshold


@given(probability, probability, probability, probability)
def test_the_score_rises_with_each_probability(a: float, b: float, c: float, d: float) -> None:
    low, high = sorted((a, b))
    assert exact_score(monotone((low, c, d))) <= exact_score(monotone((high, c, d)))


def test_nested_probabilities_are_made_consistent() -> None:
    assert monotone((0.4, 0.9, 1.2)) == (0.4, 0.4, 0.4)
    assert monotone((-0.1, 0.0, 0.0)) == (0.0, 0.0, 0.0)


def test_risk_levels_follow_the_bands_and_wrong_data_is_critical_once_frustrated() -> None:
    assert [risk_level(s, "billing") for s in (10, 35, 50, 65, 80)] == [
        None, "low-medium", "medium-high", "high", "critical"]
    assert risk_level(50, "data_integrity") == "critical"
    assert risk_level(49, "data_integrity") == "low-medium"


def test_evidence_is_built_once_and_travels_between_workers_as_itself() -> None:
    scorer = LearnedScorer.shipped()
    score = scorer.score("The HubSpot sync stopped again and our pipeline is empty, fix it today")
    copy = pickle.loads(pickle.dumps(score))
    assert isinstance(copy.evidence, Evidence)
    assert copy.evidence == score.evidence
    assert score.evidence is score.evidence  # kept after the first build
    assert copy == score
