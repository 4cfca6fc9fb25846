"""The results as a terminal table and as the Markdown fragment BENCHMARKS.md quotes."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from cuewire_dev.checkout import ROOT
from cuewire_dev.eval_sentiment.ground_truth import VADER_VERSION
from cuewire_dev.eval_sentiment.runs import (
    DECIDE_AT,
    NEGATIVE_AT_OR_BELOW,
    SHUFFLE_SEED,
    VADER_NEGATIVE_AT,
)

RESULTS = ROOT / "bench" / "results"


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
