"""Records that reached no account, kept until a link that reaches them arrives.

A ticket from an address nobody knows yet is published as unattached, and it is
also kept here with the lookup keys its resolution looked at (its e-mail, its
domain, its organisation; an event's user). When a later identity link, CRM
contact or domain writes one of those keys, the record is resolved again, as of
its own time, and goes on as it would have with the link in place (the same
evidence, so the same alert id). A record is kept for ``window_ms`` of stream
time (the newest record time seen) and at most ``max_records`` are kept, oldest
dropped first; both are counted.

>>> waiting = Unattached(window_ms=1_000, max_records=10)
>>> waiting.park("t1", 5_000, frozenset({("email", "pat@x.io")}))
>>> waiting.touched({("domain", "x.io")}, 5_500), waiting.touched({("email", "pat@x.io")}, 5_500)
([], [('t1', 5000)])
>>> waiting.park("t2", 5_000, frozenset({("email", "sam@x.io")}))
>>> waiting.advance(7_000), len(waiting)
(1, 0)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
LookupKey = tuple[str, str]


@dataclass(slots=True)
class UnattachedState(Generic[T]):
    """What :class:`Unattached` keeps across a restart (it is snapshotted)."""

    parked: dict[int, tuple[T, int, frozenset[LookupKey]]] = field(default_factory=dict)
    """By arrival sequence: the record, its time (ms) and the keys it looked at."""
    next_seq: int = 0
    stream_ms: int | None = None


class Unattached(Generic[T]):
    def __init__(self, window_ms: int, max_records: int, state: UnattachedState[T] | None = None) -> None:
        self._window_ms = window_ms
        self._max = max_records
        self._s: UnattachedState[T] = state or UnattachedState()
        self._by_key: dict[LookupKey, set[int]] = {}
        for seq, (_item, _at, keys) in self._s.parked.items():
            self._index(seq, keys)
        self.expired = 0
        """Records dropped, by age or to make room."""

    def __len__(self) -> int:
        return len(self._s.parked)

    @property
    def stream_ms(self) -> int | None:
        """The stream time of the last :meth:`advance` that looked (kept across a restart)."""
        return self._s.stream_ms

    def park(self, item: T, at_ms: int, keys: frozenset[LookupKey]) -> None:
        if not keys or self._max <= 0:
            return
        seq = self._s.next_seq
        self._s.next_seq += 1
        self._s.parked[seq] = (item, at_ms, keys)
        self._index(seq, keys)
        while len(self._s.parked) > self._max:
            self._drop(next(iter(self._s.parked)))

    def touched(self, written: Iterable[LookupKey], stream_ms: int) -> list[tuple[T, int]]:
        """Take out, in the order they were kept, the records that looked at a key written
        when stream time was ``stream_ms``; those it left behind by more than the window
        are dropped instead."""
        seqs: set[int] = set()
        for key in written:
            seqs |= self._by_key.get(key, set())
        out = []
        for seq in sorted(seqs):
            item, at_ms, _keys = self._s.parked[seq]
            if at_ms + self._window_ms < stream_ms:
                self._drop(seq)
                continue
            self._remove(seq)
            out.append((item, at_ms))
        return out

    def advance(self, stream_ms: int) -> int:
        """Stream time has reached ``stream_ms``: drop the records older than the window.
        Returns how many were dropped."""
        # A scan per batch would cost a walk of every kept record: look again only once
        # stream time has moved on by a hundredth of the window.
        if self._s.stream_ms is not None and stream_ms - self._s.stream_ms < self._window_ms / 100:
            return 0
        self._s.stream_ms = stream_ms
        old = [seq for seq, (_i, at_ms, _k) in self._s.parked.items() if at_ms + self._window_ms < stream_ms]
        for seq in old:
            self._drop(seq)
        return len(old)

    def snapshot(self) -> UnattachedState[T]:
        return UnattachedState(dict(self._s.parked), self._s.next_seq, self._s.stream_ms)

    def _index(self, seq: int, keys: frozenset[LookupKey]) -> None:
        for key in keys:
            self._by_key.setdefault(key, set()).add(seq)

    def _drop(self, seq: int) -> None:
        self._remove(seq)
        self.expired += 1

    def _remove(self, seq: int) -> None:
        _item, _at, keys = self._s.parked.pop(seq)
        for key in keys:
            seqs = self._by_key.get(key)
            if seqs is not None:
                seqs.discard(seq)
                if not seqs:
                    del self._by_key[key]
