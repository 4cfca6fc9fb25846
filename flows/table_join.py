"""The ``resolve-accounts`` step and the hand-off to the account shards.

``resolve-accounts`` runs on the one key of ``order-by-log`` (``LOG_KEY``), so it
sees every event, ticket and CRM snapshot in log order and joins each with the
tables as they were at its time (:meth:`AccountJoin.resolve`). The records that
reached no account wait in its state (``operators/reattach.py``) for a link that
reaches them; they are part of the step's recovery snapshot.

``to-account-shards`` then sends each joined record to its account's shard: one
worker handles an account's records, in the order they were joined (a channel
between two workers keeps its order).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import cast

from bytewax.operators import StatefulBatchLogic

from flows import metrics, shutdown
from flows.held_records import HeldRecords
from flows.record_failures import is_dependency_failure
from flows.stages.failures import DeadLetters, counts_round_trips
from flows.stages.items import Decoded, Located, ShardBatch
from operators.identity_keys import linked_keys
from operators.reattach import Unattached, UnattachedState
from operators.records import Event, Record, Ticket
from operators.resolve import (
    LookupKey,
    Resolved,
    ResolveResult,
    can_reattach,
    candidate_keys,
    record_time_ms,
    resolve_batch,
)
from operators.versions import Versions
from state.identity import IdentityStore, TableCache

LOG_KEY = "log"
"""The one key of ``order-by-log`` and ``resolve-accounts`` (``flows/input_order.py``)."""
MAX_RESOLVE_ROUNDS = 4
PREFETCH_HOPS = 3
"""Fetch rounds before the first resolve pass: the records' own keys, the accounts and
e-mails their links name, and the accounts those e-mails link to."""
REATTACH_MAX = 50_000
"""Most records kept waiting for a link that reaches them (oldest dropped first)."""


class AccountJoin:
    """Joins records with the identity and account tables (``state/identity.py``)."""

    def __init__(self, *, identity: IdentityStore, reattach_window: timedelta,
                 dead_letters: DeadLetters) -> None:
        self.identity = identity
        self.tables = TableCache(identity)
        """The tables as this step last read or wrote them: it is their one writer."""
        self.reattach_window = reattach_window
        """How long (in stream time) a record that reached no account waits for a link."""
        self.dead_letters = dead_letters
        self._stream_ms: int | None = None
        """The newest ticket or event time ``resolve-accounts`` has seen (ms)."""

    @counts_round_trips("resolve-accounts")
    def resolve(self, batch: list[Decoded], waiting: Unattached[Decoded]) -> list[Located]:
        """Join records, in log order, with the tables as they were at each record's time;
        apply what they teach. Keep what reaches no account in ``waiting``, and hand on,
        after the batch, the kept records a link in this batch now reaches.

        When a batch raises, its records are joined one at a time, so only the record
        that raises becomes a dead letter (carried on to ``route-others``)."""
        try:
            return self._join(batch, waiting)
        except Exception as exc:
            if is_dependency_failure(exc):
                raise
            if len(batch) == 1:
                return [self._failed_join(batch[0], exc)]
        out: list[Located] = []
        for d in batch:
            try:
                out += self._join([d], waiting)
            except Exception as exc:
                if is_dependency_failure(exc):
                    raise
                out.append(self._failed_join(d, exc))
        return out

    def _failed_join(self, d: Decoded, exc: Exception) -> Located:
        dead = self.dead_letters.record_failed("resolve-accounts", d, exc)
        return Located(Resolved(cast(Record, d.record), None, None), d.incoming.coords, dead)

    def _join(self, batch: list[Decoded], waiting: Unattached[Decoded]) -> list[Located]:
        if self._stream_ms is None:
            self._stream_ms = waiting.stream_ms  # (after a restart)
        records = [cast(Record, d.record) for d in batch]
        times, streams = [], []
        for d in batch:
            times.append(self._join_time(d))
            streams.append(self._stream_ms or 0)
        result, fetched = self._resolve(records, times, {})
        self.tables.write(result.writes)
        out = [Located(r, d.incoming.coords) for r, d in zip(result.resolved, batch, strict=True)]
        # Record by record, as if they came one at a time: keep the unattached, and take
        # out what a record's links reach while stream time is still within the window.
        again: list[tuple[Decoded, int]] = []
        for d, r, at, consulted, taught, stream in zip(
                batch, result.resolved, times, result.consulted, result.taught, streams, strict=True):
            if r.account_id is None and can_reattach(r.record):
                waiting.park(d, at, consulted)
            if taught:
                again += waiting.touched(taught, stream)
        if again:
            out += self._reattach(waiting, again, fetched | result.writes)
        if self._stream_ms is not None:
            waiting.advance(self._stream_ms)
        metrics.UNATTACHED_EXPIRED.inc(waiting.expired)
        waiting.expired = 0
        metrics.UNATTACHED_PARKED.set(len(waiting))
        return out

    def _reattach(self, waiting: Unattached[Decoded], again: list[tuple[Decoded, int]],
                  fetched: dict[LookupKey, Versions]) -> list[Located]:
        result, _ = self._resolve([cast(Record, d.record) for d, _at in again], [at for _d, at in again],
                                  fetched)
        self.tables.write(result.writes)
        out = []
        for (d, at), r, keys in zip(again, result.resolved, result.consulted, strict=True):
            if r.account_id is None:
                waiting.park(d, at, keys)
            else:
                metrics.REATTACHED.inc()
                out.append(Located(r, d.incoming.coords))
        return out

    def _resolve(self, records: list[Record], times: list[int], fetched: dict[LookupKey, Versions]
                 ) -> tuple[ResolveResult, dict[LookupKey, Versions]]:
        wanted = candidate_keys(records) - fetched.keys()
        fetched = dict(fetched)
        for _ in range(PREFETCH_HOPS):  # what the links point at, before resolving
            if not wanted:
                break
            found = self.tables.fetch_versions(wanted)
            fetched.update(found)
            wanted = linked_keys(found) - fetched.keys()
        for _ in range(MAX_RESOLVE_ROUNDS):
            result = resolve_batch(records, times, fetched)
            if not result.missing:
                return result, fetched
            fetched.update(self.tables.fetch_versions(result.missing))
        raise RuntimeError("identity resolution did not converge")  # pragma: no cover

    def _join_time(self, d: Decoded) -> int:
        """A record's time (see ``record_time_ms``); moves stream time on, record by record."""
        at = record_time_ms(cast(Record, d.record), d.incoming.coords.timestamp_ms, self._stream_ms or 0)
        if isinstance(d.record, Ticket | Event) and (self._stream_ms is None or at > self._stream_ms):
            self._stream_ms = at
        return at


class TableJoin(StatefulBatchLogic[Decoded, Located, UnattachedState[Decoded]]):
    def __init__(self, join: AccountJoin, window: timedelta, resume: UnattachedState[Decoded] | None) -> None:
        self._join = join
        self._waiting: Unattached[Decoded] = Unattached(
            int(window.total_seconds() * 1000), REATTACH_MAX, resume)

    def on_batch(self, values: list[Decoded]) -> tuple[Iterable[Located], bool]:
        return self._join.resolve(values, self._waiting), StatefulBatchLogic.RETAIN

    def snapshot(self) -> UnattachedState[Decoded]:
        return self._waiting.snapshot()


def table_join(join: AccountJoin) -> Callable[[UnattachedState[Decoded] | None], TableJoin]:
    def build(resume: UnattachedState[Decoded] | None) -> TableJoin:
        return TableJoin(join, join.reattach_window, resume)

    return build


class HandOff(StatefulBatchLogic[ShardBatch, Located, HeldRecords]):
    """Passes an account shard's records on, on the shard's worker.

    A bounded input (``--exit-at-end``, a replay) is handed on at its end, all of a
    shard's records in one batch: the batch steps after it (patterns, governance)
    decide a batch's candidates together, so when batches were cut by how the work
    is split, one worker and several could decide differently. Until then they are
    kept packed (``flows/held_records.py``): a few hundred bytes each, not the 1.2 kB
    of their objects."""

    def __init__(self, live: bool, resume: HeldRecords | list[Located] | None) -> None:
        self._live = live
        self._held = resume.copy() if isinstance(resume, HeldRecords) else HeldRecords()
        if isinstance(resume, list):  # a snapshot from before records were packed
            self._held.extend(resume)

    def on_batch(self, values: list[ShardBatch]) -> tuple[Iterable[Located], bool]:
        records = [r for batch in values for r in batch.records]
        if self._live:
            return records, StatefulBatchLogic.RETAIN
        self._held.extend(records)
        return [], StatefulBatchLogic.RETAIN

    def on_eof(self) -> tuple[Iterable[Located], bool]:
        if not self._live and shutdown.STOP.is_set():
            # A bounded run stopped part-way (SIGTERM, Ctrl-C) has not reached its input's
            # end: handing on now would decide the first part alone, before records of the
            # rest that come earlier in event time (an absence timer would fire on a window
            # that lacks them). What is held stays in the snapshot, and the next run decides
            # it all at the end, as one uninterrupted run does (one without a recovery store
            # reads it again).
            return (), StatefulBatchLogic.RETAIN
        return self._held.take(), StatefulBatchLogic.RETAIN

    def snapshot(self) -> HeldRecords:
        self._held.pack()  # the input's offsets have moved past them
        return self._held.copy()


def hand_off(live: bool) -> Callable[[HeldRecords | list[Located] | None], HandOff]:
    return lambda resume: HandOff(live, resume)
