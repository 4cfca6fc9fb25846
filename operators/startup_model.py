"""The start-up model as arrays: what a cache of trained models keeps, and the scorer
rebuilt from them.

Training takes seconds; a flow of several processes, a restart or a test run
starting many flows would pay them each time. A cache (:class:`TrainedModels`,
kept on disk by :mod:`state.model_cache`) is asked for the arrays of a model
trained from the same :class:`TrainingInputs` — the training files, the taxonomy
and the trainer's settings — so a changed corpus or taxonomy is never served a
stale model: it misses and trains. Arrays that do not fit the model are not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import orjson

from config.taxonomy import Taxonomy
from operators import heads as heads_module
from operators import learned_neighbours, problem_vector, ticket_repr, word_vectors
from operators.corpus import LabelledTicket, load_tickets
from operators.heads import Heads
from operators.learned_neighbours import NeighbourIndex
from operators.ticket_repr import Representer
from operators.training_data import taxonomy_examples, training_files

if TYPE_CHECKING:
    from operators.learned_score import LearnedScorer

CACHE_VERSION = 10
"""Bump when training changes in a way the hashed settings do not show."""


@dataclass(frozen=True, slots=True)
class TrainingInputs:
    """Everything a start-up model is trained from: equal inputs train equal models."""

    taxonomy_json: str
    files: tuple[Path, ...]
    """The labelled files and the word-vector table, whose contents a cache hashes."""
    settings: dict[str, Any]


class TrainedModels(Protocol):
    """A cache of start-up models' arrays by their training inputs."""

    def load(self, inputs: TrainingInputs) -> dict[str, np.ndarray] | None: ...

    def save(self, inputs: TrainingInputs, arrays: dict[str, np.ndarray]) -> None: ...


def training_settings() -> dict[str, Any]:
    """The trainer's and the representation's settings: a change to one trains anew."""
    settings: dict[str, Any] = {name: getattr(module, name) for module, names in (
        (heads_module, ("EPOCHS", "ADAM_LR", "LR_SETTLE", "L2", "MAX_BALANCE", "BALANCE_POWER")),
        (ticket_repr, ("BUCKETS", "NGRAM_SIZES", "NGRAM_WEIGHT", "EMBEDDING_WEIGHT", "SUBJECT_WEIGHT")),
    ) for name in names}
    settings["l2_by_head"] = dict(sorted(heads_module.L2_BY_HEAD.items()))
    settings["neighbours"] = [learned_neighbours.NEIGHBOURS, learned_neighbours.TEMPERATURE,
                              learned_neighbours.BLEND, sorted(learned_neighbours.INTENT_BLEND.items()),
                              learned_neighbours.COMMON_SHARE,
                              learned_neighbours.COMMON_AT_LEAST]
    settings["problem"] = [problem_vector.PROBLEM_TOPIC_WEIGHT, problem_vector.PROBLEM_TOPIC_POWER,
                           problem_vector.PROBLEM_DENSE,
                           problem_vector.PROBLEM_DENSE_WEIGHT, problem_vector.PROBLEM_WORDS,
                           problem_vector.PROBLEM_WORDS_WEIGHT]
    return settings


def model_arrays(scorer: LearnedScorer) -> dict[str, np.ndarray]:
    """What a cache keeps of a start-up model: its weights, corpus vectors and word rarity."""
    return {
        "classes": np.frombuffer(orjson.dumps(scorer.heads.classes), dtype=np.uint8),
        "sparse_w": scorer.heads.sparse_w, "dense_w": scorer.heads.dense_w,
        "bias": scorer.heads.bias, "example_vectors": scorer.example_vectors,
        "rarity_words": np.array(list(scorer.rarity)),
        "rarity": np.array(list(scorer.rarity.values()), dtype=np.float64),
        "default_rarity": np.array(scorer.default_rarity),
        **scorer.neighbours.arrays(),
    }


def scorer_from_arrays(taxonomy: Taxonomy, examples: list[LabelledTicket],
                       arrays: dict[str, np.ndarray]) -> LearnedScorer:
    """The start-up model :func:`model_arrays` kept; ValueError (or KeyError, TypeError,
    orjson.JSONDecodeError) when the arrays do not fit ``examples`` and this representation."""
    from operators.learned_score import LearnedScorer

    representer = Representer(taxonomy)
    heads = Heads(orjson.loads(bytes(arrays["classes"])), representer.dimensions)
    heads.sparse_w, heads.dense_w = arrays["sparse_w"], arrays["dense_w"]
    heads.bias = arrays["bias"]
    vectors = arrays["example_vectors"]
    if heads.sparse_w.shape != (ticket_repr.BUCKETS, heads.width) or len(vectors) != len(examples):
        raise ValueError("cached model does not fit")
    scorer = LearnedScorer(taxonomy, representer, heads, examples, vectors,
                           NeighbourIndex.from_arrays(arrays))
    scorer.rarity = dict(zip((str(w) for w in arrays["rarity_words"]), arrays["rarity"].tolist(),
                             strict=True))
    scorer.default_rarity = float(arrays["default_rarity"])
    return scorer


def cached_or_trained(taxonomy: Taxonomy, cache: TrainedModels | None) -> LearnedScorer:
    """The start-up model of ``taxonomy`` and the shipped corpus: ``cache``'s when it has one
    trained from the same inputs, else trained now (and given to ``cache``)."""
    from operators.learned_score import LearnedScorer

    files = training_files()
    corpus = [t for p in files for t in load_tickets(p)]
    inputs = TrainingInputs(taxonomy.model_dump_json(), (*files, word_vectors.TABLE),
                            training_settings())
    arrays = cache.load(inputs) if cache is not None else None
    if arrays is not None:
        try:
            return scorer_from_arrays(taxonomy, [*corpus, *taxonomy_examples(taxonomy)], arrays)
        except (KeyError, ValueError, TypeError, orjson.JSONDecodeError):
            pass  # train instead
    scorer = LearnedScorer.seeded(taxonomy, corpus, representer=Representer(taxonomy))
    if cache is not None:
        cache.save(inputs, model_arrays(scorer))
    return scorer
