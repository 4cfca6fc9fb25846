"""The ingest stage: bytes to records, bad ones to the dead-letter topic, feedback apart.

Decoding notes how far each input partition has been read (the event clock) and
follows each batch with a mark of how far this worker has read its partitions, so
``order-by-log`` (the accounts stage) knows when a record may go on. The event clock is
kept in Redis about once a second, so a run resumed after kill -9 starts it where this
one had read to, on every partition (one read to its end before the last snapshot is
never read again).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeGuard

import bytewax.operators as op
from bytewax.dataflow import Stream, operator

from contracts.errors import PoisonRecord
from flows import metrics
from flows.event_clock import EventClock
from flows.learning import CheckpointFollower
from flows.record_failures import failure_reason, is_dependency_failure
from flows.stages.failures import DeadLetters
from flows.stages.items import Decoded, Incoming, Outgoing
from operators.decode import Limits, decode_record
from operators.ordering import OrderPolicy, PartitionMark
from operators.records import Event, Feedback, Ticket
from state.progress import EventTimeStore

EVENT_CLOCK_KEPT_EVERY = 1.0
"""Seconds (monotonic) between two saves of the event clock to Redis."""


class Decoder:
    """Decoding on the worker that read the records: limits, the event clock, the model's
    checkpoint follower (refreshed here, where every batch passes)."""

    def __init__(self, *, limits: Limits, event_time: EventClock, order_policy: OrderPolicy,
                 follower: CheckpointFollower | None, clock: Callable[[], datetime],
                 event_times: EventTimeStore | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.event_time = event_time
        self.order_policy = order_policy
        self.follower = follower
        self.clock = clock
        self.event_times = event_times
        """Where the event clock is kept for a resumed run (``cuewire run``; a replay has none)."""
        self._monotonic = monotonic
        self._kept_at: float | None = None
        self._records_in: dict[str, Any] = {}

    def decode(self, incoming: Incoming) -> Decoded:
        """One record (see :meth:`decode_batch`)."""
        return self.decode_batch([incoming])[0]

    def decode_batch(self, batch: list[Incoming]) -> list[Decoded]:
        """Each record of ``batch`` decoded, or its reason to be a dead letter, in order.
        One call per batch: the step's cost is the records', not a Python call and a
        metrics update per record."""
        event_time, limits, clock = self.event_time, self.limits, self.clock
        read_at = event_time.read
        out: list[Decoded] = []
        per_topic: dict[str, int] = {}
        for incoming in batch:
            coords = incoming.coords
            per_topic[coords.topic] = per_topic.get(coords.topic, 0) + 1
            read_at(coords.topic, coords.partition, coords.offset)
            now = clock()
            fallback = (datetime.fromtimestamp(coords.timestamp_ms / 1000, UTC)
                        if coords.timestamp_ms else now)
            try:
                record = decode_record(incoming.kind, incoming.key, incoming.value,
                                       fallback, limits, now=now)
            except PoisonRecord as exc:
                out.append(Decoded(None, incoming, str(exc)))
                continue
            except Exception as exc:
                if is_dependency_failure(exc):
                    raise
                out.append(Decoded(None, incoming, failure_reason("decode", exc)))
                continue
            out.append(Decoded(record, incoming))
        for topic, n in per_topic.items():
            self._records_in_counter(topic).inc(n)
        return out

    def _records_in_counter(self, topic: str) -> Any:
        counter = self._records_in.get(topic)
        if counter is None:  # labels() hashes its arguments on every call: look each topic up once
            counter = self._records_in[topic] = metrics.RECORDS_IN.labels(topic)
        return counter

    def mark_partitions(self, batch: list[Decoded]) -> list[Decoded | PartitionMark]:
        """On the worker that read ``batch``: note how far event time has got, and follow
        the batch with a mark of how far this worker has read its partitions (the mark
        follows the records down the same channel, so it never overtakes them)."""
        if self.follower is not None:
            self.follower.refresh(self.clock())  # reads Redis at most every 30 s
        for d in batch:
            record = d.record
            if isinstance(record, Ticket | Event):
                at = record.created_at if isinstance(record, Ticket) else record.timestamp
                self.event_time.saw(d.incoming.coords.topic, d.incoming.coords.partition, at)
        self._keep_event_clock()
        out: list[Decoded | PartitionMark] = list(batch)
        out += self._partition_marks(batch)
        return out

    def _keep_event_clock(self) -> None:
        if self.event_times is None:
            return
        now = self._monotonic()
        if self._kept_at is None or now - self._kept_at >= EVENT_CLOCK_KEPT_EVERY:
            self._kept_at = now
            self.event_times.save(self.event_time.newest())

    def _partition_marks(self, batch: list[Decoded]) -> list[PartitionMark]:
        newest: dict[tuple[str, int], tuple[int, int]] = {}
        expected = self.order_policy.expected
        for d in batch:
            c = d.incoming.coords
            part = (c.topic, c.partition)
            if c.timestamp_ms is None or part not in expected:
                continue
            ms, offset = newest.get(part, (-1, -1))
            newest[part] = (max(ms, c.timestamp_ms), max(offset, c.offset))
        if not newest:
            return []
        return [PartitionMark(0, tuple((t, p, ms, off) for (t, p), (ms, off) in newest.items()))]


def is_rejected(item: Decoded | PartitionMark) -> TypeGuard[Decoded]:
    return isinstance(item, Decoded) and item.record is None


def is_feedback(item: Decoded | PartitionMark) -> TypeGuard[Decoded]:
    return isinstance(item, Decoded) and isinstance(item.record, Feedback)


@dataclass(frozen=True)
class Ingested:
    timeline: Stream[Decoded | PartitionMark]
    """Events, tickets and CRM snapshots, with the marks of how far each worker has read."""
    feedback: Stream[Decoded]
    rejected: Stream[Outgoing]
    """Dead letters of records that could not be read."""


@operator
def ingest(step_id: str, incoming: Stream[Incoming], decoder: Decoder,
           dead_letters: DeadLetters) -> Ingested:
    decoded = op.flat_map_batch("decode", incoming, decoder.decode_batch)  # Decoded
    marked = op.flat_map_batch("mark-partitions", decoded, decoder.mark_partitions)  # Decoded, PartitionMark
    checked = op.branch("split-invalid", marked, is_rejected)
    rejected = op.map("dead-letter", checked.trues, dead_letters.rejected)  # Outgoing(dlq)
    by_source = op.branch("split-feedback", checked.falses, is_feedback)
    return Ingested(by_source.falses, by_source.trues, rejected)
