"""How far each condition of a pattern rule got, as of the evidence's time: one reading
of the rule-condition tree, for matches and near misses alike.

:func:`evaluate` walks a rule's ``when`` tree once and returns its
:class:`Progress`: ``match`` holds the evidence and details when the rule fired
(what :func:`operators.match.evaluate` makes an alert of), and ``closeness``,
``missing`` and ``evidence`` say how close it came otherwise (what
:func:`operators.near_miss.near_miss` files for the weekly digest).

How close each kind of condition came:

``count``
    have / need (2 of 3 tickets about integration → 0.67, "1 more ticket about
    integration (2 of 3 within 14 days)"). A ``same: topic`` count triggered by
    another signal matches nothing, but its closest topic is what a person wants
    to see; a ``same: problem`` count counts the tickets close to the trigger's.
``sequence``
    judged when its second step arrives: with no first step within the window,
    0.5 (one step of two); with a first step that came too early, within / gap
    (a view 9 days after the ticket, 7 days allowed → 0.78). When the first
    step arrives with the second already behind it (wrong order), 0.75. A first
    step on its own is not a miss yet — its second step may still come — so it
    cannot be judged (every ticket would be a near miss otherwise).
``absence``
    judged by its timer only: the follower came ``gap`` into a wait of
    ``within`` → gap / within (a login after 12 of 14 silent days → 0.86).
``all_of``
    the product of its parts (a met part counts 1): two parts short is further
    than one. The missing words list the unmet parts. It matches when every part does.
``any_of``
    its closest branch; it matches with its first branch that matches.

A node that cannot be judged for this trigger (a sequence or count under a timer,
an absence before its timer, rule 1's per-ticket gate) is None, and so is every
``all_of`` holding one.

Windows are read by bisection (:mod:`operators.window_reading`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any, NamedTuple

from config.rules import Absence, Condition, Count, Rule
from config.rules import Sequence as SequenceRule
from operators import words
from operators.problem import same_problem
from operators.signals import Signal
from operators.window_reading import Reading, Window, between, ordered, unique

__all__ = ["LONE_STEP_CLOSENESS", "MET", "REVERSED_ORDER_CLOSENESS", "SEQUENCE_LOOKBACK", "Found", "Phrase",
           "Progress", "Window", "between", "evaluate", "ordered", "unique"]

Found = tuple[tuple[Signal, ...], dict[str, Any]]
"""A match's evidence (in the order its conditions found it) and details."""

Phrase = Callable[[], str]
"""Words for what was missing, written only when a near miss is reported: most
evaluations match or come nowhere near, and need none."""

MET = 1.0
REVERSED_ORDER_CLOSENESS = 0.75
"""Both steps of a sequence within its window, but in the wrong order."""
LONE_STEP_CLOSENESS = 0.5
"""One step of a two-step sequence."""
ON_THE_EDGE = 0.999
"""A second step exactly one window after its first: outside the half-open window
(at - within, at], so not met, but as close as a miss comes."""
SEQUENCE_LOOKBACK = 2
"""A first step is looked for up to this many windows back: further, within / gap < 0.5 anyway.
Bounding it keeps the answer independent of how much history a batch happened to read."""


class Progress(NamedTuple):
    """How far one condition (or a whole rule) got (a tuple: one is made per condition node
    per evaluation)."""

    closeness: float
    """0..1; 1 when met. Can be 1 without a match: a topic count's closest topic, when the
    trigger is not of the topic, is complete but cannot fire the rule."""
    missing: tuple[Phrase, ...]
    """What was missing, a phrase per unmet part."""
    evidence: tuple[Signal, ...]
    """The signals that were there."""
    match: Found | None = None
    """The evidence and details, when the condition matched."""


def evaluate(rule: Rule, trigger: Signal, window: Window, *, due: datetime | None = None,
             absence: Absence | None = None, matches_only: bool = False) -> Progress | None:
    """``rule``'s progress for ``trigger`` as of its own time (or for the timer
    ``absence`` at ``due``); None when it cannot be judged for this trigger.

    ``matches_only``: only whether (and with what) it matched, read no further than
    that needs — the first branch of an ``any_of`` that matches, an ``all_of`` up
    to its first part that does not; None when it did not match.
    """
    walk = _Walk(trigger, Reading(window), due or trigger.at, absence, matches_only)
    found = walk.condition(rule.when)
    if matches_only and (found is None or found.match is None):
        return None
    return found


# -- conditions ---------------------------------------------------------------------------------


class _Walk:
    """One evaluation: the trigger, its window and the time it is judged at."""

    __slots__ = ("at", "matches_only", "timer", "trigger", "window")

    def __init__(self, trigger: Signal, window: Reading, at: datetime, timer: Absence | None,
                 matches_only: bool) -> None:
        self.trigger, self.window, self.at, self.timer = trigger, window, at, timer
        self.matches_only = matches_only

    def condition(self, cond: Condition) -> Progress | None:
        trigger, window, at, timer = self.trigger, self.window, self.at, self.timer
        if cond.count is not None:
            return _count(cond.count, trigger, window, at)
        if cond.sequence is not None:
            return _sequence(cond.sequence, trigger, window, at, self.matches_only) if timer is None else None
        if cond.absence is not None:
            # An absence is judged when its timer fires; before that it is still running.
            return _absence(cond.absence, trigger, window, at) if cond.absence == timer else None
        if cond.all_of is not None:
            return self.all_of(cond.all_of)
        if cond.any_of is not None:
            return self.any_of(cond.any_of)
        return None  # ticket_gate: rule 1 is gated per ticket in operators.gate, not over windows

    def all_of(self, conditions: Sequence[Condition]) -> Progress | None:
        judged: list[Progress] = []
        for cond in conditions:
            found = self.condition(cond)
            if found is None or (self.matches_only and found.match is None):
                return None
            judged.append(found)
        closeness = 1.0
        for c in judged:
            closeness *= c.closeness
        match: Found | None = None
        if all(c.match is not None for c in judged):
            details: dict[str, Any] = {}
            for c in judged:
                details.update(c.match[1] if c.match else {})
            match = (tuple(s for c in judged for s in (c.match[0] if c.match else ())), details)
        return Progress(
            closeness,
            tuple(m for c in judged if c.closeness < MET for m in c.missing),
            tuple(s for c in judged for s in c.evidence),
            match,
        )

    def any_of(self, conditions: Sequence[Condition]) -> Progress | None:
        best: Progress | None = None
        first_match: Found | None = None
        for cond in conditions:
            found = self.condition(cond)
            if found is None:
                continue
            if first_match is None and found.match is not None:
                if self.matches_only:
                    return found
                first_match = found.match
            if best is None or found.closeness > best.closeness:
                best = found
        if best is None or first_match is best.match:
            return best
        return Progress(best.closeness, best.missing, best.evidence, first_match)


def _count(count: Count, trigger: Signal, window: Reading, at: datetime) -> Progress:
    candidates = window.between(count.of, at - count.within, at)
    topic: str | None = None
    can_fire = True
    if count.same == "topic":
        groups: dict[str, list[Signal]] = {}
        for s in candidates:
            if s.topic:
                groups.setdefault(s.topic, []).append(s)
        topic = trigger.topic if trigger.name == count.of else None
        # Only a signal of this topic can complete "the same topic N times".
        can_fire = topic is not None
        if topic is None and groups:
            topic = max(sorted(groups), key=lambda t: len(groups[t]))
        candidates = groups.get(topic, []) if topic else []
    elif count.same == "problem":
        # Only a ticket with a fingerprint can complete "the same problem N times" (none
        # counts without one); progress towards it counts the tickets close to the trigger's.
        fingerprint = trigger.problem if trigger.name == count.of else None
        candidates = [s for s in candidates if fingerprint is not None
                      and (s.key == trigger.key or same_problem(s.problem, fingerprint))]
        topic = trigger.topic if fingerprint is not None else None
    have, need = len(candidates), count.at_least
    if have >= need:
        evidence = tuple(candidates[-need:])
        match: Found | None = None
        if can_fire:
            details: dict[str, Any] = {"count": have}
            if count.same is not None:
                details["topic"] = evidence[-1].topic
            match = (evidence, details)
        return Progress(MET, (), evidence, match)
    return Progress(have / need, (partial(words.count_short, count, have, topic),), tuple(candidates))


def _sequence(seq: SequenceRule, trigger: Signal, window: Reading, at: datetime,
              matches_only: bool) -> Progress | None:
    if trigger.name == seq.then:
        in_window = [s for s in window.between(seq.first, at - seq.within, at) if s.key != trigger.key]
        match: Found | None = ((in_window[-1], trigger), {}) if in_window else None
        if matches_only:
            return Progress(MET, (), (), match) if match else None
        firsts = [s for s in window.between(seq.first, at - SEQUENCE_LOOKBACK * seq.within, at)
                  if s.key != trigger.key]
        if not firsts:
            return Progress(LONE_STEP_CLOSENESS, (partial(words.first_step_missing, seq),),
                            (trigger,), match)
        latest = firsts[-1]
        gap = at - latest.at
        if gap < seq.within:
            return Progress(MET, (), (latest, trigger), match)
        return Progress(min(seq.within / gap, ON_THE_EDGE), (partial(words.second_step_late, seq, gap),),
                        (latest, trigger), match)
    if trigger.name == seq.first:
        # The second step is already here, before the first: close, in the wrong order — unless
        # that second step completed the sequence with an earlier first step (it alerted then).
        for view in reversed(window.between(seq.then, at - seq.within, at)):
            if view.key == trigger.key:
                continue
            if seq.either_order:
                return Progress(MET, (), (view, trigger), ((view, trigger), {}))
            earlier = [s for s in window.between(seq.first, view.at - seq.within, view.at)
                       if s.key != view.key]
            if earlier:
                return None
            return Progress(REVERSED_ORDER_CLOSENESS,
                            (partial(words.steps_reversed, seq, at - view.at),), (view, trigger))
    return None  # a first step alone: its second step may still come


def _absence(absence: Absence, first: Signal, window: Reading, due: datetime) -> Progress:
    followers = [s for s in window.between(absence.missing, first.at, due) if s.key != first.key]
    if not followers:
        return Progress(MET, (), (first,), ((first,), {"waited": absence.within}))
    follower = followers[0]
    gap = follower.at - first.at
    return Progress(gap / absence.within, (partial(words.silence_broken, absence, gap),),
                    (first, follower))
