"""``python -m cuewire_dev.eval_sentiment``: run every evaluation, write and print the results."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console

from config.taxonomy import load_taxonomy
from cuewire_dev.eval_sentiment.ground_truth import (
    SUPPORT_SET,
    fetch_vader_sdist,
    load_ground_truth,
    load_support_set,
)
from cuewire_dev.eval_sentiment.measures import vader_compound
from cuewire_dev.eval_sentiment.report import RESULTS, render_markdown, render_table
from cuewire_dev.eval_sentiment.runs import (
    NEGATIVE_AT_OR_BELOW,
    SHUFFLE_SEED,
    evaluate_ground_truth,
    evaluate_support,
)

console = Console()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cuewire_dev.eval_sentiment",
                                     description="The frustration head on sentence-level sentiment data, "
                                                 "prequentially, beside VADER's compound score.")
    parser.add_argument("--out", type=Path, default=RESULTS,
                        help="where eval-sentiment.json/eval-sentiment.md go")
    parser.add_argument("--taxonomy", type=Path, default=None, help="taxonomy file to evaluate")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    taxonomy = load_taxonomy(args.taxonomy)
    rows = load_ground_truth(fetch_vader_sdist())
    compound = vader_compound()
    results: dict[str, Any] = {
        "negative_at_or_below": NEGATIVE_AT_OR_BELOW,
        "shuffle_seed": SHUFFLE_SEED,
        "vader_ground_truth": evaluate_ground_truth(taxonomy, rows, compound),
    }
    if SUPPORT_SET.exists():
        results["support"] = evaluate_support(taxonomy, load_support_set(), compound)
    results["seconds"] = round(time.perf_counter() - started, 1)

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "eval-sentiment.json").write_bytes(orjson.dumps(results,
                                                                option=orjson.OPT_INDENT_2))
    (args.out / "eval-sentiment.md").write_text(render_markdown(results), encoding="utf-8")
    console.print(render_table(results))
    gt = results["vader_ground_truth"]["all"]
    console.print(f"learning curve (AUC per tenth): {gt['curve']}")
    console.print(f"results: {args.out / 'eval-sentiment.json'}, {args.out / 'eval-sentiment.md'}")
    print(f"frustration_auc={gt['auc']:.4f} vader_auc={gt['vader_auc']:.4f} n={gt['n']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
