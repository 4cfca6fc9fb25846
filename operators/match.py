"""Pattern rules over an account's signal windows, evaluated as of the evidence's time.

A rule is evaluated when a signal it reads arrives (``trigger``), against the
account's window as it stood at the trigger's own time — so replaying history
re-derives the same matches, with the same evidence and so the same alert ids.
``absence`` conditions are fired by a timer at ``first.at + within`` instead:
:func:`evaluate` is then called with ``due`` set.

The evidence of a match is the set of signals that satisfied it: it names the
alert (``alert_id``) and it is what a person reads. The conditions themselves are
read by :func:`operators.rule_progress.evaluate`, which near misses share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field
from datetime import datetime
from typing import Any

from config.rules import Absence, Rule
from operators import rule_progress as progress
from operators.alert_envelope import alert_id
from operators.gate import renewal_days
from operators.rule_progress import Window
from operators.signals import Signal, matches
from operators.value_class import value_class
from operators.window_reading import after

__all__ = ["Match", "Timer", "Window", "absences_due", "account_conditions_hold", "distinct",
           "evaluate", "later_triggers", "match_alert_id", "match_of", "timers_for"]


@value_class
class Match:
    rule: Rule
    account_id: str
    at: datetime
    evidence: tuple[Signal, ...]
    details: dict[str, Any] = field(default_factory=dict)


@value_class
class Timer:
    """An absence to check at ``due``: did ``first`` go without ``missing``?"""

    rule_id: str
    due: datetime
    first: Signal


def account_conditions_hold(rule: Rule, account: dict[str, Any] | None, at: datetime) -> bool:
    """Whether the account (as its CRM snapshot stands) meets the rule's ``account`` conditions
    at ``at``; ``renewal_days`` is counted from ``at``, as the gate counts it."""
    if not rule.account:
        return True
    values = dict(account or {})
    values["renewal_days"] = renewal_days(account, at)
    return all(matches(c, values) for c in rule.account)


def evaluate(rule: Rule, trigger: Signal, window: Window, *, due: datetime | None = None,
             absence: Absence | None = None) -> Match | None:
    """The rule's match for ``trigger`` (or for the timer ``absence`` at ``due``), if any."""
    found = progress.evaluate(rule, trigger, window, due=due, absence=absence, matches_only=True)
    return match_of(rule, trigger, found, due=due)


def match_of(rule: Rule, trigger: Signal, found: progress.Progress | None, *,
             due: datetime | None = None) -> Match | None:
    """The match in a rule's progress (:func:`operators.rule_progress.evaluate`), if it matched:
    a full reading holds the same match a ``matches_only`` one finds, so one reading can
    serve both a match and, failing that, a near miss."""
    if found is None or found.match is None:
        return None
    evidence, details = found.match
    return Match(rule, trigger.account_id, due or trigger.at, tuple(progress.unique(evidence)),
                 details)


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
    return [signal, *after(window, rule.when.signals(), signal.at, until)]


def timers_for(rules: Sequence[Rule], signal: Signal) -> list[Timer]:
    """The absence checks a newly arrived signal starts."""
    out = []
    name = signal.name
    for rule in rules:
        for absence in rule.when.absences_after(name):
            out.append(Timer(rule.id, signal.at + absence.within, signal))
    return out


def absences_due(rule: Rule, first: Signal) -> list[Absence]:
    return list(rule.when.absences_after(first.name))


def match_alert_id(m: Match) -> str:
    """The id of the alert ``m`` names: its rule, its account and its evidence records."""
    return alert_id(m.rule.id, m.account_id, [s.record_id for s in m.evidence])


def distinct(matches: Sequence[Match]) -> list[Match]:
    """Each match once, the first of its kind kept: triggers of one batch can complete a rule
    with the same evidence as of the same time (a ticket that asks about the API and about a
    bigger plan carries two signals, each a trigger of ``upgrade-intent``). They name one alert
    (:func:`~operators.alert_envelope.alert_id`) at one time, so each copy after the first was
    rendered, governed and claimed only for the alert ledger to drop it. Matches at another
    time are kept: governance decides as of a match's time.

    >>> from datetime import UTC
    >>> from config.rules import load_rules
    >>> rule = next(r for r in load_rules().rules if r.id == "upgrade-intent")
    >>> t = datetime(2026, 11, 2, tzinfo=UTC)
    >>> s = Signal("a", "upgrade_intent", "m1", t, "event", "m1", "m1")
    >>> once, again = Match(rule, "a", t, (s,)), Match(rule, "a", t, (s,))
    >>> later = Match(rule, "a", t.replace(hour=1), (s,))
    >>> [m is once or m is later for m in distinct([once, again, later])]
    [True, True]
    """
    seen: set[tuple[str, datetime]] = set()
    out = []
    for m in matches:
        key = (match_alert_id(m), m.at)
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out
