"""Schema of the rules file (YAML): signals, pattern rules and governance, validated on load.

A rules file has three parts:

``signals``
    how records become named signals: event names (Segment ``track`` event or
    ``page`` name) mapped to a signal, optionally only when event properties
    match; tickets always raise ``ticket``, ``frustrated_ticket`` when their
    score reaches ``frustrated_at``, and one signal per taxonomy intent.
``rules``
    each with an ``id`` (it appears on the alerts), the alert ``signal``, a
    ``when`` condition tree (``count``, ``sequence``, ``absence``, ``all_of``,
    ``any_of``, ``ticket_gate``), optional ``account`` conditions, priority,
    cooldown, recommended action and message template.
``governance``
    cooldown, daily cap, suppression of promotional alerts during open
    frustrated tickets, consent channel and working hours.

Durations are written ``90s``, ``30m``, ``24h``, ``7d`` or ``2w``.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    model_validator,
)

from config.yaml_errors import load_yaml_model

DEFAULT_RULES = Path(__file__).with_name("rules.yaml")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> timedelta:
    """``"24h"`` → 24 hours.

    >>> parse_duration("7d")
    datetime.timedelta(days=7)
    >>> parse_duration("90s").total_seconds()
    90.0
    """
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=float(value))
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a duration such as 90s, 30m, 24h, 7d or 2w")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


def parse_share(value: Any) -> float:
    """A holdout share: ``"10%"`` or a fraction such as ``0.1``; below 100 %.

    >>> parse_share("10%")
    0.1
    >>> parse_share(0.25)
    0.25
    """
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            share = float(value.strip()[:-1]) / 100
        except ValueError:
            raise ValueError(f"{value!r} is not a share such as 10% or 0.1") from None
    elif isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1:
        share = float(value)
    else:
        raise ValueError(f"{value!r} is not a share such as 10% or 0.1 (a bare number must be below 1)")
    if not 0 <= share < 1:
        raise ValueError(f"{value!r}: a holdout must be at least 0% and below 100%")
    return share


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Share = Annotated[float, BeforeValidator(parse_share)]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Priority = Literal["critical", "high", "medium", "low"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PropertyCondition(_Strict):
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


class EventSignal(_Strict):
    """Records that raise ``signal``: a Segment track event or page by name."""

    signal: Name
    events: list[str] = Field(default_factory=list)
    pages: list[str] = Field(default_factory=list)
    where: list[PropertyCondition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names(self) -> EventSignal:
        if not self.events and not self.pages:
            raise ValueError("needs events or pages")
        return self


class Signals(_Strict):
    frustrated_at: int = Field(65, ge=0, le=100)
    intents: dict[Name, Name] = Field(
        default_factory=lambda: {"upgrade_question": "upgrade_intent"},
        description="taxonomy intent → an extra signal its tickets raise",
    )
    events: list[EventSignal] = Field(default_factory=list)


class Count(_Strict):
    """At least ``at_least`` of signal ``of`` within ``within`` (optionally of one ``same`` field)."""

    of: Name
    at_least: int = Field(1, ge=1)
    within: Duration
    same: Literal["topic", "problem"] | None = None
    """``topic``: the same topic; ``problem``: tickets whose problem fingerprints are close
    (:mod:`operators.problem`), so re-worded reports of one problem count together."""


class Sequence(_Strict):
    """``first`` then ``then`` within ``within``; fires on ``then``.

    ``either_order``: the two within ``within`` of each other in any order (it then
    also fires on ``first`` when a ``then`` came before it).
    """

    first: Name
    then: Name
    within: Duration
    either_order: bool = False


class Absence(_Strict):
    """``first`` not followed by ``missing`` within ``within``; fired by a timer."""

    first: Name
    missing: Name
    within: Duration


class TicketGate(_Strict):
    """Rule 1's composite gate on one ticket's score and its account."""

    score_with_mrr: int = 65
    mrr_floor: float = 1000
    score_alone: int = 80
    renewal_within_days: int = 60
    score_near_renewal: int = 50
    critical_renewal_days: int = 30


class Condition(_Strict):
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

    def absences(self) -> list[Absence]:
        found = [self.absence] if self.absence else []
        for child in (self.all_of or []) + (self.any_of or []):
            found += child.absences()
        return found


class Variant(_Strict):
    """An A/B arm of a rule: a share of accounts (sticky, by hash) gets other thresholds or timing."""

    name: Name
    share: Share
    when: Condition | None = None
    priority: Priority | None = None
    cooldown: Duration | None = None


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    description: str = ""
    signal: Name
    when: Condition
    account: list[PropertyCondition] = Field(default_factory=list)
    priority: Priority = "medium"
    promotional: bool = False
    cooldown: Duration | None = None
    recommended_action: str
    message: str
    enabled: bool = True
    holdout: Share = 0.0
    """The share of accounts kept as this rule's control group: their alerts are governed
    as usual, then recorded on the digest topic (``"holdout": true``) instead of staged."""
    variants: list[Variant] = Field(default_factory=list)
    """A/B arms (``operators/variants.py``); accounts in none of them get the rule as written."""
    _arm: str | None = PrivateAttr(None)
    _arm_of: str | None = PrivateAttr(None)
    _arm_shares: tuple[tuple[str, float], ...] = PrivateAttr(())

    @model_validator(mode="after")
    def _arms(self) -> Rule:
        names = [v.name for v in self.variants]
        if len(set(names)) != len(names) or "control" in names:
            raise ValueError("variants need distinct names, and 'control' is the rule as written")
        if self.variants and sum(v.share for v in self.variants) >= 1:
            raise ValueError("variants' shares must add up to less than 100% (the rest is control)")
        if self.variants and self.when.ticket_gate is not None:
            raise ValueError("variants work on pattern rules, not on the ticket gate")
        return self

    @property
    def arm(self) -> str | None:
        """The variant this copy of a rule is (``control`` for the rule as written), or None."""
        return self._arm

    @property
    def arm_of(self) -> str:
        """The id of the rule this is an arm of (its own id when it has no variants)."""
        return self._arm_of or self.id

    @property
    def arm_shares(self) -> tuple[tuple[str, float], ...]:
        """(name, share) of every variant of the rule this is an arm of, in file order."""
        return self._arm_shares or tuple((v.name, v.share) for v in self.variants)

    @cached_property
    def version(self) -> str:
        """A short hash of what the rule fires on and says (not its description, enabled flag
        or holdout): alerts carry it as ``rule_version``, so precision is measured per version."""
        basis = self.model_dump(mode="json", exclude={"description", "enabled", "holdout", "variants"})
        return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:8]


class Governance(_Strict):
    cooldown: Duration = timedelta(hours=48)
    daily_cap: int = Field(3, ge=1)
    suppress_promotional_while_frustrated: bool = True
    channel: str = "email"
    working_hours: tuple[int, int] = (9, 17)
    working_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    default_timezone: str = "UTC"
    holdout_salt: str = "cuewire"
    """Mixed into every holdout assignment: change it to draw fresh control groups."""


class RulesFile(_Strict):
    version: Literal[1]
    signals: Signals = Signals()
    rules: list[Rule]
    governance: Governance = Governance()

    @model_validator(mode="after")
    def _unique_ids(self) -> RulesFile:
        ids = [r.id for r in self.rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"rule ids used twice: {', '.join(dupes)}")
        return self

    def horizon(self) -> timedelta:
        """How far back any rule looks: windows keep at least this much history."""
        return max((r.when.longest_window() for r in self.rules), default=timedelta(days=14))


def load_rules(path: Path | None = None) -> RulesFile:
    """Load and validate a rules file; errors name the rule, the field and the line."""
    return load_yaml_model(path or DEFAULT_RULES, RulesFile, "rules")
