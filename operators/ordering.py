"""Releasing records in the order of the input log, whichever worker read them.

An account's records arrive from several input partitions, read by one worker
or several, and the interleaving differs from run to run. Patterns, windows and
cooldowns are decided record by record, so a different interleaving can name
different evidence and so a different alert id. To make the outcome a function
of the input alone, every record passes through an :class:`InputOrder` (one per
account shard) that holds it until no record that sorts before it can still
arrive, then releases records in one total order: (log time, topic, partition,
offset).

"No earlier record can still arrive" is known from the partitions' progress:
each worker, after handing on a batch, sends every shard a :class:`PartitionMark`
saying how far (in log time) it has read each partition. A record is released
once every other partition that counts has been read past its time. Which
partitions count is the :class:`OrderPolicy`:

- A bounded input (``--exit-at-end``, a benchmark, a test) waits for every
  non-empty partition, however long, and releases the rest at its end: the
  order is then exactly the same with one worker, two, or two processes.
- A live input cannot wait for a partition that has gone quiet, so a partition
  not heard from for ``idle_s`` stops counting and no record is held longer than
  ``max_wait_s``. Order is then best effort; a record that arrives after later
  ones were released is released at once and counted as late.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

Partition = tuple[str, int]
SortKey = tuple[int, str, int, int]
"""(log time in ms, topic, partition, offset): unique per record and the same in every run."""

NO_TIME = -1
"""The log time of a record whose input has none (a replayed file): it sorts by offset alone."""


def sort_key(topic: str, partition: int, offset: int, time_ms: int | None) -> SortKey:
    return (NO_TIME if time_ms is None else time_ms, topic, partition, offset)


@dataclass(frozen=True, slots=True)
class PartitionMark:
    """How far one worker has read some input partitions: (topic, partition, newest
    log time in ms) for each partition in the batch it just handed on."""

    shard: int
    reached: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True, slots=True)
class OrderPolicy:
    """Which partitions a record waits for, and for how long."""

    expected: frozenset[Partition] = frozenset()
    """Input partitions whose progress bounds release; records from others pass as they come."""
    idle_s: float | None = None
    """A partition not heard from for this long stops counting (live input); ``None``: it
    always counts (a bounded input, which ends)."""
    max_wait_s: float | None = None
    """No record is held longer than this (live input); ``None``: no limit."""

    @property
    def live(self) -> bool:
        return self.idle_s is not None or self.max_wait_s is not None


@dataclass(slots=True)
class OrderState(Generic[T]):
    """What an :class:`InputOrder` must keep across a restart (it is snapshotted)."""

    held: list[tuple[SortKey, float, T]] = field(default_factory=list)
    newest: dict[Partition, int] = field(default_factory=dict)
    released: SortKey | None = None


class InputOrder(Generic[T]):
    """Holds records until their turn in input order comes; see the module's docstring."""

    def __init__(self, policy: OrderPolicy, started: float, state: OrderState[T] | None = None) -> None:
        self.policy = policy
        self._held: list[tuple[SortKey, float, T]] = list(state.held) if state else []
        heapq.heapify(self._held)
        self._newest: dict[Partition, int] = dict(state.newest) if state else {}
        self._released: SortKey | None = state.released if state else None
        # Partitions never heard from count as heard at start: a live flow waits for
        # them at most ``idle_s`` before treating them as quiet.
        self._heard: dict[Partition, float] = dict.fromkeys(policy.expected, started)
        self.late = 0
        """Records that arrived after a record sorting later had been released."""

    def add(self, key: SortKey, item: T, now: float) -> None:
        if self._released is not None and key < self._released:
            self.late += 1
        heapq.heappush(self._held, (key, now, item))

    def mark(self, reached: tuple[tuple[str, int, int], ...], now: float) -> None:
        for topic, partition, time_ms in reached:
            p = (topic, partition)
            if time_ms > self._newest.get(p, NO_TIME):
                self._newest[p] = time_ms
            self._heard[p] = now

    def release(self, now: float) -> list[T]:
        """Every held record whose turn has come, in input order."""
        if not self._held:
            return []
        low_p, low, second = self._bounds(now)
        max_wait = self.policy.max_wait_s
        out: list[T] = []
        held = self._held
        while held:
            key, since, _item = held[0]
            bound = second if (key[1], key[2]) == low_p else low
            waits = key[1:3] in self.policy.expected and key[0] >= bound and (
                max_wait is None or now - since < max_wait)
            if waits and (self._released is None or key > self._released):
                break  # (a late record goes at once: waiting cannot put it back in order)
            out.append(self._pop())
        return out

    def drain(self) -> list[T]:
        """Everything held, in order: the input has ended, nothing earlier can come."""
        return [self._pop() for _ in range(len(self._held))]

    def _pop(self) -> T:
        key, _since, item = heapq.heappop(self._held)
        if self._released is None or key > self._released:
            self._released = key
        return item

    def next_due(self, now: float) -> float | None:
        """When a held record may next become releasable without a new mark (live input)."""
        if not self._held or not self.policy.live:
            return None
        waits = [w for w in (self.policy.max_wait_s, self.policy.idle_s) if w is not None]
        return now + min(waits) / 4

    def held(self) -> int:
        return len(self._held)

    def snapshot(self) -> OrderState[T]:
        return OrderState(list(self._held), dict(self._newest), self._released)

    def _bounds(self, now: float) -> tuple[Partition | None, float, float]:
        """The partition read least far, how far, and how far the next-least is read:
        a record from the least-read partition waits only for the others."""
        idle = self.policy.idle_s
        low_p: Partition | None = None
        low = second = float("inf")
        for p in self.policy.expected:
            if idle is not None and now - self._heard.get(p, now) > idle:
                continue
            t = self._newest.get(p, NO_TIME)
            if t < low:
                low_p, low, second = p, t, low
            elif t < second:
                second = t
        return low_p, low, second
