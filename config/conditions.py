"""A rule's ``when`` tree: the conditions a pattern rule is made of, and rule 1's gate.

``count``, ``sequence`` and ``absence`` read an account's signal windows
(:mod:`operators.rule_progress` judges them); ``all_of`` and ``any_of`` combine
them; ``ticket_gate`` is rule 1's composite gate on one scored ticket
(:mod:`operators.gate`), whose thresholds are DESIGN.md's unless the file says
otherwise. ``PropertyCondition`` compares one field of an event or account.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import Any, Literal

from pydantic import Field, model_validator

from config.rule_values import Duration, Name, Strict


class PropertyCondition(Strict):
    """A condition on an event property or account field: exactly one comparison."""

    field: str
    equals: Any | None = None
    one_of: list[Any] | None = None
    at_least: float | None = None
    at_most: float | None = None

    @model_validator(mode="after")
    def _one_comparison(self) -> PropertyCondition:
        given = [n for n in ("equals", "one_of", "at_least", "at_most") if getattr(self, n) is not None]
        if not given:
            raise ValueError("needs one of equals, one_of, at_least, at_most")
        return self


class Count(Strict):
    """At least ``at_least`` of signal ``of`` within ``within`` (optionally of one ``same`` field)."""

    of: Name
    at_least: int = Field(1, ge=1)
    within: Duration
    same: Literal["topic", "problem"] | None = None
    """``topic``: the same topic; ``problem``: tickets whose problem fingerprints are close
    (:mod:`operators.problem`), so re-worded reports of one problem count together."""


class Sequence(Strict):
    """``first`` then ``then`` within ``within``; fires on ``then``.

    ``either_order``: the two within ``within`` of each other in any order (it then
    also fires on ``first`` when a ``then`` came before it).
    """

    first: Name
    then: Name
    within: Duration
    either_order: bool = False


class Absence(Strict):
    """``first`` not followed by ``missing`` within ``within``; fired by a timer."""

    first: Name
    missing: Name
    within: Duration


class TicketGate(Strict):
    """Rule 1's composite gate on one ticket's score and its account: the one place its
    thresholds live. The defaults are DESIGN.md's: score ≥ 65 with MRR ≥ 1,000, score ≥ 80
    whatever the MRR, or score ≥ 50 with the renewal within 60 days (critical within 30)."""

    score_with_mrr: int = 65
    mrr_floor: float = 1000.0
    score_alone: int = 80
    renewal_within_days: int = 60
    score_near_renewal: int = 50
    critical_renewal_days: int = 30


class Condition(Strict):
    """One node of a ``when`` tree: exactly one key set."""

    count: Count | None = None
    sequence: Sequence | None = None
    absence: Absence | None = None
    ticket_gate: TicketGate | None = None
    all_of: list[Condition] | None = None
    any_of: list[Condition] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        given = [n for n in ("count", "sequence", "absence", "ticket_gate", "all_of", "any_of")
                 if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError(
                "each condition needs exactly one of count, sequence, absence, ticket_gate, "
                f"all_of, any_of (found {', '.join(given) or 'none'})"
            )
        return self

    def signals(self) -> frozenset[str]:
        """Every signal name this condition reads (computed once: the hot path asks often)."""
        return self._signal_names

    @cached_property
    def _signal_names(self) -> frozenset[str]:
        names: set[str] = set()
        if self.count:
            names.add(self.count.of)
        if self.sequence:
            names |= {self.sequence.first, self.sequence.then}
        if self.absence:
            names |= {self.absence.first, self.absence.missing}
        if self.ticket_gate:
            names.add("ticket")
        for child in (self.all_of or []) + (self.any_of or []):
            names |= child.signals()
        return frozenset(names)

    def longest_window(self) -> timedelta:
        return self._longest_window

    @cached_property
    def _longest_window(self) -> timedelta:
        spans = [c.within for c in (self.count, self.sequence, self.absence) if c is not None]
        spans += [child.longest_window() for child in (self.all_of or []) + (self.any_of or [])]
        return max(spans, default=timedelta(0))

    def absences(self) -> tuple[Absence, ...]:
        """Every ``absence`` in the tree, in the file's order (computed once: a timer is
        looked for on every windowed signal)."""
        return self._absences

    @cached_property
    def _absences(self) -> tuple[Absence, ...]:
        found = [self.absence] if self.absence else []
        for child in (self.all_of or []) + (self.any_of or []):
            found += child.absences()
        return tuple(found)

    def absences_after(self, name: str) -> tuple[Absence, ...]:
        """The absences a signal called ``name`` starts (those whose ``first`` it is), in
        the order :meth:`absences` gives them."""
        return self._absences_by_first.get(name, ())

    @cached_property
    def _absences_by_first(self) -> dict[str, tuple[Absence, ...]]:
        by_first: dict[str, tuple[Absence, ...]] = {}
        for absence in self.absences():
            by_first[absence.first] = (*by_first.get(absence.first, ()), absence)
        return by_first
