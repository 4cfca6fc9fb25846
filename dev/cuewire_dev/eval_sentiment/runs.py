"""The runs: the frustration head, prequentially (predict, then learn), beside the baseline."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console

from config.taxonomy import Taxonomy
from cuewire_dev.eval_sentiment.ground_truth import DOMAINS, Rated
from cuewire_dev.eval_sentiment.measures import learning_curve, macro_f1, roc_auc
from operators.learned_score import LearnedScorer

NEGATIVE_AT_OR_BELOW = -0.5
SENSITIVITY_THRESHOLDS = (0.0, -1.0)
VADER_NEGATIVE_AT = -0.05
DECIDE_AT = 50.0
SHUFFLE_SEED = 0

console = Console()


@dataclass(frozen=True, slots=True)
class Run:
    """One prequential pass and its baseline over the same rows."""

    name: str
    labels: list[bool]
    scores: list[float]
    baseline: list[float]  # VADER compound, negated
    seconds: float

    def summary(self) -> dict[str, Any]:
        return {
            "n": len(self.labels),
            "positives": sum(self.labels),
            "auc": round(roc_auc(self.labels, self.scores), 4),
            "vader_auc": round(roc_auc(self.labels, self.baseline), 4),
            "macro_f1": round(macro_f1(self.labels, [s >= DECIDE_AT for s in self.scores]), 4),
            "vader_macro_f1": round(macro_f1(self.labels, [-b <= VADER_NEGATIVE_AT
                                                           for b in self.baseline]), 4),
            "curve": learning_curve(self.labels, self.scores),
            "vader_curve": learning_curve(self.labels, self.baseline),
            "seconds": round(self.seconds, 2),
        }


def prequential(name: str, taxonomy: Taxonomy, texts: Sequence[str], labels: Sequence[bool],
                baseline: Sequence[float]) -> Run:
    """Score each text with the model as it stands, then teach it the label."""
    scorer = LearnedScorer.seeded(taxonomy)
    started = time.perf_counter()
    scores = [scorer.assess_then_learn(text, {"frustrated": label}).exact_score
              for text, label in zip(texts, labels, strict=True)]
    return Run(name, list(labels), scores, list(baseline), time.perf_counter() - started)


def evaluate_ground_truth(taxonomy: Taxonomy, rows: list[Rated],
                          compound: Callable[[str], float]) -> dict[str, Any]:
    shuffled = list(rows)
    random.Random(SHUFFLE_SEED).shuffle(shuffled)
    texts = [r.text for r in shuffled]
    with console.status(f"VADER baseline over {len(texts):,} sentences"):
        baseline = [-compound(t) for t in texts]
    out: dict[str, Any] = {}
    for threshold in (NEGATIVE_AT_OR_BELOW, *SENSITIVITY_THRESHOLDS):
        labels = [r.mean_rating <= threshold for r in shuffled]
        with console.status(f"prequential, all domains, negative ≤ {threshold}"):
            run = prequential("all", taxonomy, texts, labels, baseline)
        summary = run.summary()
        if threshold == NEGATIVE_AT_OR_BELOW:
            summary["by_domain"] = {
                domain: {
                    "n": sum(1 for r in shuffled if r.domain == domain),
                    "auc": round(roc_auc(*_subset(run.labels, run.scores, shuffled, domain)), 4),
                    "vader_auc": round(roc_auc(*_subset(run.labels, run.baseline, shuffled,
                                                        domain)), 4),
                }
                for domain in DOMAINS
            }
            out["all"] = summary
        else:
            out.setdefault("sensitivity", {})[str(threshold)] = {
                k: summary[k] for k in ("n", "positives", "auc", "vader_auc")}
    amazon = [(t, b, r) for t, b, r in zip(texts, baseline, shuffled, strict=True)
              if r.domain == "amazon"]
    with console.status("prequential, Amazon snippets alone"):
        run = prequential("amazon", taxonomy, [t for t, _, _ in amazon],
                          [r.mean_rating <= NEGATIVE_AT_OR_BELOW for _, _, r in amazon],
                          [b for _, b, _ in amazon])
    out["amazon"] = run.summary()
    return out


def _subset(labels: list[bool], scores: list[float], rows: list[Rated],
            domain: str) -> tuple[list[bool], list[float]]:
    keep = [i for i, r in enumerate(rows) if r.domain == domain]
    return [labels[i] for i in keep], [scores[i] for i in keep]


def evaluate_support(taxonomy: Taxonomy, tickets: list[dict[str, Any]],
                     compound: Callable[[str], float]) -> dict[str, Any]:
    """Day one (the seed model, no learning) and prequential, on the support-style set."""
    shuffled = list(tickets)
    random.Random(SHUFFLE_SEED).shuffle(shuffled)
    texts = [t["text"] for t in shuffled]
    labels = [bool(t["frustrated"]) for t in shuffled]
    baseline = [-compound(t) for t in texts]
    seed = LearnedScorer.seeded(taxonomy)
    started = time.perf_counter()
    day_one = [seed.assess(t) for t in texts]
    day_one_run = Run("support day one", labels, [a.exact_score for a in day_one], baseline,
                      time.perf_counter() - started)
    summary = day_one_run.summary()
    summary["auc_of_probability"] = round(roc_auc(labels, [a.probability for a in day_one]), 4)
    critical = [a.exact_score for a, t in zip(day_one, shuffled, strict=True)
                if t.get("risk") == "critical" and t.get("topic") == "data_integrity"]
    summary["critical_data_integrity"] = {
        "n": len(critical), "min_score": round(min(critical), 1) if critical else None,
        "at_or_above_80": sum(1 for s in critical if round(s) >= 80)}
    summary["signal_accuracy"] = round(
        sum(1 for a, t in zip(day_one, shuffled, strict=True) if a.signal == t.get("signal"))
        / len(shuffled), 4)
    summary["calibration"] = _calibration(labels, [a.exact_score for a in day_one])
    scorer = LearnedScorer.seeded(taxonomy)
    started = time.perf_counter()
    learned = [scorer.assess_then_learn(t["text"], {"frustrated": bool(t["frustrated"]),
                                                     "signal": t.get("signal")}).exact_score
               for t in shuffled]
    preq = Run("support prequential", labels, learned, baseline, time.perf_counter() - started)
    return {"day_one": summary, "prequential": preq.summary()}


def _calibration(labels: list[bool], scores: list[float]) -> list[dict[str, Any]]:
    """Share of frustrated tickets per band of the gate's thresholds."""
    bands = [(0, 35), (35, 50), (50, 65), (65, 80), (80, 101)]
    out = []
    for low, high in bands:
        inside = [y for y, s in zip(labels, scores, strict=True) if low <= round(s) < high]
        out.append({"band": f"{low}–{min(high, 100) - (0 if high > 100 else 1)}",
                    "n": len(inside),
                    "frustrated_share": round(sum(inside) / len(inside), 3) if inside else None})
    return out
