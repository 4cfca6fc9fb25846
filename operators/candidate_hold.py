"""Candidates held back a moment, so each account's are governed in event-time order.

Governance decides an account's candidates in event-time order
(:func:`operators.govern.decision_order`), which makes its verdicts independent of
where the stream is cut into batches. But candidates reach it in log order, and a
record produced a little late (another partition, a relay's retry) brings its
candidate after later ones: decided on arrival, it loses a cooldown or the daily cap
to a candidate that a replay of the same records decides after it.

So a candidate waits. Live, for ``wait_s`` seconds of wall clock after it arrived:
long enough for a record produced a little late, short enough that a quiet stream
still publishes promptly (event time is no guide there: a burst of records dated
minutes apart arrives within a second). In a replay or a bounded run, until this
step's event time (the newest candidate time it has seen) has passed it by
``lateness``, and everything at the input's end. A candidate is handed on with every
held candidate of its account that comes before it, all in decision order. What
arrives later than that is decided on arrival, as before.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

T = TypeVar("T")
OrderKey = tuple[str, datetime, int, str]
"""``decision_order`` of a candidate: (account, evidence time, priority rank, alert id)."""


@dataclass(frozen=True, slots=True)
class HoldPolicy:
    lateness: timedelta | None = timedelta(minutes=5)
    """How far event time must pass a candidate before it is decided; ``None``: the wall clock alone."""
    wait_s: float | None = 3.0
    """How long a candidate waits by the wall clock; ``None``: event time alone."""


@dataclass(slots=True)
class HeldCandidate(Generic[T]):
    key: OrderKey
    arrived: float
    """Wall clock (seconds) when it arrived: only a live hold reads it."""
    item: T


@dataclass(slots=True)
class HoldState(Generic[T]):
    """What a hold keeps between epochs (and in its recovery snapshot)."""

    held: list[HeldCandidate[T]] = field(default_factory=list)
    newest: datetime | None = None


class CandidateHold(Generic[T]):
    """Holds items by their candidates' :data:`OrderKey` until they are due.

    >>> from datetime import UTC
    >>> t0 = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
    >>> hold = CandidateHold(HoldPolicy(timedelta(minutes=5), wait_s=None))
    >>> hold.add(("a", t0 + timedelta(minutes=1), 0, "late-ish"), "second", now=0.0)
    >>> hold.add(("a", t0, 3, "early"), "first", now=1.0)
    >>> hold.release(now=2.0)
    []
    >>> hold.add(("b", t0 + timedelta(minutes=6), 1, "b1"), "b's", now=3.0)
    >>> hold.release(now=3.0)
    ['first', 'second']
    >>> hold.drain()
    ["b's"]
    """

    def __init__(self, policy: HoldPolicy, resume: HoldState[T] | None = None) -> None:
        self.policy = policy
        self._state: HoldState[T] = resume if resume is not None else HoldState()

    def add(self, key: OrderKey, item: T, now: float) -> None:
        self._state.held.append(HeldCandidate(key, now, item))
        newest = self._state.newest
        if newest is None or key[1] > newest:
            self._state.newest = key[1]

    def held(self) -> int:
        return len(self._state.held)

    def release(self, now: float) -> list[T]:
        """The items now due, and every held item of their accounts that comes before
        them, in decision order."""
        held = self._state.held
        if not held:
            return []
        bound: dict[Hashable, OrderKey] = {}
        for h in held:
            if self._due(h, now):
                account = h.key[0]
                if account not in bound or h.key > bound[account]:
                    bound[account] = h.key
        if not bound:
            return []
        out = [h for h in held if h.key[0] in bound and h.key <= bound[h.key[0]]]
        self._state.held = [h for h in held if not (h.key[0] in bound and h.key <= bound[h.key[0]])]
        return [h.item for h in sorted(out, key=lambda h: h.key)]

    def drain(self) -> list[T]:
        """Everything held, in decision order (the input's end)."""
        out, self._state.held = self._state.held, []
        return [h.item for h in sorted(out, key=lambda h: h.key)]

    def next_due(self) -> float | None:
        """When the wall clock next makes an item due (a live hold), else ``None``."""
        if self.policy.wait_s is None or not self._state.held:
            return None
        return min(h.arrived for h in self._state.held) + self.policy.wait_s

    def snapshot(self) -> HoldState[T]:
        return HoldState(list(self._state.held), self._state.newest)

    def _due(self, h: HeldCandidate[T], now: float) -> bool:
        newest, lateness = self._state.newest, self.policy.lateness
        if lateness is not None and newest is not None and newest - h.key[1] >= lateness:
            return True
        return self.policy.wait_s is not None and now - h.arrived >= self.policy.wait_s
