"""``python -m cuewire_dev.sweep``: the ticket model's shipped thresholds, swept on the guides.

Four thresholds trade precision for recall: the cancellation and API-question intents'
probabilities (``operators/assessment.py``), the gate's P(frustration ≥ 65)
(``operators/frustration_scale.py``) and the cosine at which two tickets are the same problem
(``operators/problem.py``). A new training file moves the model's readings, so each is
re-chosen on the guides after one: cross-validation over blocks of ``train.jsonl`` (``cv``),
the proxy's writers (``proxy``), the dev split (``dev``) and two later writers' files the
model never trains on (``writers``, ``tests/data/corpus/writers.jsonl``). This prints precision / recall
(agreement / false-same for the problem) at a grid of values around each, the shipped value
starred. The test split is never swept: it is read once, by ``make eval``, after the choice.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rich.table import Table

import cuewire_dev.single_core  # noqa: F401  (first: before numpy loads)
from config.taxonomy import load_taxonomy
from cuewire_dev.evaluate import (
    SPLITS,
    console,
    held_out_training,
    precision_recall,
    same_problem_agreement,
)
from cuewire_dev.evaluate_cv import cross_validated
from operators.assessment import INTENT_AT, INTENT_AT_BY_NAME, Assessment
from operators.corpus import LabelledTicket, load_tickets
from operators.frustration_scale import DECIDE_AT
from operators.learned_score import LearnedScorer
from operators.problem import SAME_PROBLEM_AT
from operators.score import Score

INTENT_GRID = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55)
GATE_GRID = (0.6, 0.65, 0.7, 0.75, 0.8)
GUIDES = ("cv", "proxy", "dev", "writers")
SAME_GRID = (0.46, 0.48, 0.5, 0.51, 0.52, 0.53, 0.54, 0.56)


def swept(truth: Sequence[bool], probability: Sequence[float],
          grid: Sequence[float]) -> list[tuple[float, float, float]]:
    """(threshold, precision, recall) of "probability ≥ threshold" at each threshold of ``grid``.

    >>> swept([True, False, True], [0.9, 0.5, 0.4], (0.3, 0.45))
    [(0.3, 0.6667, 1.0), (0.45, 0.5, 0.5)]
    """
    out = []
    for at in grid:
        pr = precision_recall(truth, [p >= at for p in probability])
        out.append((at, float(pr["precision"]), float(pr["recall"])))
    return out


def guide(name: str) -> tuple[list[LabelledTicket], list[Score], list[Assessment]]:
    """The guide's tickets with the scores and assessments of a model that never saw them."""
    if name == "cv":
        fold_scorer, tickets = cross_validated(4)
        return (tickets, [fold_scorer.score(t.text) for t in tickets],
                [fold_scorer.assess(t.text) for t in tickets])
    scorer = LearnedScorer.seeded(load_taxonomy(), held_out_training(name))
    tickets = load_tickets(SPLITS[name])
    return (tickets, [scorer.score(t.text) for t in tickets],
            [scorer.assess(t.text) for t in tickets])


def cell(at: float, shipped: float, first: float, second: float) -> str:
    star = "*" if abs(at - shipped) < 1e-9 else ""
    return f"{star}{at:g}: {first:.3f} / {second:.3f}"


def table(name: str) -> Table:
    tickets, scores, assessments = guide(name)
    out = Table(title=f"{name}: precision / recall (same problem: agreement / false-same)")
    out.add_column("threshold")
    out.add_column("values", overflow="fold")
    said = [(t, a) for t, a in zip(tickets, assessments, strict=True) if t.intents is not None]
    for intent in ("cancellation", "api_question"):
        shipped = INTENT_AT_BY_NAME.get(intent, INTENT_AT)
        rows = swept([intent in (t.intents or ()) for t, _ in said],
                     [a.intent_p.get(intent, 0.0) for _, a in said], INTENT_GRID)
        out.add_row(intent, "   ".join(cell(at, shipped, p, r) for at, p, r in rows))
    rated = [(t.frustration, a) for t, a in zip(tickets, assessments, strict=True)
             if t.frustration is not None]
    rows = swept([f >= 65 for f, _ in rated], [a.frustration[1] for _, a in rated],
                 GATE_GRID)
    out.add_row("gate: P(≥ 65)", "   ".join(cell(at, DECIDE_AT[1], p, r) for at, p, r in rows))
    same = []
    for at in SAME_GRID:
        agreement = same_problem_agreement(tickets, scores, at=at)
        same.append(cell(at, SAME_PROBLEM_AT, agreement["problem_agreement"],
                         agreement["false_same_rate"]))
    out.add_row("same problem: cosine", "   ".join(same))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cuewire_dev.sweep",
                                     description=(__doc__ or "").split("\n\n")[0])
    # Checked here, not by ``choices``: argparse (3.11) refuses an empty ``nargs="*"``
    # positional with choices, so naming no guide, meaning all four, would be an error.
    parser.add_argument("guides", nargs="*", metavar="{" + ",".join(GUIDES) + "}",
                        help="which guides (default: all four)")
    args = parser.parse_args(argv)
    if unknown := [g for g in args.guides if g not in GUIDES]:
        parser.error(f"unknown guide {unknown[0]!r}: choose from {', '.join(GUIDES)}")
    for name in args.guides or GUIDES:
        with console.status(f"{name}: training and scoring"):
            result = table(name)
        console.print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
