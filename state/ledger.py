"""The delivery ledger: every output record id published once, none lost.

Every record the flow publishes (alert, digest record, dead letter) has an id
derived from what it says, so re-reading history re-derives the same ids.
The sinks claim before producing and confirm after the producer's flush:

* ``claim`` sets ``alert:<id>`` to ``pending:<run>`` with ``SET NX`` and files
  the record itself in the *outbox* hash, in one pipeline per batch. An id that
  is already ``sent``, or pending for any run, is not this claim's to publish:
  it is dropped. Nothing is ever taken over while the flow runs.
* ``confirm`` marks the ids ``sent`` (TTL longer than any cooldown) and takes
  them out of the outbox.

What the outbox holds when the flow starts was claimed by a run that stopped
between claim and confirm (killed, or a dependency lost). Before the new run
handles any record, ``flows/delivery.py`` reads the output topics from the
oldest such claim on: what it finds there is marked sent, the rest is produced
from the outbox, then marked sent. So a restart, with or without a recovery
store, neither publishes an id twice nor loses one. The Redis server's run id
is kept too: one that restarted since may have lost its last second of writes,
so the next start reads back the ids published since it came up.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any, NamedTuple

import redis

from state.commands import stage_set
from state.keys import Keyspace, TTLs
from state.scripts import IN_PIECES, SCRIPT_PIECE, ScriptSupport

SENT = b"sent"
_SEP = "\x1f"


class OutboxEntry(NamedTuple):
    """A claimed record not yet confirmed: its id, the outbox field and what to produce."""

    record_id: str
    field: str
    payload: bytes


class AlertLedger:
    def __init__(self, client: redis.Redis, keyspace: Keyspace, ttls: TTLs, run_id: str) -> None:
        self._r = client
        self._ks = keyspace
        self._ttls = ttls
        self._run = run_id
        self._pending = f"pending:{run_id}".encode()
        self._scripts = ScriptSupport(client)

    def _field(self, record_id: str) -> str:
        # One field per claiming thread: two workers of a run claiming the same id at once
        # must not delete each other's outbox entry when one of them loses.
        return f"{record_id}{_SEP}{self._run}.{threading.get_ident()}"

    def claim(self, records: Sequence[tuple[str, bytes]]) -> list[bool]:
        """For each ``(id, payload)`` in order, whether this run should publish it now.

        One round trip: ``EVAL`` s of :data:`CLAIM` where the server runs scripts; else a
        pipeline, and a second round trip only when some id was not this run's to publish
        (a restart re-reading history), to take those records back out of the outbox."""
        if not records:
            return []
        first: dict[str, int] = {}
        for i, (record_id, _payload) in enumerate(records):
            first.setdefault(record_id, i)
        won = self._claim_script(records, first) if self._scripts.worth_trying() else None
        if won is None:
            won = self._claim_commands(records, first)
        return [won[record_id] and first[record_id] == i for i, (record_id, _) in enumerate(records)]

    def _claim_script(self, records: Sequence[tuple[str, bytes]], first: dict[str, int]
                      ) -> dict[str, bool] | None:
        """:meth:`claim` as ``EVAL`` s of :data:`CLAIM` (:data:`SCRIPT_PIECE` ids each, in one
        round trip); ``None`` if the server refused them."""
        ids = list(first)
        pieces = []
        for at in range(0, len(ids), SCRIPT_PIECE):
            args: list[Any] = [self._pending, self._ttls.alert_pending, self._ttls.alert_sent]
            for record_id in ids[at:at + SCRIPT_PIECE]:
                args += (self._field(record_id), records[first[record_id]][1])
            pieces.append(([*(self._ks.alert(r) for r in ids[at:at + SCRIPT_PIECE]),
                            self._ks.alert_outbox()], args))
        replies = self._run_pieces(CLAIM, pieces)
        if replies is None:
            return None
        return dict(zip(ids, (won == 1 for piece in replies for won in piece), strict=True))

    def _run_pieces(self, script: str, pieces: list[tuple[list[str], list[Any]]]) -> list[Any] | None:
        """Each (keys, args) an ``EVAL`` of ``script``, all in one pipeline; their replies, or
        ``None`` if the server refused to run scripts (then nothing ran)."""
        pipe = self._r.pipeline(transaction=False)
        for keys, args in pieces:
            pipe.pipeline_execute_command("EVAL", script, len(keys), *keys, *args)
        replies: list[Any] = pipe.execute(raise_on_error=False)
        for reply in replies:
            if isinstance(reply, redis.ResponseError):
                if self._scripts.refused(reply):
                    return None
                raise reply
        return replies

    def _claim_commands(self, records: Sequence[tuple[str, bytes]], first: dict[str, int]
                        ) -> dict[str, bool]:
        """:meth:`claim` as plain commands, for a server that runs no scripts."""
        outbox = self._ks.alert_outbox()
        pipe = self._r.pipeline(transaction=False)
        for record_id in first:
            # GET: what the id held, so a loss to this run's own earlier claim can be told apart.
            stage_set(pipe, self._ks.alert(record_id), self._pending, nx=True, get=True,
                      ex=self._ttls.alert_pending)
        # The whole batch into the outbox in one HSET: a command per record cost as much again.
        pipe.hset(outbox, mapping={self._field(record_id): records[i][1] for record_id, i in first.items()})
        pipe.expire(outbox, self._ttls.alert_sent)
        replies = pipe.execute()
        won = {record_id: replies[n] is None for n, record_id in enumerate(first)}
        # Take back the entries of ids that were not this claim's, except where the id is
        # pending for this run already: that is this run's earlier claim of it (a record
        # derived twice), still waiting for its confirmation, and taking its entry back
        # would lose the record if the run stopped first.
        lost = [self._field(record_id) for n, record_id in enumerate(first)
                if not won[record_id] and replies[n] != self._pending]
        if lost:
            self._r.hdel(outbox, *lost)
        return won

    def confirm(self, record_ids: Sequence[str]) -> None:
        """The ids' records are acknowledged by Kafka: sent, and out of the outbox (``EVAL`` s
        of :data:`CONFIRM` in one pipeline, or plain commands where the server runs no scripts)."""
        if not record_ids:
            return
        if self._scripts.worth_trying():
            pieces = []
            for at in range(0, len(record_ids), SCRIPT_PIECE):
                ids = record_ids[at:at + SCRIPT_PIECE]
                pieces.append(([*(self._ks.alert(r) for r in ids), self._ks.alert_outbox()],
                               [SENT, self._ttls.alert_sent, *(self._field(r) for r in ids)]))
            if self._run_pieces(CONFIRM, pieces) is not None:
                return
        pipe = self._r.pipeline(transaction=False)
        for record_id in record_ids:
            stage_set(pipe, self._ks.alert(record_id), SENT, ex=self._ttls.alert_sent)
        pipe.hdel(self._ks.alert_outbox(), *[self._field(r) for r in record_ids])
        pipe.execute()

    # --- after a run that stopped between claim and confirm -----------------------------------

    def outbox(self) -> list[OutboxEntry]:
        """Every claimed, unconfirmed record, whichever run claimed it."""
        raw: dict[Any, Any] = self._r.hgetall(self._ks.alert_outbox())
        entries = []
        for field, payload in raw.items():
            name = field.decode() if isinstance(field, bytes) else str(field)
            entries.append(OutboxEntry(name.split(_SEP, 1)[0], name, payload))
        return entries

    def sent(self, record_ids: Sequence[str]) -> set[str]:
        """Which of the ids are confirmed as sent."""
        if not record_ids:
            return set()
        values = self._r.mget([self._ks.alert(r) for r in record_ids])
        return {r for r, v in zip(record_ids, values, strict=True) if v == SENT}

    def redis_restarted_at(self) -> int | None:
        """When (ms) the Redis server started, if that is after the last :meth:`remember_redis`
        (a server restarted, or replaced, since the last start may have lost its last writes)."""
        info = self._r.info("server")
        if self._r.get(self._ks.ledger_redis_run()) == str(info["run_id"]).encode():
            return None
        started_s = time.time() - int(info["uptime_in_seconds"])
        return int(max(started_s, time.time() - self._ttls.alert_sent) * 1000)

    def remember_redis(self) -> None:
        self._r.set(self._ks.ledger_redis_run(), str(self._r.info("server")["run_id"]))

    def mark_sent(self, record_ids: Sequence[str]) -> int:
        """Mark ids found on the topics sent; return how many the ledger had not known."""
        if not record_ids:
            return 0
        pipe = self._r.pipeline(transaction=False)
        for record_id in record_ids:
            stage_set(pipe, self._ks.alert(record_id), SENT, ex=self._ttls.alert_sent, get=True)
        return sum(1 for previous in pipe.execute() if previous != SENT)

    def settle(self, entries: Sequence[OutboxEntry]) -> None:
        """The entries' records are on the topics now: mark them sent, empty their fields."""
        if not entries:
            return
        pipe = self._r.pipeline(transaction=False)
        for record_id in {e.record_id for e in entries}:
            stage_set(pipe, self._ks.alert(record_id), SENT, ex=self._ttls.alert_sent)
        pipe.hdel(self._ks.alert_outbox(), *[e.field for e in entries])
        pipe.execute()


CLAIM = f"""{IN_PIECES}
local n, outbox, pending = #KEYS - 1, KEYS[#KEYS], ARGV[1]
local won, kept, lost = {{}}, {{}}, {{}}
for i = 1, n do
  local was = redis.call('SET', KEYS[i], pending, 'NX', 'GET', 'EX', ARGV[2])
  local field, payload = ARGV[2 + 2 * i], ARGV[3 + 2 * i]
  won[i] = was and 0 or 1
  if not was or was == pending then
    kept[#kept + 1] = field
    kept[#kept + 1] = payload
  else
    lost[#lost + 1] = field
  end
end
in_pieces('HSET', outbox, kept, 1, #kept)
redis.call('EXPIRE', outbox, ARGV[3])
in_pieces('HDEL', outbox, lost, 1, #lost)
return won
"""
"""The claim in one call. ``KEYS``: each id's ledger key, then the outbox. ``ARGV``: this
run's pending mark, its TTL and the outbox's; then each id's outbox field and payload.
Each id is ``SET … NX GET EX`` as :meth:`AlertLedger._claim_commands` sets it; the outbox
keeps the entries of ids won now or pending for this run already and loses the others'
(there, one ``HSET`` of all and an ``HDEL`` of the lost); the reply is 1 for each id won."""

CONFIRM = f"""{IN_PIECES}
local n, fields = #KEYS - 1, {{}}
for i = 1, n do
  redis.call('SET', KEYS[i], ARGV[1], 'EX', ARGV[2])
  fields[i] = ARGV[2 + i]
end
in_pieces('HDEL', KEYS[n + 1], fields, 1, n)
return n
"""
"""The confirmation in one call. ``KEYS``: each id's ledger key, then the outbox. ``ARGV``:
the sent mark, its TTL, then each id's outbox field."""
