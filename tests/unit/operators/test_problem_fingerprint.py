"""Where two tickets' fingerprints stop describing the same problem (``same: problem`` rules)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from operators import problem
from operators.problem import SAME_PROBLEM_AT, pack, same_problem, similarity


def fingerprints_at(cosine: float) -> tuple[str, str, float]:
    """Two packed fingerprints whose cosine after quantisation lies within 0.002 of ``cosine``
    (searched near the angle, the rest of the vector split between two components, since the
    signed-byte components round every angle)."""
    base = pack(np.array([1.0, 0.0, 0.0]))
    centre = math.acos(cosine)
    for step in range(400):
        angle = centre + (step // 2) * 1e-4 * (1 if step % 2 else -1)
        for split in (0.0, 0.2, 0.4, 0.6, 0.8):
            other = pack(np.array([math.cos(angle), math.sin(angle) * math.cos(split),
                                   math.sin(angle) * math.sin(split)]))
            found = similarity(base, other)
            if abs(found - cosine) < 0.002:
                return base, other, found
    raise AssertionError(f"no quantised pair near {cosine}")


def test_a_pair_just_past_the_threshold_is_the_same_problem_and_just_short_of_it_is_not() -> None:
    above = fingerprints_at(SAME_PROBLEM_AT + 0.004)
    below = fingerprints_at(SAME_PROBLEM_AT - 0.004)
    assert above[2] > SAME_PROBLEM_AT > below[2]
    assert same_problem(above[0], above[1])
    assert not same_problem(below[0], below[1])


def test_the_shipped_threshold_sits_between_0_495_and_0_505() -> None:
    # Chosen on the guides' re-worded triples (the constant's docstring); a re-choice moves
    # this test with it.
    near = fingerprints_at(0.5045)
    far = fingerprints_at(0.4955)
    assert same_problem(near[0], near[1])
    assert not same_problem(far[0], far[1])


def test_a_pair_the_earlier_threshold_refused_is_now_the_same_problem() -> None:
    # Re-chosen down from 0.55 on held-out writers' re-worded triples (the constant's
    # docstring): at 0.55 their agreement fell from 0.88 to 0.76.
    just_over_old = fingerprints_at(0.545)
    assert same_problem(just_over_old[0], just_over_old[1])
    assert not same_problem(just_over_old[0], just_over_old[1], at=0.55)


def test_reaching_the_threshold_exactly_counts_as_the_same() -> None:
    a, b, found = fingerprints_at(0.6)
    assert same_problem(a, b, at=found)
    assert not same_problem(a, b, at=found + 1e-6)


@pytest.mark.parametrize("a, b", [
    (None, pack(np.array([1.0, 0.0]))),
    (pack(np.array([1.0, 0.0])), None),
    ("not base64 at all!", pack(np.array([1.0, 0.0]))),
    (pack(np.array([1.0, 0.0])), pack(np.array([1.0, 0.0, 0.0]))),
])
def test_a_missing_malformed_or_other_sized_fingerprint_matches_nothing(a: str | None,
                                                                        b: str | None) -> None:
    assert not same_problem(a, b, at=1e-9)


def test_the_memo_gives_the_same_answer_as_the_first_reading() -> None:
    a, b, found = fingerprints_at(0.7)
    problem._similarities.clear()
    problem._readings.clear()
    assert similarity(a, b) == found == similarity(a, b)
    assert similarity(b, a) == pytest.approx(found)
