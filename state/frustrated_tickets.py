"""Frustrated tickets, followed from the helpdesks' status updates: what promotional
suppression reads (``gov:tickets:<account>``, :mod:`state.governance`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import redis
from redis.client import Pipeline

from state.governance_codec import time_of, utc_text
from state.keys import Keyspace, TTLs
from state.unit_of_work import UnitOfWork


class TicketStatus(NamedTuple):
    """A helpdesk status update, as governance needs it: no text, only coordinates and time."""

    account_id: str
    ticket_id: str
    frustrated: bool
    open: bool
    at: datetime


TicketChanges = dict[tuple[str, str], tuple[datetime | None, datetime | None]]
"""(account id, ticket id) → (opened, closed) of the frustrated tickets an update changed."""


class FrustratedTickets:
    """The ticket half of :class:`state.governance.GovernanceStore`."""

    _r: redis.Redis
    _ks: Keyspace
    _ttls: TTLs

    def track_tickets(self, updates: Iterable[TicketStatus]) -> None:
        """Follow frustrated tickets from the helpdesks' status updates (event time).

        An open frustrated ticket starts being tracked; an update that is not
        open (solved, closed) closes a tracked one; an open update of a closed
        tracked ticket, later than its close, reopens it. A ticket that was
        never frustrated is never stored. One round trip reads the tickets'
        fields, one writes the changes (the flow stages both into pipelines it
        sends anyway: :meth:`stage_ticket_reads`, :meth:`stage_ticket_writes`).
        """
        updates = list(updates)
        if not updates:
            return
        pipe = self._r.pipeline(transaction=False)
        read = self.stage_ticket_reads(pipe, updates)
        changed = read(pipe.execute())
        pipe = self._r.pipeline(transaction=False)
        if self.stage_ticket_writes(pipe, changed):
            pipe.execute()

    def stage_ticket_reads(self, pipe: Pipeline | UnitOfWork, updates: Sequence[TicketStatus]
                           ) -> Callable[[list[Any]], TicketChanges]:
        """Queue the reads :meth:`track_tickets` needs; the returned reader applies the
        updates to what was read and returns the spans that changed."""
        first = len(pipe)
        for u in updates:
            pipe.hmget(self._ks.governance_tickets(u.account_id), f"o:{u.ticket_id}", f"c:{u.ticket_id}")

        def read(replies: list[Any]) -> TicketChanges:
            current: dict[tuple[str, str], list[datetime | None]] = {}
            for u, (opened, closed) in zip(updates, replies[first:first + len(updates)], strict=True):
                current.setdefault((u.account_id, u.ticket_id), [time_of(opened), time_of(closed)])
            before = {k: list(v) for k, v in current.items()}
            for u in sorted(updates, key=lambda u: (u.at, u.account_id, u.ticket_id)):
                span = current[(u.account_id, u.ticket_id)]
                opened, closed = span
                if u.open and opened is None and u.frustrated:
                    span[0] = u.at
                elif u.open and opened is not None:
                    if u.at < opened:
                        span[0] = u.at
                    if closed is not None and u.at > closed:
                        span[1] = None  # reopened
                elif not u.open and opened is not None and closed is None and u.at >= opened:
                    span[1] = u.at
            # A ticket never frustrated while we watched has nothing to keep.
            return {k: (v[0], v[1]) for k, v in current.items() if v != before[k] and v[0] is not None}

        return read

    def stage_ticket_writes(self, pipe: Pipeline | UnitOfWork, changed: TicketChanges) -> int:
        touched: set[str] = set()
        for (account_id, ticket_id), (opened, closed) in changed.items():
            assert opened is not None
            key = self._ks.governance_tickets(account_id)
            pipe.hset(key, f"o:{ticket_id}", utc_text(opened))
            if closed is not None:
                pipe.hset(key, f"c:{ticket_id}", utc_text(closed))
            else:
                pipe.hdel(key, f"c:{ticket_id}")
            touched.add(key)
        for key in sorted(touched):
            pipe.expire(key, self._ttls.governance_tickets)
        return len(touched)
