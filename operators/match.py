"""Pattern rules over an account's signal windows, evaluated as of the evidence's time.

A rule is evaluated when a signal it reads arrives (``trigger``), against the
account's window as it stood at the trigger's own time — so replaying history
re-derives the same matches, with the same evidence and so the same alert ids.
``absence`` conditions are fired by a timer at ``first.at + within`` instead:
:func:`evaluate` is then called with ``due`` set.

The evidence of a match is the set of signals that satisfied it: it names the
alert (``alert_id``) and it is what a person reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from config.rules import Absence, Condition, Count, Rule
from config.rules import Sequence as SequenceRule
from operators.gate import renewal_days
from operators.problem import same_problem
from operators.signals import Signal, matches

Window = Mapping[str, Sequence[Signal]]
"""Signals of one account by name, any order; duplicates by ``key`` allowed (first wins)."""


@dataclass(frozen=True, slots=True)
class Match:
    rule: Rule
    account_id: str
    at: datetime
    evidence: tuple[Signal, ...]
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Timer:
    """An absence to check at ``due``: did ``first`` go without ``missing``?"""

    rule_id: str
    due: datetime
    first: Signal


def account_conditions_hold(rule: Rule, account: dict[str, Any] | None, at: datetime) -> bool:
    if not rule.account:
        return True
    values = dict(account or {})
    values["renewal_days"] = renewal_days(account, at)
    return all(matches(c, values) for c in rule.account)


def _unique(signals: Sequence[Signal]) -> list[Signal]:
    seen: dict[str, Signal] = {}
    for s in sorted(signals, key=lambda s: (s.at, s.record_id)):
        seen.setdefault(s.key, s)
    return list(seen.values())


def _between(window: Window, name: str, after: datetime, until: datetime) -> list[Signal]:
    """Signals named ``name`` with ``after < at ≤ until``, one per key, oldest first."""
    return _unique([s for s in window.get(name, ()) if after < s.at <= until])


def evaluate(rule: Rule, trigger: Signal, window: Window, *, due: datetime | None = None,
             absence: Absence | None = None) -> Match | None:
    """The rule's match for ``trigger`` (or for the timer ``absence`` at ``due``), if any."""
    at = due or trigger.at
    found = _condition(rule.when, trigger, window, at, absence)
    if found is None:
        return None
    evidence, details = found
    return Match(rule, trigger.account_id, at, tuple(_unique(list(evidence))), details)


_Found = tuple[list[Signal], dict[str, Any]] | None


def _condition(cond: Condition, trigger: Signal, window: Window, at: datetime,
               timer: Absence | None) -> _Found:
    if cond.count is not None:
        return _count(cond.count, trigger, window, at)
    if cond.sequence is not None:
        return _sequence(cond.sequence, trigger, window, at) if timer is None else None
    if cond.absence is not None:
        return _absence(cond.absence, trigger, window, at) if cond.absence == timer else None
    if cond.ticket_gate is not None:
        return None  # rule 1 is gated per ticket in operators.gate, not over windows
    if cond.all_of is not None:
        evidence: list[Signal] = []
        details: dict[str, Any] = {}
        for child in cond.all_of:
            found = _condition(child, trigger, window, at, timer)
            if found is None:
                return None
            evidence += found[0]
            details.update(found[1])
        return evidence, details
    for child in cond.any_of or []:
        found = _condition(child, trigger, window, at, timer)
        if found is not None:
            return found
    return None


def _count(count: Count, trigger: Signal, window: Window, at: datetime) -> _Found:
    candidates = _between(window, count.of, at - count.within, at)
    if count.same == "topic":
        topic = trigger.topic if trigger.name == count.of else None
        groups: dict[str, list[Signal]] = {}
        for s in candidates:
            if s.topic:
                groups.setdefault(s.topic, []).append(s)
        if topic is None:
            return None  # only a signal of this topic can complete "the same topic N times"
        candidates = groups.get(topic, [])
    elif count.same == "problem":
        if trigger.name != count.of or trigger.problem is None:
            return None  # only a ticket with a fingerprint can complete "the same problem N times"
        candidates = [s for s in candidates
                      if s.key == trigger.key or same_problem(s.problem, trigger.problem)]
    if len(candidates) < count.at_least:
        return None
    evidence = candidates[-count.at_least:]
    details: dict[str, Any] = {"count": len(candidates)}
    if count.same in ("topic", "problem") and evidence:
        details["topic"] = evidence[-1].topic
    return evidence, details


def _sequence(seq: SequenceRule, trigger: Signal, window: Window, at: datetime) -> _Found:
    if seq.either_order and trigger.name == seq.first and trigger.name != seq.then:
        thens = [s for s in _between(window, seq.then, at - seq.within, at) if s.key != trigger.key]
        return ([thens[-1], trigger], {}) if thens else None
    if trigger.name != seq.then:
        return None
    firsts = _between(window, seq.first, at - seq.within, at)
    firsts = [s for s in firsts if s.key != trigger.key]
    if not firsts:
        return None
    return [firsts[-1], trigger], {}


def _absence(absence: Absence, first: Signal, window: Window, due: datetime) -> _Found:
    followers = [s for s in _between(window, absence.missing, first.at, due) if s.key != first.key]
    if followers:
        return None
    return [first], {"waited": absence.within}


def later_triggers(rule: Rule, signal: Signal, window: Window) -> list[Signal]:
    """``signal`` and, oldest first, the signals the rule reads that are later than it
    but within twice the rule's window: the times as of which a late ``signal`` can
    complete the rule (or, up to twice the window, come close to it, which the weekly
    digest reports). In-order arrival makes this just ``[signal]``.

    >>> from datetime import UTC, timedelta
    >>> from config.rules import load_rules
    >>> rule = next(r for r in load_rules().rules if r.id == "upgrade-intent")
    >>> t = datetime(2026, 11, 2, tzinfo=UTC)
    >>> late = Signal("a", "upgrade_intent", "m1", t, "event", "m1", "m1")
    >>> newer = Signal("a", "api_question", "t9", t + timedelta(days=2), "ticket", "t9", "r9")
    >>> [s.key for s in later_triggers(rule, late, {"api_question": [newer]})]
    ['m1', 't9']
    """
    until = signal.at + 2 * rule.when.longest_window()
    names = rule.when.signals()
    later = [s for name in names for s in window.get(name, ()) if signal.at < s.at <= until]
    return [signal, *_unique(later)]


def timers_for(rules: Sequence[Rule], signal: Signal) -> list[Timer]:
    """The absence checks a newly arrived signal starts."""
    out = []
    for rule in rules:
        for absence in rule.when.absences():
            if absence.first == signal.name:
                out.append(Timer(rule.id, signal.at + absence.within, signal))
    return out


def absences_due(rule: Rule, first: Signal) -> list[Absence]:
    return [a for a in rule.when.absences() if a.first == first.name]
