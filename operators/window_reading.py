"""Reading an account's signal window: by name, between two times, one signal per key.

Windows come newest first from Redis (:mod:`state.windows`) and in any order from
tests; each signal name's list is put in (time, record id, name) order once and kept
while the caller's list is unchanged, so the many triggers and rules of one
account's batch share one ordering, and every read is a bisection.

>>> from datetime import UTC, datetime, timedelta
>>> t = datetime(2026, 11, 2, tzinfo=UTC)
>>> s = [Signal("a", "login", k, t + timedelta(hours=h), "event", k, k) for k, h in (("b", 2), ("a", 1))]
>>> [x.key for x in between({"login": s}, "login", t, t + timedelta(hours=1))]
['a']
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from operators.signals import Signal

Window = Mapping[str, Sequence[Signal]]
"""Signals of one account by name, any order; duplicates by ``key`` allowed (the first wins)."""

ORDER_CACHE_SIZE = 4096
"""Signal lists whose (time, record) order is kept between calls."""


def ordered(signals: Sequence[Signal]) -> list[Signal]:
    """The signals by (time, record id, name): a window's order. The result is shared: do not modify it."""
    return _ordered(signals)[0]


def between(window: Window, name: str, after: datetime, until: datetime) -> list[Signal]:
    """Signals named ``name`` with ``after < at ≤ until``, one per key (its oldest), oldest first."""
    return Reading(window).between(name, after, until)


def after(window: Window, names: Iterable[str], since: datetime, until: datetime) -> list[Signal]:
    """Signals of ``names`` with ``since < at ≤ until``, oldest first, one per key."""
    lists = [signals for name in names if (signals := window.get(name))]
    if not lists:
        return []
    if len(lists) == 1:
        in_order, times, repeats = _ordered(lists[0])
    else:
        in_order, times, repeats = _merged(lists)
    found = in_order[bisect_right(times, since):bisect_right(times, until)]
    return _first_per_key(found) if repeats else found


def unique(signals: Sequence[Signal]) -> list[Signal]:
    """The signals by (time, record id, name), one per key: the first."""
    return _first_per_key(sorted(signals, key=_order))


_Ordering = tuple[list[Signal], list[datetime], bool]
"""A list's signals by (time, record id, name), their times, and whether any key repeats."""
_orderings: dict[int, tuple[Sequence[Signal], int, _Ordering]] = {}


def _order(s: Signal) -> tuple[datetime, str, str]:
    # The name breaks a tie of one record's signals (a ticket read as two intents), so the
    # key's first does not hang on which name's list the caller happened to give first.
    return s.at, s.record_id, s.name


def _ordered(signals: Sequence[Signal]) -> _Ordering:
    # Keyed by the list's id and length: the list is held, so no other object takes its id;
    # a list that was appended to is ordered afresh.
    kept = _orderings.get(id(signals))
    if kept is not None and kept[1] == len(signals):
        return kept[2]
    in_order = sorted(signals, key=_order)
    found = (in_order, [s.at for s in in_order], len({s.key for s in in_order}) < len(in_order))
    if len(_orderings) >= ORDER_CACHE_SIZE:
        _orderings.clear()
    _orderings[id(signals)] = (signals, len(signals), found)
    return found


_mergings: dict[tuple[tuple[int, int], ...], tuple[list[Sequence[Signal]], _Ordering]] = {}


def _merged(lists: list[Sequence[Signal]]) -> _Ordering:
    # Several names' lists in one (time, record id, name) order, kept while none of them changes:
    # the triggers of one account's batch all read the same few lists. A stable sort of the
    # lists in the caller's order, as sorting each read's concatenation would give.
    key = tuple((id(signals), len(signals)) for signals in lists)
    kept = _mergings.get(key)
    if kept is not None:
        return kept[1]
    in_order = sorted((s for signals in lists for s in _ordered(signals)[0]), key=_order)
    found = (in_order, [s.at for s in in_order], len({s.key for s in in_order}) < len(in_order))
    if len(_mergings) >= ORDER_CACHE_SIZE:
        _mergings.clear()
    _mergings[key] = (lists, found)
    return found


def _first_per_key(signals: Sequence[Signal]) -> list[Signal]:
    if len(signals) < 2:
        return list(signals)
    seen: dict[str, Signal] = {}
    for s in signals:
        seen.setdefault(s.key, s)
    return list(seen.values())


class Reading:
    """One account's window during one evaluation."""

    __slots__ = ("_window",)

    def __init__(self, window: Window) -> None:
        self._window = window

    def between(self, name: str, after: datetime, until: datetime) -> list[Signal]:
        signals = self._window.get(name)
        if not signals:
            return []
        in_order, times, repeats = _ordered(signals)
        found = in_order[bisect_right(times, after):bisect_right(times, until)]
        return _first_per_key(found) if repeats else found
