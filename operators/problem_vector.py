"""A ticket's problem vector: the unit vector the ticket model compares problems by, before
:mod:`operators.problem` quantises it into the fingerprint windows keep.

It joins the model's topic reading (flattened, so a split reading still
counts), the leading components of the text's word vectors, and its distinctive
words — content words hashed with a sign into a few buckets, weighted by how
rare they are in the corpus (names of tools, reports and fields).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from operators import explain
from operators.ticket_repr import TicketRepresentation, bucket

PROBLEM_TOPIC_WEIGHT = 2.0
PROBLEM_TOPIC_POWER = 0.45
"""The topic reading enters as ``p ** PROBLEM_TOPIC_POWER``, flatter than ``p``, so a split
reading still counts. Chosen with the topic head's penalty (:data:`operators.heads.L2_BY_HEAD`)
by cross-validation over held-out blocks of the corpus: that head reads more sharply, and at
0.5 (a square root) two re-wordings whose readings now split were judged different problems
(agreement on re-worded triples 0.83, from 0.93); at 0.45, 0.93 again, false-same rate 0.26
(0.23 before; 0.38 at 0.4)."""
PROBLEM_DENSE = 32
"""Leading word-vector components kept in the problem fingerprint (the table is PCA-ordered)."""
PROBLEM_DENSE_WEIGHT = 0.5
PROBLEM_WORDS = 64
"""Signed hash buckets of the fingerprint's distinctive words (names of tools, reports, fields)."""
PROBLEM_WORDS_WEIGHT = 2.0
WORD_SLOTS_KEPT = 100_000
"""Words whose bucket and weight are remembered between texts."""


def problem_vector(rep: TicketRepresentation, topic_p: np.ndarray, known_topics: int,
                   distinctive: np.ndarray) -> np.ndarray:
    """The unit problem vector of ``rep``, given the topic head's probabilities (of which
    the first ``known_topics`` count: a topic learned later must not change its size)."""
    topic = np.power(topic_p[:known_topics], PROBLEM_TOPIC_POWER)
    vector = np.concatenate([topic * PROBLEM_TOPIC_WEIGHT,
                             rep.dense[:PROBLEM_DENSE] * PROBLEM_DENSE_WEIGHT,
                             distinctive * PROBLEM_WORDS_WEIGHT])
    norm = float(np.sqrt(vector.dot(vector)))  # np.linalg.norm's own sum, without its checks
    return (vector / norm if norm else vector).astype(np.float32)


def distinctive_words(words: Sequence[str], rarity: Mapping[str, float], default_rarity: float,
                      slots: dict[str, tuple[int, float]]) -> np.ndarray:
    """The text's content words hashed (with a sign) into a few buckets, weighted by rarity;
    ``slots`` remembers each word's bucket and weight between calls."""
    out = np.zeros(PROBLEM_WORDS, dtype=np.float32)
    for word in dict.fromkeys(words):  # in text order, so the sums do not depend on the hash seed
        slot = slots.get(word)
        if slot is None:
            if word in explain.STOPWORDS or len(word) < 3 or word.isdigit():
                slot = (-1, 0.0)
            else:
                h = bucket("p:" + word)
                sign = 1.0 if h & 1 else -1.0
                slot = (h % PROBLEM_WORDS, sign * rarity.get(word, default_rarity))
            if len(slots) < WORD_SLOTS_KEPT:
                slots[word] = slot
        if slot[0] >= 0:
            out[slot[0]] += slot[1]
    norm = float(np.sqrt(out.dot(out)))
    return out / norm if norm else out
