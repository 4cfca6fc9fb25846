"""How often a stage looks for due work (timers, deferred alerts): about once a second.

Looking costs a round trip to Redis; a batch arrives many times a second. So a stage asks
its :class:`DueCheck` whether the clock (wall or event time) has moved far enough since
the last look.

>>> from datetime import UTC, datetime, timedelta
>>> check, t = DueCheck(), datetime(2026, 11, 2, tzinfo=UTC)
>>> [check.due(t), check.due(t + timedelta(milliseconds=500)), check.due(t + timedelta(seconds=1))]
[True, False, True]
"""

from __future__ import annotations

from datetime import datetime, timedelta

DUE_CHECK_EVERY = timedelta(seconds=1)


class DueCheck:
    """The time of a stage's last look for due work."""

    __slots__ = ("_every", "_last")

    def __init__(self, every: timedelta = DUE_CHECK_EVERY) -> None:
        self._every = every
        self._last: datetime | None = None

    def due(self, now: datetime) -> bool:
        """Whether ``now`` is ``every`` past the last look (and, if so, it is the last look now)."""
        if self._last is not None and now - self._last < self._every:
            return False
        self._last = now
        return True
