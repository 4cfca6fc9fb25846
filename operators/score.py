"""Ticket scoring: the interface every scorer meets, and the taxonomy scorer.

A score is one number per ticket, 0–100 frustration, plus the signal it raises,
its topic, the intents it shows and the phrases that drove it (they go into the
alert's evidence). DESIGN.md's thresholds (50/65/80) are read against it.

The taxonomy scorer is deterministic and explainable: the strongest matched
category sets the base score, each further distinct category adds a little.
Learned scorers implement the same :class:`TicketScorer` protocol.

>>> from config.taxonomy import load_taxonomy
>>> scorer = TaxonomyScorer(load_taxonomy())
>>> s = scorer.score("Our numbers are wrong in every report since Monday")
>>> (s.score >= 80, s.signal, s.risk)
(True, 'churn_risk', 'critical')
>>> scorer.score("Thanks so much, love the product!!!").score
0
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from config.taxonomy import RiskLevel, Taxonomy

FURTHER_CATEGORY_BONUS = 5


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


class TicketScorer(Protocol):
    """Anything that can score a ticket's text."""

    def score(self, text: str) -> Score: ...


_SEPARATOR = r"[\s\W_]+"


def _phrase_pattern(phrase: str) -> str:
    words = [re.escape(w) for w in re.split(r"[\s]+", phrase.strip().lower()) if w]
    # Apostrophes vary (’ vs ') and are optional ("cant"), so match either or none.
    body = _SEPARATOR.join(words).replace("'", "['’]?")
    return rf"(?<![\w]){body}(?![\w])"


class TaxonomyScorer:
    """Weighted-phrase scorer compiled from a :class:`Taxonomy` into one regex."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self._taxonomy = taxonomy
        groups: list[str] = []
        self._owners: list[tuple[str, str]] = []  # group index -> (kind, id)
        for cat in taxonomy.categories:
            for phrase in cat.phrases:
                groups.append(f"({_phrase_pattern(phrase)})")
                self._owners.append(("category", cat.id))
        for intent in taxonomy.intents:
            for phrase in intent.phrases:
                groups.append(f"({_phrase_pattern(phrase)})")
                self._owners.append(("intent", intent.id))
        self._regex = re.compile("|".join(groups), re.IGNORECASE)
        self._categories = {c.id: c for c in taxonomy.categories}
        self._intents = {i.id: i for i in taxonomy.intents}

    def score(self, text: str) -> Score:
        matched_categories: dict[str, list[str]] = {}
        matched_intents: dict[str, list[str]] = {}
        for m in self._regex.finditer(text):
            kind, owner = self._owners[m.lastindex - 1 if m.lastindex else 0]
            target = matched_categories if kind == "category" else matched_intents
            target.setdefault(owner, []).append(m.group(0).lower())
        intents = tuple(sorted(matched_intents))
        if not matched_categories:
            signal = self._intents[intents[0]].signal if intents else None
            phrases = tuple(p for i in intents for p in matched_intents[i])[:5]
            return Score(0, signal, None, None, 0.5 if intents else 0.2, phrases, intents)
        ranked = sorted(
            matched_categories,
            key=lambda cid: (-self._taxonomy.levels[self._categories[cid].level], cid),
        )
        top = self._categories[ranked[0]]
        base = self._taxonomy.levels[top.level]
        score = min(100, base + FURTHER_CATEGORY_BONUS * (len(ranked) - 1))
        phrases = tuple(dict.fromkeys(p for cid in ranked for p in matched_categories[cid]))[:5]
        confidence = min(1.0, 0.6 + 0.1 * sum(len(v) for v in matched_categories.values()))
        signal = top.signal
        if any(self._intents[i].signal == "churn_risk" for i in intents):
            signal = "churn_risk"
        return Score(score, signal, top.topic, top.level, confidence, phrases, intents,
                     tuple(ranked))
