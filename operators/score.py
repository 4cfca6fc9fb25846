"""Ticket scoring: what a score is, and the interface every scorer meets.

A score is one number per ticket, 0–100 frustration, plus the signal it raises,
its topic, the intents it shows and the phrases that drove it (they go into the
alert's evidence). DESIGN.md's thresholds (50/65/80) are read against it: a
score reaches a threshold exactly when the model thinks it more likely than not
that a CS lead would rate the ticket at least that high.

:class:`Evidence` says why: the words that drove each head, the sentence that
weighed most, the nearest labelled examples and each head's confidence.
``problem`` is a compact fingerprint of what the ticket is about, so that rules
can tell a re-worded report of the same problem (``same: problem``).

The scorer the flow runs is :class:`operators.learned_score.LearnedScorer`.

>>> from operators.learned_score import LearnedScorer
>>> scorer: TicketScorer = LearnedScorer.shipped()
>>> s = scorer.score("Our numbers are wrong in every report since Monday, this is a disaster")
>>> (s.score >= 65, s.topic)
(True, 'data_integrity')
>>> scorer.score("Thanks so much, love the product!!!").score < 50
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from config.taxonomy import RiskLevel


@dataclass(frozen=True, slots=True)
class NearExample:
    """A labelled example close to the ticket: which, how close, and what it was labelled."""

    id: str
    similarity: float
    topic: str | None
    intents: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Evidence:
    """What drove a score, for people: words per head, the key sentence, nearest examples."""

    words: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(head, words) pairs: ``frustration``, ``topic``, ``signal``, ``intent:<name>``."""
    sentence: str | None = None
    nearest: tuple[NearExample, ...] = ()
    confidence: tuple[tuple[str, float], ...] = ()
    """(head, probability of its decision) pairs."""

    def to_json(self) -> dict[str, Any]:
        return {
            "words": {head: list(words) for head, words in self.words},
            "sentence": self.sentence,
            "nearest": [{"id": n.id, "similarity": n.similarity, "topic": n.topic,
                         "intents": list(n.intents), "text": n.text} for n in self.nearest],
            "confidence": dict(self.confidence),
        }


class LazyEvidence:
    """Evidence built on first use and kept; pickled (between workers) as the evidence itself."""

    __slots__ = ("_build", "_value")

    def __init__(self, build: Callable[[], Evidence]) -> None:
        self._build: Callable[[], Evidence] | None = build
        self._value: Evidence | None = None

    def __call__(self) -> Evidence:
        if self._value is None:
            assert self._build is not None
            self._value = self._build()
            self._build = None  # let go of the model and the text
        return self._value

    def __reduce__(self) -> tuple[Any, tuple[Evidence]]:
        return (_built, (self(),))


def _built(evidence: Evidence) -> LazyEvidence:
    lazy = LazyEvidence(lambda: evidence)
    lazy()
    return lazy


@dataclass(frozen=True, slots=True)
class Score:
    """What a scorer says about one ticket text."""

    score: int
    signal: str | None
    topic: str | None
    risk: RiskLevel | None
    confidence: float
    phrases: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    problem: str | None = field(default=None, compare=False)
    """A compact fingerprint (base64) of what the ticket is about; see :mod:`operators.problem`."""
    explain: LazyEvidence | None = field(default=None, compare=False, repr=False)
    """Builds the evidence when it is first asked for: most tickets never reach an alert, and
    the evidence costs as much again as the score."""

    @property
    def evidence(self) -> Evidence | None:
        """What drove the score."""
        return self.explain() if self.explain is not None else None


class TicketScorer(Protocol):
    """Anything that can score a ticket's text."""

    def score(self, text: str) -> Score: ...
