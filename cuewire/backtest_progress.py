"""A long backtest's progress: a line every 15 s of each run, even while nothing is read."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RunProgress:
    """A line every ``every`` seconds of a long run: how much of the history has been read,
    and how many alerts and digest records have come out. Reading runs ahead of handling
    (records wait to be taken in log order), so a run goes on after the whole history is
    read: as a context manager a ticker thread keeps the lines coming while nothing is read."""

    def __init__(self, label: str, total: int, say: Callable[[str], object], *, every: float = 15.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._label, self._total, self._say, self._every, self._clock = label, total, say, every, clock
        self._started = self._last = clock()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self.read = 0
        self.out = 0

    def __enter__(self) -> RunProgress:
        self._ticker = threading.Thread(target=self._tick, name="backtest-progress", daemon=True)
        self._ticker.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            self._maybe_say()

    def __call__(self, count: int) -> None:
        """``count`` more input records read."""
        self.read += count
        self._maybe_say()

    def wrote(self, count: int) -> None:
        self.out += count
        self._maybe_say()

    def _maybe_say(self) -> None:
        with self._lock:
            now = self._clock()
            if now - self._last < self._every:
                return
            self._last = now
            share = f" of {self._total:,} ({self.read / self._total:.0%})" if self._total else ""
            self._say(f"backtest: {self._label}: {self.read:,}{share} records read, {self.out:,} alerts and "
                      f"digest records out, {_duration(now - self._started)}")


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"
