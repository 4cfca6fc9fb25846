"""How ``make eval`` shows its results: a table on the terminal, the markdown kept in
``bench/results/eval.md``, and the one-line ``key=value`` summary scripts read."""

from __future__ import annotations

from typing import Any

from rich.table import Table


def render_table(r: dict[str, Any], split: str) -> Table:
    table = Table(title=f"Ticket model on the {split} split ({r['n']} tickets)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("frustration AUC (VADER)", f"{r['frustration_auc']:.3f} ({r['vader_auc']:.3f})")
    table.add_row("signal macro-F1", f"{r['signal_macro_f1']:.3f}")
    table.add_row("topic accuracy", f"{r['topic_accuracy']:.3f}")
    for lang, acc in r["topic_accuracy_by_language"].items():
        table.add_row(f"  topic accuracy, {lang}", f"{acc:.3f}")
    table.add_row("  most taken for another (labelled → predicted)",
                  ", ".join(f"{t} → {p} {n}" for t, p, n in r["topic_confusions"][:4]))
    for name, pr in r["intents"].items():
        table.add_row(f"intent {name}: precision / recall (n)",
                      f"{pr['precision']:.3f} / {pr['recall']:.3f} ({pr['n']})")
    sp = r["same_problem"]
    table.add_row(f"same problem on {sp['triples']} re-worded triples",
                  f"{sp['problem_agreement']:.3f} (topic {sp['topic_agreement']:.3f}; false-same "
                  f"{sp['false_same_rate']:.3f})")
    for level, pr in r["gate"].items():
        table.add_row(f"gate at {level}: precision / recall",
                      f"{pr['precision']:.3f} / {pr['recall']:.3f} ({pr['n']})")
    for name, best in r.get("best_at_floor", {}).items():
        table.add_row(f"{name}: best precision at its recall floor (recall, at P)",
                      f"{best['precision']:.3f} ({best['recall']:.3f}, {best['at']:.3f})")
    for level, ece in r["calibration_error"].items():
        table.add_row(f"calibration error of P(≥ {level})", f"{ece:.3f}")
    table.add_row("tickets per CPU-second (one at a time)", f"{r['tickets_per_second']:,.0f}")
    return table


def render_markdown(r: dict[str, Any], split: str, source: str) -> str:
    lines = [f"### Ticket model on the {split} split (`make eval`)", "",
             f"{r['n']} tickets from `{source}`, never trained on; the model as the flow trains "
             "it at start-up.", "", "| measure | value |", "|---|---:|"]
    lines.append(f"| frustration AUC (VADER compound) | {r['frustration_auc']:.3f} "
                 f"({r['vader_auc']:.3f}) |")
    lines.append(f"| signal macro-F1 | {r['signal_macro_f1']:.3f} |")
    lines.append(f"| topic accuracy | {r['topic_accuracy']:.3f} |")
    for lang, acc in r["topic_accuracy_by_language"].items():
        lines.append(f"| topic accuracy, {lang} | {acc:.3f} |")
    lines.append("| topics most taken for another (labelled → predicted) | "
                 + ", ".join(f"{t} → {p} {n}" for t, p, n in r["topic_confusions"][:4]) + " |")
    for name, pr in r["intents"].items():
        lines.append(f"| {name}: precision / recall (n) | {pr['precision']:.3f} / "
                     f"{pr['recall']:.3f} ({pr['n']}) |")
    sp = r["same_problem"]
    lines.append(f"| same-problem agreement, {sp['triples']} triples (same topic; false-same "
                 f"rate) | {sp['problem_agreement']:.3f} ({sp['topic_agreement']:.3f}; "
                 f"{sp['false_same_rate']:.3f}) |")
    for level, pr in r["gate"].items():
        lines.append(f"| gate at {level}: precision / recall | {pr['precision']:.3f} / "
                     f"{pr['recall']:.3f} |")
    for name, best in r.get("best_at_floor", {}).items():
        lines.append(f"| {name}: best precision at its recall floor (recall, at P) | "
                     f"{best['precision']:.3f} ({best['recall']:.3f}, {best['at']:.3f}) |")
    for level, ece in r["calibration_error"].items():
        lines.append(f"| expected calibration error, P(≥ {level}) | {ece:.3f} |")
    lines.append(f"| tickets per CPU-second, one at a time | {r['tickets_per_second']:,.0f} |")
    lines += ["", "Reproduce: `make eval` (or `python -m cuewire_dev.evaluate --split dev`).", ""]
    return "\n".join(lines)


def summary_line(r: dict[str, Any]) -> str:
    intents = r["intents"]
    gate = r["gate"]["65"]
    pairs = [
        ("frustration_auc", r["frustration_auc"]), ("vader_auc", r["vader_auc"]),
        ("signal_macro_f1", r["signal_macro_f1"]), ("topic_accuracy", r["topic_accuracy"]),
        *((f"topic_accuracy_{lang}", acc) for lang, acc in r["topic_accuracy_by_language"].items()),
        ("cancellation_precision", intents["cancellation"]["precision"]),
        ("cancellation_recall", intents["cancellation"]["recall"]),
        ("api_question_precision", intents["api_question"]["precision"]),
        ("api_question_recall", intents["api_question"]["recall"]),
        ("same_problem_agreement", r["same_problem"]["problem_agreement"]),
        ("gate65_precision", gate["precision"]), ("gate65_recall", gate["recall"]),
        ("ece50", r["calibration_error"]["50"]),
        ("tickets_per_second", r["tickets_per_second"]), ("n", r["n"]),
    ]
    return " ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in pairs)
