"""The best precision a ranking allows at a recall floor: the floor holds, ties move together."""

from __future__ import annotations

import math

from cuewire_dev.evaluate_points import best_precision


def test_the_recall_floor_is_kept_even_when_a_higher_threshold_is_more_precise() -> None:
    truth = [True, True, False, True, False, False]
    scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    assert best_precision(truth, scores, 0.6) == {"precision": 1.0, "recall": 0.6667, "at": 0.8}
    assert best_precision(truth, scores, 0.9) == {"precision": 0.75, "recall": 1.0, "at": 0.6}


def test_tickets_of_one_score_are_taken_together() -> None:
    # At 0.8 a threshold takes both tickets or neither: precision 2/3 at recall 1, never 1/1.
    truth = [True, True, False]
    assert best_precision(truth, [0.9, 0.8, 0.8], 1.0) == {"precision": 0.6667, "recall": 1.0,
                                                            "at": 0.8}


def test_no_positive_gives_no_figure() -> None:
    assert math.isnan(best_precision([False, False], [0.2, 0.1], 0.9)["precision"])
