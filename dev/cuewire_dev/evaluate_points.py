"""The best a ranking allows: each checked trade-off's precision at its recall floor, at any threshold.

``make eval`` measures the model at its shipped thresholds, which mixes two questions:
how well a score *ranks* the tickets and where the threshold was put. The issue's
targets are floors on one side and a level on the other (cancellation precision at
recall ≥ 0.90, the gate at 65's precision at recall ≥ 0.60), so this module answers the
first question alone: over every threshold of the score, the highest precision whose
recall still reaches the floor, and the threshold where it is reached. A change that
raises this figure ranks better; one that only moves the shipped figures along the curve
moved the threshold.

>>> best_precision([True, False, True, False], [0.9, 0.8, 0.7, 0.1], 0.5)
{'precision': 1.0, 'recall': 0.5, 'at': 0.9}
>>> best_precision([True, False, True, False], [0.9, 0.8, 0.7, 0.1], 1.0)
{'precision': 0.6667, 'recall': 1.0, 'at': 0.7}
"""

from __future__ import annotations

from collections.abc import Sequence

FLOORS = {"cancellation": 0.90, "gate65": 0.60}
"""The recall each checked trade-off must keep (issue 9's targets)."""


def best_precision(truth: Sequence[bool], scores: Sequence[float],
                   min_recall: float) -> dict[str, float]:
    """The highest precision of "score ≥ t" over every t whose recall reaches ``min_recall``,
    with that recall and t (ties of precision: the higher recall). NaN when nothing is labelled
    positive."""
    positives = sum(1 for y in truth if y)
    if not positives:
        return {"precision": float("nan"), "recall": float("nan"), "at": float("nan")}
    ranked = sorted(zip(scores, truth, strict=True), key=lambda st: -st[0])
    best = (-1.0, 0.0, float("nan"))
    tp = taken = 0
    for i, (score, label) in enumerate(ranked):
        tp += bool(label)
        taken += 1
        if i + 1 < len(ranked) and ranked[i + 1][0] == score:
            continue  # a threshold takes every ticket of one score or none
        recall = tp / positives
        if recall >= min_recall and (tp / taken, recall) > best[:2]:
            best = (tp / taken, recall, score)
    return {"precision": round(best[0], 4), "recall": round(best[1], 4), "at": round(best[2], 4)}
