"""Releasing records in the order of the input log, whichever worker read them.

An account's records (and the CRM snapshots and identity calls that say which
account a record belongs to) arrive from several input partitions, read by one
worker or several, and the interleaving differs from run to run. Joins,
patterns, windows and cooldowns are decided record by record, so a different
interleaving can name a different account or evidence and so a different alert
id. To make the outcome a function of the input alone, every record passes
through one :class:`InputOrder` that holds it until no record that sorts before
it can still arrive, then releases records in one total order: (log time,
topic, partition, offset).

"No earlier record can still arrive" is known from the partitions' progress:
each worker, after handing on a batch, sends a :class:`PartitionMark` saying how
far (in log time and offset) it has read each partition. A record is released
once every other partition that counts has been read past its time. The
accounts topic counts too: a ticket is joined with the CRM snapshots produced
before it only if they have been read first. A partition that has been read to
its end (the flow asks the broker, ``flows/partition_ends.py``) counts as read up
to the moment of asking, less a margin for records still on their way. Which
partitions count is the :class:`OrderPolicy`:

- A bounded input (``--exit-at-end``, a benchmark, a test) waits for every
  non-empty partition, however long, and releases the rest at its end: the
  order is then exactly the same with one worker, two, or two processes.
- A live input cannot wait for a partition that has gone quiet: either the
  broker confirms it has been read to its end (:meth:`InputOrder.caught_up`), or,
  where nobody asks, a partition not heard from for ``idle_s`` stops counting.
  No record is held longer than ``max_wait_s``. Order is then best effort; a
  record that arrives after later ones were released is released at once and
  counted as late.
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
ENDED = 2**62
"""How far a partition read to its end has been read (past every record)."""


def sort_key(topic: str, partition: int, offset: int, time_ms: int | None) -> SortKey:
    return (NO_TIME if time_ms is None else time_ms, topic, partition, offset)


@dataclass(frozen=True, slots=True)
class PartitionMark:
    """How far one worker has read some input partitions: (topic, partition, newest
    log time in ms, highest offset) for each partition in the batch it just handed on."""

    shard: int
    reached: tuple[tuple[str, int, int, int], ...]


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
    ends: dict[Partition, int] = field(default_factory=dict, hash=False, compare=False)
    """Bounded input: the offset each partition ends at. A partition read to its end
    holds nothing back any more."""

    @property
    def live(self) -> bool:
        return self.idle_s is not None or self.max_wait_s is not None


@dataclass(slots=True)
class OrderState(Generic[T]):
    """What an :class:`InputOrder` must keep across a restart (it is snapshotted)."""

    held: list[tuple[SortKey, float, T]] = field(default_factory=list)
    newest: dict[Partition, int] = field(default_factory=dict)
    released: SortKey | None = None
    read_to: dict[Partition, int] = field(default_factory=dict)
    """Per partition, the offset after the last record read."""


class InputOrder(Generic[T]):
    """Holds records until their turn in input order comes; see the module's docstring."""

    def __init__(self, policy: OrderPolicy, started: float, state: OrderState[T] | None = None) -> None:
        self.policy = policy
        self._held: list[tuple[SortKey, float, T]] = list(state.held) if state else []
        heapq.heapify(self._held)
        self._newest: dict[Partition, int] = dict(state.newest) if state else {}
        self._released: SortKey | None = state.released if state else None
        self._read_to: dict[Partition, int] = dict(getattr(state, "read_to", None) or {})
        # Partitions never heard from count as heard at start: a live flow waits for
        # them at most ``idle_s`` before treating them as quiet.
        self._heard: dict[Partition, float] = dict.fromkeys(policy.expected, started)
        self.late = 0
        """Records that arrived after a record sorting later had been released."""
        self.waited: list[float] = []
        """Seconds each released record was held, since the caller last took them."""
        self.expired = 0
        """Records released because they had waited ``max_wait_s`` for a partition behind."""

    def add(self, key: SortKey, item: T, now: float) -> None:
        if self._released is not None and key < self._released:
            self.late += 1
        heapq.heappush(self._held, (key, now, item))

    def mark(self, reached: tuple[tuple[str, int, int, int], ...], now: float) -> None:
        for topic, partition, time_ms, offset in reached:
            p = (topic, partition)
            if time_ms > self._newest.get(p, NO_TIME):
                self._newest[p] = time_ms
            if offset >= self._read_to.get(p, 0):
                self._read_to[p] = offset + 1
            if self._read_to[p] >= self.policy.ends.get(p, ENDED):
                self._newest[p] = ENDED
            self._heard[p] = now

    def caught_up(self, partition: Partition, as_of_ms: int, now: float) -> None:
        """``partition`` has been read to its end as of ``as_of_ms`` (log time): nothing
        older can still come from it."""
        if as_of_ms > self._newest.get(partition, NO_TIME):
            self._newest[partition] = as_of_ms
        self._heard[partition] = now

    def read_to(self, partition: Partition) -> int | None:
        """The offset after the last record read from ``partition`` (``None``: none yet)."""
        return self._read_to.get(partition)

    def behind(self) -> list[Partition]:
        """The partitions the oldest held record waits for (those not read past it)."""
        if not self._held:
            return []
        key = self._held[0][0]
        return [p for p in self.policy.expected
                if p != (key[1], key[2]) and self._newest.get(p, NO_TIME) <= key[0]]

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
            behind = key[1:3] in self.policy.expected and key[0] >= bound
            if behind and (max_wait is None or now - since < max_wait) and (
                    self._released is None or key > self._released):
                break  # (a late record goes at once: waiting cannot put it back in order)
            if behind and max_wait is not None and now - since >= max_wait:
                self.expired += 1
            self.waited.append(now - since)
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
        return OrderState(list(self._held), dict(self._newest), self._released, dict(self._read_to))

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
