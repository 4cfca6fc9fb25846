"""``python -m cuewire_dev.evaluate_cv``: the ticket model cross-validated over blocks of its corpus.

The dev split was written by the training split's writers, so it flatters the
model. This check holds out, in turn, one of ``--folds`` contiguous blocks of
each language's training tickets (tickets written together, in one sitting and
one voice, stay together), trains on the rest (plus ``train2.jsonl`` and the
seed tickets; the dev split stays out) and scores the block. The held-out
scores are pooled and measured as ``make eval`` measures a split. Thresholds
are chosen on these figures, not on the dev split; the test split is only
reported.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import orjson

import cuewire_dev.single_core  # noqa: F401  (first: before numpy loads)
from config.taxonomy import load_taxonomy
from cuewire_dev.eval_report import render_table, summary_line
from cuewire_dev.evaluate import RESULTS, console
from cuewire_dev.evaluate import evaluate as measure
from operators.corpus import DEV, TRAIN, LabelledTicket, load_tickets
from operators.learned_score import Assessment, LearnedScorer, training_files
from operators.score import Score


def blocks(tickets: Sequence[LabelledTicket], folds: int) -> list[list[LabelledTicket]]:
    """Per language, ``folds`` contiguous blocks in file order; block i of every language together.

    >>> from operators.corpus import parse_ticket
    >>> ts = [parse_ticket({"id": f"t{i}", "text": "x", "lang": "en"}, "f", i) for i in range(4)]
    >>> [[t.id for t in b] for b in blocks(ts, 2)]
    [['t0', 't1'], ['t2', 't3']]
    """
    out: list[list[LabelledTicket]] = [[] for _ in range(folds)]
    by_language: dict[str, list[LabelledTicket]] = {}
    for t in tickets:
        by_language.setdefault(t.lang or "?", []).append(t)
    for group in by_language.values():
        for i, t in enumerate(group):
            out[i * folds // len(group)].append(t)
    return out


class FoldScorer:
    """Scores each ticket with the model of the fold that held it out."""

    def __init__(self, by_text: dict[str, LearnedScorer]) -> None:
        self.by_text = by_text
        self.heads = next(iter(by_text.values())).heads

    def score(self, text: str) -> Score:
        return self.by_text[text].score(text)

    def assess(self, text: str) -> Assessment:
        return self.by_text[text].assess(text)


def cross_validated(folds: int) -> tuple[FoldScorer, list[LabelledTicket]]:
    """The held-out blocks of ``train.jsonl`` and the scorer that reads each with the model of
    the fold that left it out (trained on the other blocks, every other training file but the
    dev split, and the seed tickets)."""
    taxonomy = load_taxonomy()
    corpus = load_tickets(TRAIN)
    others = [t for p in training_files() if p not in (TRAIN, DEV) for t in load_tickets(p)]
    by_text: dict[str, LearnedScorer] = {}
    held: list[LabelledTicket] = []
    for i, block in enumerate(blocks(corpus, folds)):
        with console.status(f"fold {i + 1}/{folds}: training without {len(block)} tickets"):
            rest = [t for j, b in enumerate(blocks(corpus, folds)) if j != i for t in b]
            scorer = LearnedScorer.seeded(taxonomy, [*rest, *others])
        by_text.update((t.text, scorer) for t in block)
        held += block
    return FoldScorer(by_text), held


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cuewire_dev.evaluate_cv",
                                     description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=4, help="blocks per language (default 4)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where eval-cv.json goes")
    args = parser.parse_args(argv)
    if args.folds < 2:
        console.print("[red]--folds must be at least 2[/red]")
        return 2
    scorer, held = cross_validated(args.folds)
    with console.status(f"scoring {len(held):,} held-out tickets"):
        results = measure(scorer, held)  # type: ignore[arg-type]
    results["split"], results["folds"] = "cross-validation", args.folds
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "eval-cv.json").write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    console.print(render_table(results, f"{args.folds}-fold block cross-validation"))
    print(summary_line(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
