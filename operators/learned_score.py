"""The learned ticket scorer: taxonomy and lexicon as evidence, online models that keep learning.

Three small models read the same features (``operators.text_features``):

* **frustration** — river's online logistic regression (AdaGrad steps) says how
  likely the customer is to be frustrated, ``p``;
* **signal** and **topic** — one softmax (multinomial logistic) regression per
  label, sharing a vocabulary and a weight matrix; numpy does the arithmetic
  because a one-vs-rest river model per class costs a dot product and an
  update per class, several times the whole per-ticket budget.

The 0–100 score is calibrated against DESIGN.md's thresholds: the taxonomy's
strongest matched category picks a band (critical 80–100, high 65–79,
medium-high 50–64, low-medium 35–49, nothing matched 50–79, see
``config/taxonomy.yaml``) and ``p`` places the ticket in it — at even odds on
the band's low end, when certain on its high end. A ticket the model judges
more likely *not* frustrated stays below 50, so it crosses none of the gate's
thresholds whatever its topic. Within a band the score rises with ``p``.

Day one: the taxonomy's categories start with a positive weight, the lexicon's
compound sentiment with a negative one, and three gentle passes over the
labelled seed tickets in ``config/seed_tickets.jsonl`` (about 0.05 s, so the
flow seeds at start-up instead of shipping a model file) teach the rest. After
that every reviewer's label moves the models a little (:meth:`LearnedScorer.learn`).

State is plain JSON (:meth:`LearnedScorer.to_state`), never pickle: a checkpoint
read from Redis is data, not code.

>>> from config.taxonomy import load_taxonomy
>>> scorer = LearnedScorer.seeded(load_taxonomy())
>>> s = scorer.score("Our numbers are wrong in every report since Monday")
>>> (s.score >= 80, s.signal, s.risk)
(True, 'churn_risk', 'critical')
>>> scorer.score("Thanks so much, love the product!!!").score < 50
True
"""

from __future__ import annotations

import base64
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from river import linear_model, optim
from river.utils import VectorDict

from config.taxonomy import DEFAULT_TAXONOMY, BandName, RiskLevel, Taxonomy
from contracts.errors import ConfigurationError, PoisonRecord
from operators.score import Score
from operators.text_features import Featurizer, TaxonomyHit, TextFeatures, normalise_word

STATE_FORMAT = "cuewire.learned-scorer/1"
FEATURES_VERSION = 1
"""Bump when ``text_features`` changes what a feature means: older checkpoints are then refused."""

DEFAULT_SEED = DEFAULT_TAXONOMY.with_name("seed_tickets.jsonl")
SEED_EPOCHS = 3
SEED_LR = 0.2  # AdaGrad while seeding; best of 0.1–0.8 × 1–10 passes by 5-fold CV on the seed set
FRUSTRATION_LR = 0.45  # AdaGrad online; best of 0.3–0.7 on the prequential VADER evaluation
INTERCEPT_LR = 0.01
HEADS_LR = 0.5
TAXONOMY_PRIOR = 1.5  # logit a matched category adds before any example is seen (p ≈ 0.82)
SENTIMENT_PRIOR = -1.5  # lexicon compound −1 (very negative) adds +1.5 to the logit
MAX_FEATURES = 100_000
"""Weights the frustration model keeps; beyond this the least attested go (≈ 3.5 MB of JSON)."""
MAX_HEAD_FEATURES = 20_000
"""Rows the signal/topic heads keep (each row holds every class: ≈ 8 MB of JSON at the cap)."""
NOT_FRUSTRATED_CEILING = 50
"""A ticket judged more likely not frustrated than frustrated scores below this."""
MAX_PHRASES = 5
MIN_CONTRIBUTION = 0.05  # logit; below this a phrase did not move the score
RELATIVE_CONTRIBUTION = 0.2  # and a phrase worth a fifth of the strongest still counts
NONE = "none"
HEADS = ("signal", "topic")

_LEVEL_RANK: dict[RiskLevel, int] = {"critical": 4, "high": 3, "medium-high": 2, "low-medium": 1}
_PINNED_PREFIXES = ("tax:", "intent:", "lex:", "shape:")
_SENTIMENT_FEATURES = ("lex:compound", "lex:pos", "lex:neg", "lex:max", "lex:min", "lex:fracneg",
                       "lex:negated")
_NEGATION_WORDS = frozenset({"not", "no", "never", "dont", "doesnt", "didnt", "cant", "cannot",
                             "wont", "isnt", "arent", "wasnt", "werent", "havent", "hasnt"})
_STOPWORDS = frozenset([
    "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are",
    "as", "at", "be", "been", "before", "being", "below", "between", "both", "by", "can",
    "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from",
    "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how",
    "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my",
    "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
    "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the",
    "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through",
    "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
    "yourself", "hi", "hello", "hey", "dear", "thanks", "thank", "please", "regards", "best",
    "team", "us", "im", "ive", "id", "youre", "weve", "thats", "theres", "one", "two", "get",
    "got",
])


def calibrate(p: float, band: tuple[int, int],
              not_frustrated_ceiling: int = NOT_FRUSTRATED_CEILING) -> float:
    """Place the probability of frustration ``p`` on the 0–100 scale within ``band``.

    Monotone in ``p``: below even odds the score climbs from 0 towards
    ``min(band low, ceiling)``; from even odds it climbs from the band's low end to
    its high end.

    >>> calibrate(0.5, (80, 100)), calibrate(1.0, (80, 100)), calibrate(0.25, (80, 100))
    (80.0, 100.0, 25.0)
    >>> calibrate(0.75, (35, 49))
    42.0
    """
    p = min(1.0, max(0.0, p))
    low, high = band
    if p < 0.5:
        return min(low, not_frustrated_ceiling) * p / 0.5
    return low + (high - low) * (p - 0.5) / 0.5


@dataclass(frozen=True, slots=True)
class SeedTicket:
    """One labelled example of the shipped seed set."""

    text: str
    frustrated: bool
    signal: str | None
    topic: str | None

    def labels(self) -> dict[str, Any]:
        return {"frustrated": self.frustrated, "signal": self.signal, "topic": self.topic}


def load_seed_tickets(path: Path | None = None) -> list[SeedTicket]:
    """The labelled seed tickets (JSON lines); errors name the file and the line."""
    path = path or DEFAULT_SEED
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise ConfigurationError(f"seed tickets {path}: cannot read ({exc.strerror})") from None
    tickets: list[SeedTicket] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = orjson.loads(line)
            text, frustrated = row["text"], row["frustrated"]
            signal, topic = row.get("signal"), row.get("topic")
            if not isinstance(text, str) or not text.strip():
                raise ValueError("text must be a non-empty string")
            if not isinstance(frustrated, bool):
                raise ValueError("frustrated must be true or false")
            for name, value in (("signal", signal), ("topic", topic)):
                if value is not None and not isinstance(value, str):
                    raise ValueError(f"{name} must be a string or null")
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            what = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
            raise ConfigurationError(f"seed tickets {path} line {number}: {what}") from None
        tickets.append(SeedTicket(text, frustrated, signal, topic))
    return tickets


class _AdaGrad(optim.AdaGrad):
    """river's AdaGrad, with the learning rate read once per step instead of once per weight.

    Same arithmetic (the rate cannot change within a step); about half the cost
    of a learning step on a ticket's few dozen features.
    """

    def _step_with_dict(self, w: Any, g: Any) -> Any:
        rate = self.learning_rate
        g2 = self.g2
        eps = self.eps
        for i, gi in g.items():
            total = g2[i] + gi * gi
            g2[i] = total
            w[i] -= rate / (total + eps) ** 0.5 * gi
        return w


class FrustrationModel:
    """P(frustrated | features): river's logistic regression, with JSON state."""

    def __init__(self, *, lr: float = FRUSTRATION_LR, intercept_lr: float = INTERCEPT_LR,
                 priors: Mapping[str, float] | None = None) -> None:
        self.lr = lr
        self.intercept_lr = intercept_lr
        self._model = linear_model.LogisticRegression(optimizer=_AdaGrad(lr),
                                                      intercept_lr=intercept_lr)
        if priors:
            # river starts every weight at zero; the taxonomy and lexicon priors start elsewhere.
            self._model._weights = VectorDict(dict(priors))

    def probability(self, values: dict[str, float]) -> float:
        z = self._model._weights.dot(values) + self._model.intercept
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    @property
    def weights(self) -> VectorDict[str, float]:
        """The live weight vector (read it, do not change it)."""
        return self._model._weights

    def weight(self, feature: str) -> float:
        found = self._model._weights.get(feature)
        return float(found) if found is not None else 0.0

    def set_learning_rate(self, lr: float) -> None:
        self.lr = lr
        self._model.optimizer.lr = optim.schedulers.Constant(lr)

    def set_weight_if_missing(self, feature: str, value: float) -> None:
        if self._model._weights.get(feature) is None:
            self._model._weights[feature] = value

    def learn(self, values: Mapping[str, float], frustrated: bool) -> None:
        self._model.learn_one(values, frustrated)
        if len(self._model.optimizer.g2) > MAX_FEATURES * 1.2:  # len(VectorDict) is O(n)
            self.prune(MAX_FEATURES)

    def __len__(self) -> int:
        return len(self._model._weights)

    def prune(self, max_features: int) -> int:
        """Keep the ``max_features`` best-attested weights (taxonomy, lexicon and shape always).

        Attested = most squared gradient accumulated: a word seen once has a weight as
        large as a word seen a thousand times (AdaGrad's first step is always the
        full rate), so weight size would keep the noise and drop the evidence.
        """
        weights = self._model._weights.to_dict()
        if len(weights) <= max_features:
            return 0
        g2 = self._model.optimizer.g2
        ranked = sorted(weights, key=lambda f: (not f.startswith(_PINNED_PREFIXES),
                                                -g2.get(f, 0.0)))
        keep = ranked[:max_features]
        self._model._weights = VectorDict({f: weights[f] for f in keep})
        self._model.optimizer.g2 = defaultdict(float, {f: g2[f] for f in keep if f in g2})
        return len(weights) - len(keep)

    def to_state(self) -> dict[str, Any]:
        weights = self._model._weights.to_dict()
        g2 = self._model.optimizer.g2
        features = list(weights)
        return {
            "lr": self.lr,
            "intercept_lr": self.intercept_lr,
            "intercept": float(self._model.intercept),
            "iterations": int(self._model.optimizer.n_iterations),
            "features": features,
            "weights": pack_array(np.fromiter(weights.values(), float, len(features))),
            "g2": pack_array(np.fromiter((g2.get(f, 0.0) for f in features), float,
                                         len(features))),
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> FrustrationModel:
        model = cls(lr=float(state["lr"]), intercept_lr=float(state["intercept_lr"]))
        model._model.intercept = float(state["intercept"])
        model._model.optimizer.n_iterations = int(state["iterations"])
        features = [str(f) for f in state["features"]]
        weights = unpack_array(state["weights"], (len(features),)).tolist()
        g2 = unpack_array(state["g2"], (len(features),)).tolist()
        model._model._weights = VectorDict(dict(zip(features, weights, strict=True)))
        model._model.optimizer.g2 = defaultdict(
            float, {f: v for f, v in zip(features, g2, strict=True) if v})
        return model


class SoftmaxHeads:
    """One multinomial logistic regression per label (``signal``, ``topic``), AdaGrad steps.

    The heads share a vocabulary and one weight matrix whose columns are
    grouped by head, so scoring a ticket gathers its rows once for every head.
    A class never seen before (a reviewer's new signal) gets a new column.
    """

    def __init__(self, classes: Mapping[str, Sequence[str]], *, lr: float = HEADS_LR) -> None:
        self.lr = lr
        self.vocab: dict[str, int] = {}
        self._classes: dict[str, list[str]] = {h: list(dict.fromkeys(c))
                                               for h, c in classes.items()}
        width = sum(len(c) for c in self._classes.values())
        self._w = np.zeros((256, width))
        self._g2 = np.zeros((256, width))
        self._bias = np.zeros(width)
        self._bias_g2 = np.zeros(width)
        self._spans: dict[str, tuple[int, int]] = {}
        self._reindex()

    def _reindex(self) -> None:
        start = 0
        for head, names in self._classes.items():
            self._spans[head] = (start, start + len(names))
            start += len(names)

    @property
    def classes(self) -> dict[str, list[str]]:
        return {head: list(names) for head, names in self._classes.items()}

    def __len__(self) -> int:
        return len(self.vocab)

    def predict(self, values: Mapping[str, float]) -> dict[str, tuple[str, float]]:
        """For each head, its most likely class and that class's probability."""
        vocab = self.vocab
        rows: list[int] = []
        weights: list[float] = []
        for feature, value in values.items():
            row = vocab.get(feature)
            if row is not None and value:
                rows.append(row)
                weights.append(value)
        gathered = self._w.take(rows, axis=0) if rows else None
        logits = self._bias if gathered is None else np.asarray(weights) @ gathered + self._bias
        return self._best(logits.tolist())

    def learn(self, values: Mapping[str, float], labels: Mapping[str, str]) -> None:
        self.predict_then_learn(values, labels)

    def predict_then_learn(self, values: Mapping[str, float],
                           labels: Mapping[str, str]) -> dict[str, tuple[str, float]]:
        """:meth:`predict`, then learn ``labels`` (head → class), gathering the rows once."""
        for head, label in labels.items():
            if label not in self._classes.setdefault(head, []):
                self._add_class(head, label)
        vocab = self.vocab
        rows: list[int] = []
        weights: list[float] = []
        for feature, value in values.items():
            if value:
                row = vocab.get(feature)
                rows.append(self._add_row(feature) if row is None else row)
                weights.append(value)
        x = np.asarray(weights)
        current = self._w.take(rows, axis=0)
        logits = x @ current + self._bias  # new rows are zero: the prediction is unchanged
        predicted = self._best(logits.tolist())
        # The gradient is zero outside the labelled heads' columns, so full rows are
        # updated at once (cheaper than slicing columns out of gathered rows).
        gradient = np.zeros_like(self._bias)
        for head, label in labels.items():
            a, b = self._spans[head]
            gradient[a:b] = _softmax(logits[a:b])
            gradient[a + self._classes[head].index(label)] -= 1.0
        step = np.outer(x, gradient)
        g2 = self._g2.take(rows, axis=0) + step * step
        self._g2[rows] = g2
        self._w[rows] = current - self.lr * step / np.sqrt(g2 + 1e-8)
        self._bias_g2 += gradient * gradient
        self._bias -= self.lr * gradient / np.sqrt(self._bias_g2 + 1e-8)
        if len(vocab) > MAX_HEAD_FEATURES * 1.2:
            self.prune(MAX_HEAD_FEATURES)
        return predicted

    def _best(self, logits: list[float]) -> dict[str, tuple[str, float]]:
        out: dict[str, tuple[str, float]] = {}
        for head, (a, b) in self._spans.items():
            if a == b:
                continue
            # A handful of classes: plain Python beats numpy's per-call overhead here.
            block = logits[a:b]
            top = max(block)
            best = block.index(top)
            out[head] = (self._classes[head][best], 1.0 / sum(math.exp(z - top) for z in block))
        return out

    def _add_class(self, head: str, label: str) -> None:
        self._classes[head].append(label)
        self._reindex()
        column = self._spans[head][1] - 1
        self._w = np.insert(self._w, column, 0.0, axis=1)
        self._g2 = np.insert(self._g2, column, 0.0, axis=1)
        self._bias = np.insert(self._bias, column, 0.0)
        self._bias_g2 = np.insert(self._bias_g2, column, 0.0)

    def _add_row(self, feature: str) -> int:
        row = len(self.vocab)
        if row == self._w.shape[0]:
            self._w = np.vstack([self._w, np.zeros_like(self._w)])
            self._g2 = np.vstack([self._g2, np.zeros_like(self._g2)])
        self.vocab[feature] = row
        return row

    def prune(self, max_features: int) -> int:
        """Keep the rows of the ``max_features`` best-attested features (most squared gradient)."""
        n = len(self.vocab)
        if n <= max_features:
            return 0
        features = list(self.vocab)
        strength = self._g2[:n].sum(axis=1)
        keep = sorted(np.argsort(-strength, kind="stable")[:max_features].tolist())
        self._w = self._w[keep].copy()
        self._g2 = self._g2[keep].copy()
        self.vocab = {features[i]: new for new, i in enumerate(keep)}
        return n - len(keep)

    def to_state(self) -> dict[str, Any]:
        n = len(self.vocab)
        return {
            "lr": self.lr,
            "vocab": list(self.vocab),
            "heads": {
                head: {"classes": self._classes[head], "w": pack_array(self._w[:n, a:b]),
                       "g2": pack_array(self._g2[:n, a:b]), "bias": pack_array(self._bias[a:b]),
                       "bias_g2": pack_array(self._bias_g2[a:b])}
                for head, (a, b) in self._spans.items()
            },
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> SoftmaxHeads:
        raw_heads: Mapping[str, Any] = state["heads"]
        classes = {str(h): [str(c) for c in raw["classes"]] for h, raw in raw_heads.items()}
        heads = cls(classes, lr=float(state["lr"]))
        vocab = [str(f) for f in state["vocab"]]
        heads.vocab = {f: i for i, f in enumerate(vocab)}
        rows = max(len(vocab), 1)
        ws, g2s, biases, bias_g2s = [], [], [], []
        for head, raw in raw_heads.items():
            k = len(classes[str(head)])
            if vocab:
                ws.append(unpack_array(raw["w"], (len(vocab), k)))
                g2s.append(unpack_array(raw["g2"], (len(vocab), k)))
            else:
                ws.append(np.zeros((rows, k)))
                g2s.append(np.zeros((rows, k)))
            biases.append(unpack_array(raw["bias"], (k,)))
            bias_g2s.append(unpack_array(raw["bias_g2"], (k,)))
        if ws:
            heads._w, heads._g2 = np.hstack(ws), np.hstack(g2s)
            heads._bias, heads._bias_g2 = np.concatenate(biases), np.concatenate(bias_g2s)
        return heads


def pack_array(values: np.ndarray) -> dict[str, Any]:
    """A float array as JSON: little-endian float64 bytes in base64, with its shape.

    Exact, about half the size of decimal text, and still plain data (never pickle).

    >>> unpack_array(pack_array(np.array([[1.5, -2.0]])), (1, 2)).tolist()
    [[1.5, -2.0]]
    """
    array = np.ascontiguousarray(values, dtype="<f8")
    return {"dtype": "<f8", "shape": list(array.shape),
            "base64": base64.b64encode(array.tobytes()).decode("ascii")}


def unpack_array(packed: Mapping[str, Any], shape: tuple[int, ...]) -> np.ndarray:
    """The array :func:`pack_array` wrote, checked against the ``shape`` the model expects."""
    if packed.get("dtype") != "<f8" or tuple(packed.get("shape", ())) != shape:
        raise ValueError(f"expected a <f8 array of shape {shape}, got {packed.get('dtype')} "
                         f"{packed.get('shape')}")
    raw = base64.b64decode(packed["base64"], validate=True)
    if len(raw) != 8 * math.prod(shape):
        raise ValueError(f"array data has {len(raw)} bytes, shape {shape} needs "
                         f"{8 * math.prod(shape)}")
    return np.frombuffer(raw, dtype="<f8").reshape(shape).copy()


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    result: np.ndarray = e / e.sum()
    return result


@dataclass(frozen=True, slots=True)
class Assessment:
    """Everything the scorer concluded about one text; :meth:`score` rounds it into a Score."""

    probability: float
    """P(frustrated), from the frustration model."""
    exact_score: float
    """The calibrated 0–100 score before rounding (evaluations rank on it)."""
    level: RiskLevel | None
    signal: str | None
    topic: str | None
    phrases: tuple[str, ...]
    intents: tuple[str, ...]
    categories: tuple[str, ...]

    def score(self) -> Score:
        p = self.probability
        return Score(
            score=round(self.exact_score),
            signal=self.signal,
            topic=self.topic,
            risk=self.level if p >= 0.5 else None,
            confidence=round(max(p, 1.0 - p), 3),
            phrases=self.phrases,
            intents=self.intents,
            categories=self.categories,
        )


class LearnedScorer:
    """Scores ticket text (the :class:`~operators.score.TicketScorer` protocol) and learns from labels."""

    def __init__(self, taxonomy: Taxonomy, frustration: FrustrationModel, heads: SoftmaxHeads,
                 featurizer: Featurizer | None = None) -> None:
        self.taxonomy = taxonomy
        self.featurizer = featurizer or Featurizer(taxonomy)
        self.frustration = frustration
        self.heads = heads
        self.checkpoint_version: int | None = None
        """The Redis checkpoint this state came from (``None``: the shipped seed model)."""
        self._categories = {c.id: c for c in taxonomy.categories}
        self._intents = {i.id: i for i in taxonomy.intents}
        for category in taxonomy.categories:
            frustration.set_weight_if_missing(f"tax:{category.id}", TAXONOMY_PRIOR)

    # -- construction ---------------------------------------------------------

    @classmethod
    def untrained(cls, taxonomy: Taxonomy) -> LearnedScorer:
        """Priors only: the taxonomy's categories and the lexicon, no examples yet."""
        priors = {f"tax:{c.id}": TAXONOMY_PRIOR for c in taxonomy.categories}
        priors["lex:compound"] = SENTIMENT_PRIOR
        signals = [*sorted({c.signal for c in taxonomy.categories} |
                           {i.signal for i in taxonomy.intents}), NONE]
        topics = [*sorted({c.topic for c in taxonomy.categories} |
                          {i.topic for i in taxonomy.intents if i.topic}), NONE]
        heads = SoftmaxHeads({"signal": signals, "topic": topics})
        return cls(taxonomy, FrustrationModel(priors=priors), heads)

    @classmethod
    def seeded(cls, taxonomy: Taxonomy, seed: Sequence[SeedTicket] | None = None,
               *, epochs: int = SEED_EPOCHS) -> LearnedScorer:
        """The day-one model: priors, then ``epochs`` passes over the seed tickets in file order."""
        scorer = cls.untrained(taxonomy)
        examples = list(seed) if seed is not None else load_seed_tickets()
        featured = [(scorer.featurizer.extract(t.text), t.labels()) for t in examples]
        # A small seed set over-fits at the online rate: seed gently, then learn at full rate.
        scorer.frustration.set_learning_rate(SEED_LR)
        for _ in range(epochs):
            for features, labels in featured:
                scorer._learn_features(features, labels)
        scorer.frustration.set_learning_rate(FRUSTRATION_LR)
        return scorer

    @classmethod
    def from_state(cls, taxonomy: Taxonomy, state: Mapping[str, Any],
                   featurizer: Featurizer | None = None) -> LearnedScorer:
        """Rebuild a scorer from :meth:`to_state`'s JSON-ready dict (``featurizer``: reuse one)."""
        if state.get("format") != STATE_FORMAT or state.get("features") != FEATURES_VERSION:
            raise ConfigurationError(
                f"model state is {state.get('format')!r} with features "
                f"v{state.get('features')}; this build reads {STATE_FORMAT!r} with features "
                f"v{FEATURES_VERSION}: start from the seed model by deleting the checkpoint"
            )
        try:
            frustration = FrustrationModel.from_state(state["frustration"])
            heads = SoftmaxHeads.from_state(state["heads"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigurationError(f"model state is malformed ({exc.__class__.__name__}: "
                                     f"{exc})") from None
        return cls(taxonomy, frustration, heads, featurizer)

    def to_state(self) -> dict[str, Any]:
        """The models as a JSON-ready dict (weights as base64 float64 arrays)."""
        return {
            "format": STATE_FORMAT,
            "features": FEATURES_VERSION,
            "frustration": self.frustration.to_state(),
            "heads": self.heads.to_state(),
        }

    def replace_models(self, other: LearnedScorer) -> None:
        """Adopt ``other``'s models (a newer checkpoint) in place, so holders of this scorer see them."""
        self.frustration = other.frustration
        self.heads = other.heads
        self.checkpoint_version = other.checkpoint_version

    def prune(self, max_features: int = MAX_FEATURES,
              max_head_features: int = MAX_HEAD_FEATURES) -> int:
        """Drop the least attested features beyond the caps; how many went."""
        return self.frustration.prune(max_features) + self.heads.prune(max_head_features)

    # -- scoring --------------------------------------------------------------

    def score(self, text: str) -> Score:
        return self.assess(text).score()

    def assess(self, text: str) -> Assessment:
        return self._assess(self.featurizer.extract(text))

    def assess_then_learn(self, text: str, labels: Mapping[str, Any]) -> Assessment:
        """One prequential step: assess the text, then learn its labels (reading the text once)."""
        features = self.featurizer.extract(text)
        frustrated, heads = _checked_labels(labels)
        predicted = self.heads.predict_then_learn(features.values, heads) if heads else None
        assessment = self._assess(features, predicted)
        if frustrated is not None:
            self.frustration.learn(features.values, frustrated)
        return assessment

    def _assess(self, features: TextFeatures,
                predicted: Mapping[str, tuple[str, float]] | None = None) -> Assessment:
        p = self.frustration.probability(features.values)
        categories = self._ranked_categories(features.hits)
        level = self._categories[categories[0]].level if categories else None
        band_name: BandName = level or "none"
        exact = calibrate(p, self.taxonomy.band(band_name))
        if predicted is None:
            predicted = self.heads.predict(features.values)
        signal = self._choose("signal", predicted, self._taxonomy_signal(categories, features))
        topic = self._choose("topic", predicted, self._taxonomy_topic(categories, features))
        intents = tuple(sorted({h.owner for h in features.hits if h.kind == "intent"}))
        return Assessment(p, exact, level, signal, topic, self._phrases(features), intents,
                          tuple(categories))

    def _ranked_categories(self, hits: Iterable[TaxonomyHit]) -> list[str]:
        found = {h.owner for h in hits if h.kind == "category"}
        return sorted(found, key=lambda cid: (-_LEVEL_RANK[self._categories[cid].level], cid))

    def _taxonomy_signal(self, categories: list[str], features: TextFeatures) -> str | None:
        intents = sorted({h.owner for h in features.hits if h.kind == "intent"})
        if any(self._intents[i].signal == "churn_risk" for i in intents):
            return "churn_risk"
        if categories:
            return self._categories[categories[0]].signal
        return self._intents[intents[0]].signal if intents else None

    def _taxonomy_topic(self, categories: list[str], features: TextFeatures) -> str | None:
        if categories:
            return self._categories[categories[0]].topic
        for hit in features.hits:
            if hit.kind == "intent" and self._intents[hit.owner].topic:
                return self._intents[hit.owner].topic
        return None

    @staticmethod
    def _choose(head: str, predicted: Mapping[str, tuple[str, float]],
                from_taxonomy: str | None) -> str | None:
        # A confident head wins (it has learned from reviewers); otherwise the
        # taxonomy's reading, and only then the head's best guess.
        guess = predicted.get(head)
        if guess is None:
            return from_taxonomy
        label, probability = guess
        if probability >= 0.5 or from_taxonomy is None:
            return None if label == NONE else label
        return from_taxonomy

    def _phrases(self, features: TextFeatures) -> tuple[str, ...]:
        """The text's phrases that pushed the frustration score up most, then its intent phrases."""
        weight_of = self.frustration.weights.get
        values = features.values
        candidates: list[tuple[float, str, bool]] = []  # (contribution, phrase or feature, is feature)
        for feature, value in islice(values.items(), features.n_terms):
            w = weight_of(feature)
            if w is not None and w > 0:
                candidates.append((w * value, feature, True))
        for hit in features.hits:
            if hit.kind == "category":
                w = weight_of(f"tax:{hit.owner}")
                if w is not None and w > 0:
                    candidates.append((w * hit.weight, hit.phrase, False))
        if features.charged:
            sentiment = 0.0
            for feature in _SENTIMENT_FEATURES:
                w = weight_of(feature)
                if w is not None:
                    sentiment += w * values[feature]
            if sentiment > 0:
                total = sum(-v for _, v in features.charged)
                candidates.extend((sentiment * -v / total, word, False)
                                  for word, v in features.charged)
        if not candidates:
            return self._intent_phrases(features, [])
        candidates.sort(reverse=True)
        floor = max(MIN_CONTRIBUTION, candidates[0][0] * RELATIVE_CONTRIBUTION)
        chosen: list[str] = []
        seen: list[str] = []  # chosen phrases in comparable form (apostrophes dropped)
        for contribution, phrase, is_feature in candidates:
            if contribution < floor or len(chosen) == MAX_PHRASES:
                break
            if is_feature:
                if _uninformative(phrase):
                    continue
                phrase = _readable(phrase)
            key = f" {normalise_word(phrase)} "
            if any(key in other or other in key for other in seen):
                continue
            chosen.append(phrase)
            seen.append(key)
        return self._intent_phrases(features, chosen)

    @staticmethod
    def _intent_phrases(features: TextFeatures, chosen: list[str]) -> tuple[str, ...]:
        for hit in features.hits:
            if hit.kind == "intent" and len(chosen) < MAX_PHRASES and hit.phrase not in chosen:
                chosen.append(hit.phrase)
        return tuple(chosen)

    # -- learning -------------------------------------------------------------

    def learn(self, text: str, labels: Mapping[str, Any]) -> tuple[str, ...]:
        """Learn from one labelled text; returns which labels were learned.

        ``labels`` as in a feedback record: ``frustrated`` (bool), ``signal`` and
        ``topic`` (a name, or null for none). Absent labels teach nothing.
        Raises :class:`PoisonRecord` naming the label when one has the wrong type.
        """
        return self._learn_features(self.featurizer.extract(text), labels)

    def _learn_features(self, features: TextFeatures, labels: Mapping[str, Any]) -> tuple[str, ...]:
        frustrated, heads = _checked_labels(labels)
        learned: list[str] = []
        if frustrated is not None:
            self.frustration.learn(features.values, frustrated)
            learned.append("frustrated")
        if heads:
            self.heads.learn(features.values, heads)
            learned.extend(heads)
        return tuple(learned)


def _checked_labels(labels: Mapping[str, Any]) -> tuple[bool | None, dict[str, str]]:
    """(frustrated or None, {head: class}) from feedback labels; PoisonRecord names a bad one."""
    frustrated = labels.get("frustrated")
    if frustrated is not None and not isinstance(frustrated, bool):
        raise PoisonRecord(f"label 'frustrated' must be true, false or null, "
                           f"not {type(frustrated).__name__}")
    heads: dict[str, str] = {}
    for head in HEADS:
        if head not in labels:
            continue
        value = labels[head]
        if value is not None and not isinstance(value, str):
            raise PoisonRecord(f"label {head!r} must be a name or null, "
                               f"not {type(value).__name__}")
        heads[head] = value or NONE
    return frustrated, heads


def _readable(feature: str) -> str:
    """A word-pair feature as a person reads it ("doesnt not_work" → "doesnt work")."""
    return " ".join(w[4:] if w.startswith("not_") else w for w in feature.split(" "))


def _uninformative(feature: str) -> bool:
    """Function words, and a lone negated word ("not_refund"): nothing a person could act on."""
    words = feature.split(" ")
    if len(words) == 1:
        return feature in _STOPWORDS or feature.startswith("not_") or len(feature) < 3
    return all(w in _STOPWORDS or w in _NEGATION_WORDS for w in words)


def state_to_json(state: Mapping[str, Any]) -> bytes:
    """Serialise :meth:`LearnedScorer.to_state` output."""
    return orjson.dumps(state)


def state_from_json(blob: bytes) -> dict[str, Any]:
    state = orjson.loads(blob)
    if not isinstance(state, dict):
        raise ConfigurationError("model state is not a JSON object")
    return state
