"""What a ticket's score shows for itself: the words, the key sentence, the nearest examples.

Read from the heads' weights after the fact, so a ticket pays for it only when an alert
asks (:class:`operators.score.LazyEvidence`); the score's own ``phrases`` are the one
piece every frustrated ticket carries.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from operators import explain
from operators.assessment import Assessment
from operators.corpus import LabelledTicket
from operators.heads import FRUSTRATION_LEVELS, Heads
from operators.score import Evidence
from operators.training_data import NONE


def explained_level(a: Assessment) -> int:
    """Which frustration column explains the score: the highest level it reached."""
    return 0 if a.exact_score < 65 else (1 if a.exact_score < 80 else 2)


def frustration_column(heads: Heads, a: Assessment) -> int:
    return heads.column("frustration", f"f{FRUSTRATION_LEVELS[explained_level(a)]}")


def score_phrases(heads: Heads, a: Assessment, limit: int = 3) -> tuple[str, ...]:
    """The words that drove the frustration column the score reached."""
    rep = a.rep
    return explain.top_words(rep, explain.term_contributions(
        rep, heads.sparse_w, frustration_column(heads, a)), limit=limit)


def evidence_of(heads: Heads, a: Assessment, text: str, example_vectors: np.ndarray,
                examples: Sequence[LabelledTicket]) -> Evidence:
    """The words per head, the sentence that holds the decisive ones, the nearest labelled
    examples and each head's confidence."""
    rep = a.rep
    gathered = heads.sparse_w[rep.rows]

    def contributions(column: int) -> np.ndarray:
        return explain.term_contributions(rep, heads.sparse_w, column, gathered)

    words: list[tuple[str, tuple[str, ...]]] = []
    f_contrib = contributions(frustration_column(heads, a))
    if a.probability < 0.5:
        # A calm ticket is explained by what held the score down.
        f_contrib = -f_contrib
    words.append(("frustration", explain.top_words(rep, f_contrib)))
    topic_contrib = contributions(heads.column("topic", a.topic or NONE))
    words.append(("topic", explain.top_words(rep, topic_contrib)))
    signal = a.signal or NONE
    words.append(("signal", explain.top_words(rep, contributions(
        heads.column("signal", signal)))))
    for intent in a.intents:
        words.append((f"intent:{intent}", explain.top_words(rep, contributions(
            heads.column("intents", intent)))))
    frustration_words, topic_words = words[0][1], words[1][1]
    decisive = [*frustration_words[:3], *topic_words[:3]] if a.probability >= 0.5 else [
        *topic_words[:3]]
    sentence = explain.key_sentence(text, decisive)
    confidence = [("frustration", round(max(a.probability, 1 - a.probability), 3)),
                  ("topic", round(a.topic_p, 3)), ("signal", round(a.signal_p, 3))]
    confidence += [(f"intent:{i}", round(a.intent_p[i], 3)) for i in a.intents]
    nearest = explain.nearest_examples(a.problem, example_vectors, examples)
    return Evidence(tuple(words), sentence, nearest, tuple(confidence))
