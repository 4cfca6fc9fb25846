"""The measures: ROC AUC, macro-F1, the learning curve, and VADER's compound score as the baseline."""

from __future__ import annotations

from collections.abc import Callable, Sequence

CURVE_CHUNKS = 10


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
