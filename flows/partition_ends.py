"""Where the input partitions end, asked of the broker: how a live flow knows a quiet
partition has nothing older to deliver.

A record is handed on once every other input partition has been read past its
log time (``operators/ordering.py``). A partition that delivers nothing may be
quiet or may be behind, and only the broker can tell: when its end offset is the
offset after the last record read, it has been read to its end, so it counts as
read up to the moment of asking, less ``margin_ms`` for records a producer
stamped earlier that were still on their way (Kafka Streams decides the same way
before it processes a task's records past an empty partition).

The question is asked with the admin client's ``list_offsets``, one request per
broker for all partitions, answered on librdkafka's threads: the worker never
blocks on it, and asks again at most every ``interval_s`` while records wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec  # type: ignore[attr-defined]

Partition = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Ends:
    """One answer: when it was asked (log time, ms) and each partition's end offset, with
    its first offset for partitions asked for it (never read from)."""

    asked_ms: int
    end: dict[Partition, int]
    start: dict[Partition, int]


class PartitionEnds:
    """Asks where partitions end, at most every ``interval_s``, without blocking."""

    def __init__(self, conf: Mapping[str, Any], *, from_earliest: bool = True,
                 interval_s: float = 0.01, clock: Callable[[], float] = time.time) -> None:
        self.from_earliest = from_earliest
        """Whether the flow reads a partition it has no offset for from its start (else its end)."""
        self._conf = dict(conf)
        self._interval_s = interval_s
        self._clock = clock
        self._admin: AdminClient | None = None
        self._asked_at = 0.0
        self._pending: tuple[int, dict[TopicPartition, Future[object]],
                             dict[TopicPartition, Future[object]]] | None = None

    def ask(self, partitions: list[Partition], never_read: list[Partition]) -> None:
        """Ask for the end of ``partitions`` (and the start of ``never_read``) unless a
        question is still open or was asked less than ``interval_s`` ago."""
        now = self._clock()
        if not partitions or self._pending is not None or now - self._asked_at < self._interval_s:
            return
        if self._admin is None:
            self._admin = AdminClient(self._conf)
        self._asked_at = now
        try:
            ends = self._admin.list_offsets(
                {TopicPartition(t, p): OffsetSpec.latest() for t, p in partitions},  # type: ignore[no-untyped-call]
                request_timeout=5)
            starts = self._admin.list_offsets(
                {TopicPartition(t, p): OffsetSpec.earliest()  # type: ignore[no-untyped-call]
                 for t, p in never_read},
                request_timeout=5) if never_read else {}
        except (KafkaException, ValueError, TypeError):
            return  # the broker is away: records wait their bound, the next ask may succeed
        self._pending = (int(now * 1000), ends, starts)

    def answer(self) -> Ends | None:
        """The open question's answer once every part of it has come back, else ``None``."""
        if self._pending is None:
            return None
        asked_ms, ends, starts = self._pending
        if not all(f.done() for f in (*ends.values(), *starts.values())):
            return None
        self._pending = None
        try:
            return Ends(asked_ms, _offsets(ends), _offsets(starts))
        except KafkaException:
            return None


def _offsets(futures: dict[TopicPartition, Future[object]]) -> dict[Partition, int]:
    return {(tp.topic, tp.partition): int(f.result().offset)  # type: ignore[attr-defined]
            for tp, f in futures.items()}
