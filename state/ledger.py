"""The alert ledger: publish each ``alert_id`` once, without ever losing one.

Claim before producing, confirm after the producer's flush:

* ``claim`` sets ``pending:<run>`` with ``SET NX`` and a short TTL, in one
  pipeline per batch. An id already ``sent`` is a duplicate and is dropped; an
  id ``pending`` for *another* run belongs to a run that died between claim and
  flush, so it is taken over (at worst a duplicate for the consumer to drop by
  id; never a loss). An id pending for this run is already in flight.
* ``confirm`` marks the ids ``sent`` with a TTL longer than any cooldown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import redis
from redis.client import Pipeline

from state.keys import Keyspace, TTLs

SENT = b"sent"


class AlertLedger:
    def __init__(self, client: redis.Redis, keyspace: Keyspace, ttls: TTLs, run_id: str) -> None:
        self._r = client
        self._ks = keyspace
        self._ttls = ttls
        self._pending = f"pending:{run_id}".encode()

    def claim(self, alert_ids: Sequence[str]) -> list[bool]:
        """For each id (in order), whether this run should publish it now."""
        if not alert_ids:
            return []
        pipe = self._r.pipeline(transaction=False)
        read = self.stage_claim(pipe, alert_ids)
        replies = pipe.execute()
        return read(replies)

    def stage_claim(self, pipe: Pipeline, alert_ids: Sequence[str]) -> Callable[[list[Any]], list[bool]]:
        """:meth:`claim`'s commands, added to ``pipe``; the returned reader decides (and, in
        the rare case of a claim left by a dead run, takes it over in a round trip of its own)."""
        first = len(pipe)
        for aid in alert_ids:
            key = self._ks.alert(aid)
            pipe.set(key, self._pending, nx=True, ex=self._ttls.alert_pending)
            pipe.get(key)

        def read(all_replies: list[Any]) -> list[bool]:
            replies = all_replies[first:first + 2 * len(alert_ids)]
            takeovers: list[str] = []
            decisions: list[bool] = []
            seen: set[str] = set()
            for i, aid in enumerate(alert_ids):
                won, current = replies[2 * i], replies[2 * i + 1]
                if aid in seen:
                    decisions.append(False)
                    continue
                seen.add(aid)
                if won:
                    decisions.append(True)
                elif current is None or (current.startswith(b"pending:") and current != self._pending):
                    takeovers.append(aid)
                    decisions.append(True)
                else:
                    decisions.append(False)
            if takeovers:
                again = self._r.pipeline(transaction=False)
                for aid in takeovers:
                    again.set(self._ks.alert(aid), self._pending, ex=self._ttls.alert_pending)
                again.execute()
            return decisions

        return read

    def confirm(self, alert_ids: Sequence[str]) -> None:
        if not alert_ids:
            return
        pipe = self._r.pipeline(transaction=False)
        for aid in alert_ids:
            pipe.set(self._ks.alert(aid), SENT, ex=self._ttls.alert_sent)
        pipe.execute()

    def release(self, alert_ids: Sequence[str]) -> None:
        """Undo claims whose publication failed, so a retry publishes them."""
        if alert_ids:
            self._r.delete(*[self._ks.alert(a) for a in alert_ids])
