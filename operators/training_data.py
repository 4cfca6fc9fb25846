"""What the ticket model learns from: the labelled files, the taxonomy's own examples, and
labels turned into each head's targets.

The start-up model (:meth:`operators.learned_score.LearnedScorer.seeded`) learns
from every file :func:`training_files` finds and from :func:`taxonomy_examples`;
a reviewer's feedback labels pass :func:`checked_labels` first. A label teaches
only the heads it names: :func:`targets_of` masks the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]

from config.taxonomy import Taxonomy
from contracts.errors import PoisonRecord
from operators.corpus import DEV, LabelledTicket, training_corpus
from operators.heads import FRUSTRATION_LEVELS, Heads, Targets
from operators.ticket_repr import TicketRepresentation

DEFAULT_SEED = Path(__file__).resolve().parents[1] / "config" / "seed_tickets.jsonl"
SIGNALS = ("churn_risk", "upgrade_intent", "feature_gap", "billing_issue")
NONE = "none"
"""The signal head's class for "no signal": a label of null."""


def training_files(*, with_dev: bool = True) -> list[Path]:
    """The labelled files the shipped model learns from (those that exist): every
    ``config/corpus/train*.jsonl`` in the order of its number, the dev split, the seed tickets.

    The method was chosen and tuned with the dev split held out (``make eval
    --split dev`` still holds it out); the shipped model then learns from it too.
    """
    files = [*training_corpus(), *((DEV,) if with_dev else ()), DEFAULT_SEED]
    return [p for p in files if p.exists()]


def taxonomy_examples(taxonomy: Taxonomy) -> list[LabelledTicket]:
    """The taxonomy's examples as labelled tickets: a topic example teaches its topic only."""
    out: list[LabelledTicket] = []
    for topic in taxonomy.topics:
        for i, text in enumerate(topic.examples):
            out.append(LabelledTicket(f"taxonomy:{topic.id}:{i + 1}", text, None, None, None, False,
                                      topic.id, None))
    for intent in taxonomy.intents:
        for i, text in enumerate(intent.examples):
            out.append(LabelledTicket(f"taxonomy:{intent.id}:{i + 1}", text, None, None, None,
                                      False, intent.topic, (intent.id,)))
    return out


def rarity_of(reps: Sequence[TicketRepresentation]) -> tuple[dict[str, float], float]:
    """Smoothed inverse document frequency per word, and the value for a word never seen."""
    counts: dict[str, int] = {}
    for rep in reps:
        for word in dict.fromkeys(rep.words):
            counts[word] = counts.get(word, 0) + 1
    n = len(reps)
    unseen = float(np.log((1 + n) / 1.0) + 1.0)
    return {w: float(np.log((1 + n) / (1 + c)) + 1.0) for w, c in counts.items()}, unseen


def head_classes(taxonomy: Taxonomy, examples: Sequence[LabelledTicket]) -> dict[str, list[str]]:
    topics = list(taxonomy.topic_ids)
    topics += sorted({t.topic for t in examples if t.topic and t.topic not in topics})
    signals = [*SIGNALS, *sorted({c.signal for c in taxonomy.categories} | {i.signal for i in
                                 taxonomy.intents} | {t.signal for t in examples if t.signal}
                                 - set(SIGNALS)), NONE]
    intents = [i.id for i in taxonomy.intents]
    intents += sorted({i for t in examples for i in t.intents or () if i not in intents})
    return {"topic": topics, "signal": signals, "intents": intents,
            "frustration": [f"f{level}" for level in FRUSTRATION_LEVELS]}


def design_matrix(reps: Sequence[TicketRepresentation]) -> tuple[sparse.csr_matrix, np.ndarray]:
    from operators.ticket_repr import BUCKETS

    indptr = np.cumsum([0, *(len(r.rows) for r in reps)])
    indices = np.concatenate([r.rows for r in reps]) if reps else np.zeros(0, dtype=np.int64)
    data = np.concatenate([r.values for r in reps]) if reps else np.zeros(0, dtype=np.float32)
    x = sparse.csr_matrix((data, indices, indptr), shape=(len(reps), BUCKETS), dtype=np.float32)
    x.sum_duplicates()
    dense = np.stack([r.dense for r in reps]).astype(np.float32) if reps else np.zeros((0, 1))
    return x, dense


def targets_of(heads: Heads, tickets: Sequence[LabelledTicket]) -> Targets:
    n = len(tickets)
    y = {h: np.zeros((n, len(c)), dtype=np.float32) for h, c in heads.classes.items()}
    mask = {"topic": np.zeros(n, dtype=np.float32), "signal": np.zeros(n, dtype=np.float32),
            "intents": np.zeros((n, len(heads.classes["intents"])), dtype=np.float32),
            "frustration": np.zeros((n, len(FRUSTRATION_LEVELS)), dtype=np.float32)}
    index = {h: {name: i for i, name in enumerate(c)} for h, c in heads.classes.items()}
    for row, t in enumerate(tickets):
        if t.topic is not None and t.topic in index["topic"]:
            y["topic"][row, index["topic"][t.topic]] = 1
            mask["topic"][row] = 1
        if t.signal_known and (t.signal or NONE) in index["signal"]:
            y["signal"][row, index["signal"][t.signal or NONE]] = 1
            mask["signal"][row] = 1
        if t.intents is not None:
            partial = t.id.startswith("taxonomy:")  # an intent's example says nothing of others
            for name in t.intents:
                if name in index["intents"]:
                    y["intents"][row, index["intents"][name]] = 1
                    mask["intents"][row, index["intents"][name]] = 1
            if not partial:
                mask["intents"][row] = 1
        if t.frustration is not None:
            y["frustration"][row] = [t.frustration >= level for level in FRUSTRATION_LEVELS]
            mask["frustration"][row] = 1
        elif t.frustrated is not None:
            y["frustration"][row, 0] = float(t.frustrated)
            mask["frustration"][row, 0] = 1
            if not t.frustrated:  # below 50 is below 65 and 80 too
                mask["frustration"][row] = 1
    return Targets(y, mask)


def checked_labels(labels: Mapping[str, Any]) -> LabelledTicket:
    """Feedback labels as a labelled ticket; PoisonRecord names a label of the wrong type."""
    frustrated = labels.get("frustrated")
    if frustrated is not None and not isinstance(frustrated, bool):
        raise PoisonRecord(f"label 'frustrated' must be true, false or null, "
                           f"not {type(frustrated).__name__}")
    for head in ("signal", "topic"):
        value = labels.get(head)
        if value is not None and not isinstance(value, str):
            raise PoisonRecord(f"label {head!r} must be a name or null, not {type(value).__name__}")
    intents = labels.get("intents")
    if intents is not None and (not isinstance(intents, list)
                                or not all(isinstance(i, str) for i in intents)):
        raise PoisonRecord("label 'intents' must be a list of names")
    return LabelledTicket("feedback", "", None, frustrated, labels.get("signal"), "signal" in labels,
                          labels.get("topic"), tuple(intents) if intents is not None else None)
