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

Durations are written ``90s``, ``30m``, ``24h``, ``7d`` or ``2w``
(:mod:`config.rule_values`); the ``when`` tree is :mod:`config.conditions`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, model_validator

from config.conditions import Absence, Condition, Count, PropertyCondition, Sequence, TicketGate
from config.rule_values import Duration, Name, Priority, Share, Strict, parse_duration, parse_share
from config.yaml_errors import load_yaml_model

__all__ = [
    "DEFAULT_RULES", "Absence", "Condition", "Count", "EventSignal", "Governance", "PropertyCondition",
    "Rule", "RulesFile", "Sequence", "Signals", "TicketGate", "Variant", "load_rules", "parse_duration",
    "parse_share",
]

DEFAULT_RULES = Path(__file__).with_name("rules.yaml")


class EventSignal(Strict):
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


class Signals(Strict):
    frustrated_at: int = Field(65, ge=0, le=100)
    intents: dict[Name, Name] = Field(
        default_factory=lambda: {"upgrade_question": "upgrade_intent"},
        description="taxonomy intent → an extra signal its tickets raise",
    )
    events: list[EventSignal] = Field(default_factory=list)


class Variant(Strict):
    """An A/B arm of a rule: a share of accounts (sticky, by hash) gets other thresholds or timing."""

    name: Name
    share: Share
    when: Condition | None = None
    priority: Priority | None = None
    cooldown: Duration | None = None


class Rule(Strict):
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
    _signal_definitions: tuple[str, ...] = PrivateAttr(())
    """The rules file's definitions of the event signals this rule names (set by ``RulesFile``)."""

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
        or holdout), the events that raise its signals included: alerts carry it as
        ``rule_version``, so precision is measured per version."""
        basis = self.model_dump(mode="json", exclude={"description", "enabled", "holdout", "variants"})
        if self._signal_definitions:
            basis["signal_definitions"] = list(self._signal_definitions)
        return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:8]


class Governance(Strict):
    cooldown: Duration = timedelta(hours=48)
    daily_cap: int = Field(3, ge=1)
    suppress_promotional_while_frustrated: bool = True
    channel: str = "email"
    working_hours: tuple[int, int] = (9, 17)
    working_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    default_timezone: str = "UTC"
    holdout_salt: str = "cuewire"
    """Mixed into every holdout assignment: change it to draw fresh control groups."""


class RulesFile(Strict):
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

    @model_validator(mode="after")
    def _rules_know_their_signals(self) -> RulesFile:
        # Which events raise a signal is part of what a rule fires on: a new version when it changes.
        for rule in self.rules:
            names = rule.when.signals()
            rule._signal_definitions = tuple(sorted(
                json.dumps(s.model_dump(mode="json"), sort_keys=True)
                for s in self.signals.events if s.signal in names))
        return self

    def horizon(self) -> timedelta:
        """How far back any rule looks: windows keep at least this much history."""
        return max((r.when.longest_window() for r in self.rules), default=timedelta(days=14))


def load_rules(path: Path | None = None) -> RulesFile:
    """Load and validate a rules file; errors name the rule, the field and the line."""
    return load_yaml_model(path or DEFAULT_RULES, RulesFile, "rules")
