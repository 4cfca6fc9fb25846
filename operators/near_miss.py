"""Near misses: how close a rule came for an account when it did not fire, in words.

The weekly digest tells each owner which accounts *almost* alerted: the
missing signal and how close the account came (0..1). A near miss is judged
as of an evidence time, exactly as :func:`operators.match.evaluate` judges a
match, so a replay of history finds the same near misses.

How close each kind of condition came:

``count``
    have / need (2 of 3 tickets about integration → 0.67, "1 more ticket about
    integration (2 of 3 within 14 days)").
``sequence``
    judged when its second step arrives: with no first step within the window,
    0.5 (one step of two); with a first step that came too early, within / gap
    (a view 9 days after the ticket, 7 days allowed → 0.78). When the first
    step arrives with the second already behind it (wrong order), 0.75. A first
    step on its own is not a miss yet — its second step may still come — so
    it is not reported (every ticket would be otherwise).
``absence``
    judged by its timer only: the follower came ``gap`` into a wait of
    ``within`` → gap / within (a login after 12 of 14 silent days → 0.86).
``all_of``
    the product of its parts (a met part counts 1): two parts short is further
    than one. The missing words list the unmet parts.
``any_of``
    its closest branch.

Rule 1 (``ticket-frustration-gate``) is judged per ticket by
:func:`near_miss_ticket`: the closest of its three ways through the gate
(score 58 with MRR 3,200 → 58 / 65 → "7 more points of frustration").

>>> from datetime import UTC, datetime
>>> from operators.gate import GateDecision
>>> t = datetime(2026, 11, 20, tzinfo=UTC)
>>> miss = near_miss_ticket(GateDecision(False, "below", "low", None), 58, {"mrr": 3200},
...                         account_id="acct_42", at=t, ticket_id="t-1")
>>> (miss.closeness, miss.missing)
(0.892, '7 more points of frustration (score 58 of 65 needed with MRR 3,200)')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from config.rules import Absence, Condition, Count, Rule
from config.rules import Sequence as SequenceRule
from operators.gate import RULE_ID, FrustrationGate, GateDecision
from operators.match import Window, evaluate
from operators.problem import same_problem
from operators.signals import Signal

MIN_CLOSENESS = 0.5
"""Below this a miss is not close: it is left out of the digest."""
EVIDENCE_LIMIT = 5
"""Evidence ids kept per near miss (the most recent)."""
REVERSED_ORDER_CLOSENESS = 0.75
"""Both steps of a sequence within its window, but in the wrong order."""
LONE_STEP_CLOSENESS = 0.5
"""One step of a two-step sequence."""
SEQUENCE_LOOKBACK = 2
"""A first step is looked for up to this many windows back: further, within / gap < 0.5 anyway.
Bounding it keeps the answer independent of how much history a batch happened to read."""
DEFAULT_GATE = FrustrationGate()
"""DESIGN.md's thresholds for rule 1; the flow passes the rules file's own."""
_NOT_MET_CAP = 0.999
"""A near miss never rounds up to 1: that would read as a match."""

_NOUNS: dict[str, tuple[str, str]] = {
    "ticket": ("ticket", "tickets"),
    "frustrated_ticket": ("frustrated ticket", "frustrated tickets"),
    "upgrade_intent": ("upgrade-intent signal", "upgrade-intent signals"),
    "upgrade_question": ("upgrade question", "upgrade questions"),
    "api_question": ("API question", "API questions"),
    "cancellation": ("cancellation question", "cancellation questions"),
    "full_export": ("full-export question", "full-export questions"),
    "feature_question": ("feature question", "feature questions"),
    "cancellation_terms_view": ("cancellation-terms view", "cancellation-terms views"),
    "data_export": ("data export", "data exports"),
    "cart_started": ("cart start", "cart starts"),
    "cart_completed": ("checkout completion", "checkout completions"),
    "onboarding_started": ("onboarding start", "onboarding starts"),
    "onboarding_completed": ("onboarding completion", "onboarding completions"),
    "login": ("login", "logins"),
}


@dataclass(frozen=True, slots=True)
class NearMiss:
    """A rule that did not fire for an account, and how close it came."""

    account_id: str
    rule_id: str
    missing: str
    """What was missing, in words a person reads ("1 more ticket about integration …")."""
    closeness: float
    """0..1, rounded to 3 places; never 1 (that would have been a match)."""
    at: datetime
    """The evidence time it was judged at: it files the near miss under its ISO week."""
    evidence: tuple[str, ...] = ()
    """Ids of the signals that were there (ticket ids, message ids), oldest first."""

    def to_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id, "rule_id": self.rule_id, "missing": self.missing,
            "closeness": self.closeness, "at": self.at.isoformat(), "evidence": list(self.evidence),
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> NearMiss:
        return NearMiss(
            account_id=data["account_id"], rule_id=data["rule_id"], missing=data["missing"],
            closeness=float(data["closeness"]), at=datetime.fromisoformat(data["at"]),
            evidence=tuple(data.get("evidence", ())),
        )


@dataclass(frozen=True, slots=True)
class _Progress:
    closeness: float
    missing: tuple[str, ...]
    evidence: tuple[Signal, ...]


_MET = 1.0


def near_miss(
    rule: Rule,
    trigger: Signal,
    window: Window,
    at: datetime,
    *,
    absence: Absence | None = None,
    min_closeness: float = MIN_CLOSENESS,
    evidence_limit: int = EVIDENCE_LIMIT,
) -> NearMiss | None:
    """How close ``rule`` came for ``trigger``'s account as of ``at``, when it did not match.

    Call it where :func:`operators.match.evaluate` returned None, with the same
    arguments (``at`` is the trigger's time, or the timer's due time with
    ``absence`` set). None when the rule matched, when it cannot be judged yet
    (a sequence's first step, an absence before its timer), or when it came
    less than ``min_closeness`` close.
    """
    if rule.when.ticket_gate is not None:
        return None  # rule 1 is judged per ticket: near_miss_ticket
    if evaluate(rule, trigger, window, due=at, absence=absence) is not None:
        return None
    progress = _condition(rule.when, trigger, window, at, absence)
    if progress is None or progress.closeness >= _MET or progress.closeness < min_closeness:
        return None
    return NearMiss(
        account_id=trigger.account_id, rule_id=rule.id, missing="; and ".join(progress.missing),
        closeness=_round(progress.closeness), at=at,
        evidence=_evidence_ids(progress.evidence, evidence_limit),
    )


def near_miss_ticket(
    decision: GateDecision,
    score: int,
    account: dict[str, Any] | None,
    *,
    account_id: str,
    at: datetime,
    ticket_id: str,
    gate: FrustrationGate = DEFAULT_GATE,
    min_closeness: float = MIN_CLOSENESS,
) -> NearMiss | None:
    """How close a below-gate ticket came to rule 1: the closest of its three ways through.

    ``at`` is the ticket's own time (renewal days are counted from it, as the
    gate does). None when the ticket passed or came less than ``min_closeness``
    close.
    """
    if decision.passed:
        return None
    mrr = float(account["mrr"]) if account and account.get("mrr") is not None else None
    days = decision.renewal_days
    ways: list[tuple[float, list[str]]] = []

    # Score with MRR: the headline way, so it is tried first and wins a tie.
    parts = [_points(score, gate.score_with_mrr,
                     "with MRR " + (f"{mrr:,.0f}" if mrr is not None else "unknown"))]
    if mrr is None:
        parts.append((0.0, f"an MRR of at least {gate.mrr_floor:,.0f} (MRR unknown)"))
    elif mrr < gate.mrr_floor:
        parts.append((max(mrr, 0.0) / gate.mrr_floor,
                      f"an MRR of at least {gate.mrr_floor:,.0f} (it is {mrr:,.0f})"))
    ways.append(_all(parts))

    # Near renewal: a renewal further away is closer the nearer it is.
    parts = [_points(score, gate.score_near_renewal, f"with renewal within {gate.renewal_within_days} days")]
    if days is None or days < 0:
        why = "no renewal date" if days is None else f"renewal passed {-days} days ago"
        parts.append((0.0, f"a renewal within {gate.renewal_within_days} days ({why})"))
    elif days > gate.renewal_within_days:
        parts.append((gate.renewal_within_days / days,
                      f"a renewal within {gate.renewal_within_days} days (it is in {days})"))
    ways.append(_all(parts))

    ways.append(_all([_points(score, gate.score_alone, "whatever the MRR")]))

    closeness, missing = max(ways, key=lambda w: w[0])  # max keeps the first of equals
    if closeness >= _MET or closeness < min_closeness:
        return None
    return NearMiss(account_id, RULE_ID, "; and ".join(missing), _round(closeness), at, (ticket_id,))


# -- conditions ---------------------------------------------------------------------------------


def _condition(cond: Condition, trigger: Signal, window: Window, at: datetime,
               timer: Absence | None) -> _Progress | None:
    """Progress of one condition node; None when it cannot be judged for this trigger."""
    if cond.count is not None:
        return _count(cond.count, trigger, window, at)
    if cond.sequence is not None:
        return _sequence(cond.sequence, trigger, window, at) if timer is None else None
    if cond.absence is not None:
        # An absence is judged when its timer fires; before that it is still running.
        return _absence(cond.absence, trigger, window, at) if cond.absence == timer else None
    if cond.all_of is not None:
        children = [_condition(c, trigger, window, at, timer) for c in cond.all_of]
        if any(c is None for c in children):
            return None
        judged = [c for c in children if c is not None]
        closeness = 1.0
        for c in judged:
            closeness *= c.closeness
        return _Progress(
            closeness,
            tuple(m for c in judged if c.closeness < _MET for m in c.missing),
            tuple(s for c in judged for s in c.evidence),
        )
    best: _Progress | None = None
    for child in cond.any_of or []:
        found = _condition(child, trigger, window, at, timer)
        if found is not None and (best is None or found.closeness > best.closeness):
            best = found
    return best


def _count(count: Count, trigger: Signal, window: Window, at: datetime) -> _Progress:
    candidates = _between(window, count.of, at - count.within, at)
    about = ""
    if count.same == "topic":
        groups: dict[str, list[Signal]] = {}
        for s in candidates:
            if s.topic:
                groups.setdefault(s.topic, []).append(s)
        topic = trigger.topic if trigger.name == count.of else None
        if topic is None and groups:
            # The match needs a trigger of the topic; the closest topic is what a person wants to see.
            topic = max(sorted(groups), key=lambda t: len(groups[t]))
        candidates = groups.get(topic, []) if topic else []
        about = f" about {topic.replace('_', ' ')}" if topic else " about one topic"
    elif count.same == "problem":
        # Progress towards "the same problem N times" counts the tickets close to the trigger's.
        fingerprint = trigger.problem if trigger.name == count.of else None
        candidates = [s for s in candidates if fingerprint is not None
                      and (s.key == trigger.key or same_problem(s.problem, fingerprint))]
        about = (f" about the same {trigger.topic.replace('_', ' ')} problem"
                 if fingerprint is not None and trigger.topic else " about the same problem")
    have, need = len(candidates), count.at_least
    if have >= need:
        return _Progress(_MET, (), tuple(candidates[-need:]))
    within = _span(count.within)
    if need == 1:
        words = f"{_a(_noun(count.of))}{about} within {within}"
    else:
        more = need - have
        words = f"{more} more {_noun(count.of, more)}{about} ({have} of {need} within {within})"
    return _Progress(have / need, (words,), tuple(candidates))


def _sequence(seq: SequenceRule, trigger: Signal, window: Window, at: datetime) -> _Progress | None:
    first, then, within = _noun(seq.first), _noun(seq.then), _span(seq.within)
    if trigger.name == seq.then:
        firsts = [s for s in _between(window, seq.first, at - SEQUENCE_LOOKBACK * seq.within, at)
                  if s.key != trigger.key]
        if not firsts:
            return _Progress(LONE_STEP_CLOSENESS, (f"{_a(first)} within {within} before the {then}",),
                             (trigger,))
        latest = firsts[-1]
        gap = at - latest.at
        if gap < seq.within:
            return _Progress(_MET, (), (latest, trigger))
        return _Progress(
            seq.within / gap,
            (f"{_a(then)} within {within} of the {first} (it came {_span(gap)} after)",),
            (latest, trigger),
        )
    if trigger.name == seq.first:
        # The second step is already here, before the first: close, in the wrong order — unless
        # that second step completed the sequence with an earlier first step (it alerted then).
        for view in reversed(_between(window, seq.then, at - seq.within, at)):
            if view.key == trigger.key:
                continue
            if seq.either_order:
                return _Progress(_MET, (), (view, trigger))  # either order: that is a match
            earlier = [s for s in _between(window, seq.first, view.at - seq.within, view.at)
                       if s.key != view.key]
            if earlier:
                return None
            return _Progress(
                REVERSED_ORDER_CLOSENESS,
                (f"{_a(then)} after the {first} (one came {_span(at - view.at)} before it)",),
                (view, trigger),
            )
    return None  # a first step alone: its second step may still come


def _absence(absence: Absence, first: Signal, window: Window, due: datetime) -> _Progress:
    followers = [s for s in _between(window, absence.missing, first.at, due) if s.key != first.key]
    if not followers:
        return _Progress(_MET, (), (first,))
    follower = followers[0]
    gap = follower.at - first.at
    after = "the last" if absence.missing == absence.first else f"the {_noun(absence.first)}"
    words = (f"{_span(absence.within - gap)} more without {_a(_noun(absence.missing))} "
             f"(one came {_span(gap)} after {after})")
    return _Progress(gap / absence.within, (words,), (first, follower))


# -- rule 1 -------------------------------------------------------------------------------------


def _points(score: int, needed: int, context: str) -> tuple[float, str]:
    if score >= needed:
        return _MET, ""
    return (max(score, 0) / needed,
            f"{needed - score} more points of frustration (score {score} of {needed} needed {context})")


def _all(parts: Sequence[tuple[float, str]]) -> tuple[float, list[str]]:
    closeness = 1.0
    for c, _ in parts:
        closeness *= c
    return closeness, [words for c, words in parts if c < _MET]


# -- helpers ------------------------------------------------------------------------------------


def _between(window: Window, name: str, after: datetime, until: datetime) -> list[Signal]:
    """Signals named ``name`` with ``after < at ≤ until``, one per key, oldest first
    (the same reading as ``operators.match``)."""
    seen: dict[str, Signal] = {}
    for s in sorted((s for s in window.get(name, ()) if after < s.at <= until),
                    key=lambda s: (s.at, s.record_id)):
        seen.setdefault(s.key, s)
    return list(seen.values())


def _evidence_ids(signals: Iterable[Signal], limit: int) -> tuple[str, ...]:
    ordered = sorted(signals, key=lambda s: (s.at, s.record_id))
    ids = list(dict.fromkeys(s.source_id for s in ordered))
    return tuple(ids[-limit:]) if limit > 0 else ()


def _round(closeness: float) -> float:
    return round(min(max(closeness, 0.0), _NOT_MET_CAP), 3)


def _noun(name: str, n: int = 1) -> str:
    one, many = _NOUNS.get(name, (name.replace("_", " "), name.replace("_", " ") + "s"))
    return one if n == 1 else many


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _span(span: timedelta) -> str:
    """``7 days``, ``23 hours``, ``40 minutes``: whole units a person reads at a glance.

    >>> _span(timedelta(days=14)), _span(timedelta(hours=23)), _span(timedelta(hours=1))
    ('14 days', '23 hours', '1 hour')
    """
    hours = span.total_seconds() / 3600
    if hours >= 48:
        value, unit = round(hours / 24), "day"
    elif hours >= 1:
        value, unit = round(hours), "hour"
    else:
        value, unit = max(1, round(hours * 60)), "minute"
    return f"{value} {unit}{'' if value == 1 else 's'}"
