"""The progress line on stderr while the flow runs, and the totals it prints when it stops."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, timedelta

from flows.stages.items import Outgoing


class Progress:
    """A line on stderr every ``every`` seconds while the flow runs, so an operator watching
    `cuewire run` sees it working: what went out, and how far event time has got."""

    def __init__(self, every: timedelta = timedelta(seconds=30),
                 write: Callable[[str], object] = lambda line: print(line, file=sys.stderr)) -> None:
        self._every = every
        self._write = write
        self._since: datetime | None = None
        self._counts: dict[str, int] = {}
        self.totals: dict[str, int] = {}
        """Everything this run handed to its sinks, for the line it prints when it stops."""

    def count(self, batch: list[Outgoing], now: datetime) -> None:
        for out in batch:
            self._counts[out.kind] = self._counts.get(out.kind, 0) + 1
            self.totals[out.kind] = self.totals.get(out.kind, 0) + 1
        if self._since is None:
            self._since = now
        elif now - self._since >= self._every:
            self.report(now)

    def report(self, now: datetime) -> None:
        if self._since is None:
            return
        seconds = max((now - self._since).total_seconds(), 1e-9)
        c = self._counts
        self._write(
            f"cuewire: {c.get('alerts', 0):,} alerts, {c.get('digest', 0):,} digest records, "
            f"{c.get('dlq', 0):,} dead letters in the last {seconds:.0f} s"
        )
        self._since, self._counts = now, {}
