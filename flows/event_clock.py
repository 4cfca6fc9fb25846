"""How far event time has got on this worker: the low watermark of its input partitions."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime


class EventClock:
    """How far event time has got on this worker: the low watermark of its input partitions.

    Each partition's newest event time is tracked; the watermark is the oldest of
    those among partitions that delivered something in the last ``idle_s`` seconds
    (wall clock), so a partition read behind the others holds timers and weekly
    digests back instead of letting another partition's later records fire them
    early, while a partition that has gone quiet stops holding them.
    """

    def __init__(self, idle_s: float = 5.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._newest: dict[tuple[str, int], datetime] = {}
        self._heard: dict[tuple[str, int], float] = {}
        self._idle_s = idle_s
        self._monotonic = monotonic
        self.ends: dict[tuple[str, int], int] = {}
        """Where a bounded run's partitions end (next offset): one read to its end holds
        nothing back, so the last records' timers fire as they do in a replay."""
        self._ended: set[tuple[str, int]] = set()

    def saw(self, topic: str, partition: int, at: datetime) -> None:
        key = (topic, partition)
        if key not in self._newest or at > self._newest[key]:
            self._newest[key] = at
        self._heard[key] = self._monotonic()

    def newest(self) -> dict[tuple[str, int], datetime]:
        return dict(self._newest)

    def resume(self, newest: dict[tuple[str, int], datetime]) -> None:
        """Start from where a stopped run got to (its partitions count as quiet until read)."""
        quiet = self._monotonic() - self._idle_s - 1
        for key, at in newest.items():
            if key not in self._newest or at > self._newest[key]:
                self._newest[key] = at
                self._heard.setdefault(key, quiet)

    def read(self, topic: str, partition: int, offset: int) -> None:
        """A record of any kind (a dead letter too) was read at ``offset``."""
        if self.ends:
            end = self.ends.get((topic, partition))
            if end is not None and offset >= end - 1:
                self._ended.add((topic, partition))

    def watermark(self) -> datetime | None:
        if not self._newest:
            return None
        now = self._monotonic()
        active = [t for k, t in self._newest.items()
                  if now - self._heard[k] <= self._idle_s and k not in self._ended]
        return min(active) if active else max(self._newest.values())
