"""Ticket scoring: what a score is, and the interface every scorer meets.

A score is one number per ticket, 0–100 frustration, plus the signal it raises,
its topic, the intents it shows and the phrases that drove it (they go into the
alert's evidence). DESIGN.md's thresholds (50/65/80) are read against it.

The scorer the flow runs is :class:`operators.learned_score.LearnedScorer`:
the taxonomy picks the band, an online model places the ticket in it.

>>> from config.taxonomy import load_taxonomy
>>> from operators.learned_score import LearnedScorer
>>> scorer: TicketScorer = LearnedScorer.seeded(load_taxonomy())
>>> s = scorer.score("Our numbers are wrong in every report since Monday")
>>> (s.score >= 80, s.signal, s.risk)
(True, 'churn_risk', 'critical')
>>> scorer.score("Thanks so much, love the product!!!").score < 50
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from config.taxonomy import RiskLevel


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
