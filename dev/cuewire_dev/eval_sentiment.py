"""``python -m cuewire_dev.eval_sentiment``: the frustration head on sentence-level sentiment data.

Prequential (predict, then learn) evaluation, starting each run from the
shipped day-one model, on human-labelled text:

* **the VADER ground truth** (Hutto & Gilbert, ICWSM 2014): 23.7k sentences —
  tweets, movie-review and Amazon product-review snippets, New York Times
  editorial snippets — each rated −4..+4 by about twenty people. It ships
  inside the ``vaderSentiment`` 3.3.2 source distribution, which this module
  downloads with pip into ``~/.cache/cuewire/vader`` (checked against its
  SHA-256) the first time; nothing of it is committed. All domains
  interleaved (shuffled with a fixed seed), then the Amazon snippets alone
  (the closest to support text).
* **the support-style set** in ``tests/data/support_tickets.jsonl``:
  hand-written tickets labelled frustrated or not, with signal and risk.

**Negative vs not negative.** A sentence counts as negative (the
"frustrated" label) when its mean human rating is **≤ −0.5**: half a scale
point below neutral, beyond where rater noise puts neutral sentences; means
between −0.5 and 0 are treated as neutral. The same run also reports the
thresholds 0 and −1 so the choice can be judged.

**Measures.** ROC AUC of the calibrated score (unrounded, so ranks are not
tied by rounding), macro-F1 of the decision "score ≥ 50" (the gate's lowest
threshold), and a learning curve (AUC per tenth of the stream). The
baseline, in the same run and on the same rows: VADER's compound score
(negated, so higher means more negative), deciding "negative" at
compound ≤ −0.05 as VADER's authors recommend.

Results: ``bench/results/eval-sentiment.json`` and a Markdown fragment
``bench/results/eval-sentiment.md`` for BENCHMARKS.md. The last line printed is
``frustration_auc=<x> vader_auc=<y> n=<rows>`` for the all-domains run.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from config.taxonomy import Taxonomy, load_taxonomy
from cuewire_dev.checkout import ROOT
from operators.learned_score import LearnedScorer

RESULTS = ROOT / "bench" / "results"
SUPPORT_SET = ROOT / "tests" / "data" / "support_tickets.jsonl"

VADER_VERSION = "3.3.2"
VADER_SDIST = f"vaderSentiment-{VADER_VERSION}.tar.gz"
VADER_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
GROUND_TRUTH_ARCHIVE = f"vaderSentiment-{VADER_VERSION}/additional_resources/hutto_ICWSM_2014.tar.gz"
DOMAINS = {
    "tweets": "tweets_GroundTruth.txt",
    "movies": "movieReviewSnippets_GroundTruth.txt",
    "amazon": "amazonReviewSnippets_GroundTruth.txt",
    "nyt": "nytEditorialSnippets_GroundTruth.txt",
}
NEGATIVE_AT_OR_BELOW = -0.5
SENSITIVITY_THRESHOLDS = (0.0, -1.0)
VADER_NEGATIVE_AT = -0.05
DECIDE_AT = 50.0
CURVE_CHUNKS = 10
SHUFFLE_SEED = 0

console = Console()


# -- data ---------------------------------------------------------------------


def cache_dir() -> Path:
    base = os.environ.get("CUEWIRE_CACHE_DIR")
    return (Path(base) if base else Path.home() / ".cache" / "cuewire") / "vader"


def fetch_vader_sdist(directory: Path | None = None) -> Path:
    """The vaderSentiment source distribution, downloaded with pip once and checked by SHA-256."""
    directory = directory or cache_dir()
    target = directory / VADER_SDIST
    if target.exists() and _sha256(target) == VADER_SHA256:
        return target
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cuewire-vader-") as tmp:
        console.print(f"downloading {VADER_SDIST} with pip (once; cached in {directory}) …")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
             ":all:", f"vaderSentiment=={VADER_VERSION}", "-d", tmp],
            check=True,
        )
        downloaded = Path(tmp) / VADER_SDIST
        digest = _sha256(downloaded)
        if digest != VADER_SHA256:
            raise RuntimeError(f"{VADER_SDIST} has SHA-256 {digest}, expected {VADER_SHA256}")
        shutil.move(str(downloaded), target)
    return target


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True, slots=True)
class Rated:
    """One human-rated sentence of the VADER ground truth."""

    domain: str
    mean_rating: float
    text: str


def load_ground_truth(sdist: Path) -> list[Rated]:
    """Every rated sentence of the four ground-truth files inside the sdist's nested archive."""
    with tarfile.open(sdist) as outer:
        member = outer.extractfile(GROUND_TRUTH_ARCHIVE)
        if member is None:
            raise RuntimeError(f"{sdist} has no {GROUND_TRUTH_ARCHIVE}")
        inner_bytes = member.read()
    rows: list[Rated] = []
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        for domain, name in DOMAINS.items():
            handle = inner.extractfile(f"hutto_ICWSM_2014/{name}")
            if handle is None:
                raise RuntimeError(f"the ground-truth archive has no {name}")
            for line in handle.read().decode("utf-8", errors="replace").splitlines():
                parts = line.split("\t")
                if len(parts) < 3 or not parts[2].strip():
                    continue
                rows.append(Rated(domain, float(parts[1]), "\t".join(parts[2:]).strip()))
    return rows


def load_support_set(path: Path = SUPPORT_SET) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


# -- measures -----------------------------------------------------------------


def roc_auc(labels: Sequence[bool], scores: Sequence[float]) -> float:
    """Exact ROC AUC (Mann–Whitney), ties counted half."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    positives = sum(1 for y in labels if y)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return float("nan")
    rank_sum = sum(r for r, y in zip(ranks, labels, strict=True) if y)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def macro_f1(labels: Sequence[bool], decisions: Sequence[bool]) -> float:
    def f1(cls: bool) -> float:
        tp = sum(1 for y, d in zip(labels, decisions, strict=True) if y == cls and d == cls)
        fp = sum(1 for y, d in zip(labels, decisions, strict=True) if y != cls and d == cls)
        fn = sum(1 for y, d in zip(labels, decisions, strict=True) if y == cls and d != cls)
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    return (f1(True) + f1(False)) / 2


def learning_curve(labels: Sequence[bool], scores: Sequence[float],
                   chunks: int = CURVE_CHUNKS) -> list[float]:
    size = max(1, len(labels) // chunks)
    return [round(roc_auc(labels[i:i + size], scores[i:i + size]), 4)
            for i in range(0, size * chunks, size)]


def vader_compound() -> Callable[[str], float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]

    analyzer = SentimentIntensityAnalyzer()
    return lambda text: float(analyzer.polarity_scores(text)["compound"])


# -- runs ---------------------------------------------------------------------


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


# -- report -------------------------------------------------------------------


def render_table(results: dict[str, Any]) -> Table:
    table = Table(title="Frustration: learned scorer vs VADER compound (same rows)")
    for col in ("data", "n", "neg.", "AUC", "VADER", "Δ", "F1", "VADER F1"):
        table.add_column(col, justify="left" if col == "data" else "right")

    def row(label: str, s: dict[str, Any]) -> None:
        table.add_row(label, f"{s['n']:,}", f"{s['positives']:,}", f"{s['auc']:.4f}",
                      f"{s['vader_auc']:.4f}", f"{s['auc'] - s['vader_auc']:+.4f}",
                      f"{s['macro_f1']:.4f}", f"{s['vader_macro_f1']:.4f}")

    gt = results["vader_ground_truth"]
    row("VADER GT, all", gt["all"])
    row("VADER GT, Amazon", gt["amazon"])
    if "support" in results:
        row("support, day one", results["support"]["day_one"])
        row("support, preq.", results["support"]["prequential"])
    return table


def render_markdown(results: dict[str, Any]) -> str:
    gt = results["vader_ground_truth"]
    lines = [
        "### Frustration on sentence-level sentiment data (`python -m cuewire_dev.eval_sentiment`)",
        "",
        f"Prequential (score, then learn) from the shipped day-one model. VADER ground truth: "
        f"{gt['all']['n']:,} human-rated sentences from the `vaderSentiment` {VADER_VERSION} sdist, "
        f"negative = mean rating ≤ {NEGATIVE_AT_OR_BELOW}, shuffled with seed {SHUFFLE_SEED}. "
        f"Baseline: VADER compound in the same run. F1: score ≥ {DECIDE_AT:.0f} vs "
        f"compound ≤ {VADER_NEGATIVE_AT}.",
        "",
        "| data | n | negative | AUC | VADER AUC | Δ | macro-F1 | VADER macro-F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def row(label: str, s: dict[str, Any]) -> None:
        lines.append(f"| {label} | {s['n']:,} | {s['positives']:,} | {s['auc']:.4f} | "
                     f"{s['vader_auc']:.4f} | {s['auc'] - s['vader_auc']:+.4f} | "
                     f"{s['macro_f1']:.4f} | {s['vader_macro_f1']:.4f} |")

    row("VADER ground truth, all domains", gt["all"])
    row("Amazon snippets alone", gt["amazon"])
    if "support" in results:
        row("support set, day one", results["support"]["day_one"])
        row("support set, prequential", results["support"]["prequential"])
    lines += ["", "Per domain (from the all-domains run):", "",
              "| domain | n | AUC | VADER AUC |", "|---|---:|---:|---:|"]
    for domain, d in gt["all"]["by_domain"].items():
        lines.append(f"| {domain} | {d['n']:,} | {d['auc']:.4f} | {d['vader_auc']:.4f} |")
    lines += ["", "Learning curve, AUC per tenth of the all-domains stream:", "",
              "| | " + " | ".join(str(i + 1) for i in range(len(gt["all"]["curve"]))) + " |",
              "|---|" + "---:|" * len(gt["all"]["curve"]),
              "| learned | " + " | ".join(f"{x:.3f}" for x in gt["all"]["curve"]) + " |",
              "| VADER | " + " | ".join(f"{x:.3f}" for x in gt["all"]["vader_curve"]) + " |"]
    lines += ["", "Threshold sensitivity (all domains; label and learning both use the threshold):",
              "", "| negative when mean rating ≤ | n negative | AUC | VADER AUC |",
              "|---:|---:|---:|---:|",
              f"| {NEGATIVE_AT_OR_BELOW} (reported) | {gt['all']['positives']:,} | "
              f"{gt['all']['auc']:.4f} | {gt['all']['vader_auc']:.4f} |"]
    for threshold, s in gt.get("sensitivity", {}).items():
        lines.append(f"| {threshold} | {s['positives']:,} | {s['auc']:.4f} | {s['vader_auc']:.4f} |")
    if "support" in results:
        d1 = results["support"]["day_one"]
        crit = d1["critical_data_integrity"]
        lines += ["", f"Support set, day one: AUC of P(frustrated) {d1['auc_of_probability']:.4f}; "
                      f"critical data-integrity tickets ≥ 80: {crit['at_or_above_80']} of "
                      f"{crit['n']} (lowest {crit['min_score']}); signal accuracy "
                      f"{d1['signal_accuracy']:.1%}.", "",
                  "| score band | tickets | share frustrated |", "|---|---:|---:|"]
        for band in d1["calibration"]:
            share = "–" if band["frustrated_share"] is None else f"{band['frustrated_share']:.0%}"
            lines.append(f"| {band['band']} | {band['n']} | {share} |")
    lines += ["", "Reproduce: `python -m cuewire_dev.eval_sentiment`.", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cuewire_dev.eval_sentiment",
                                     description=(__doc__ or "").split("\n\n")[0])
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
