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

A bounded run (``--exit-at-end``) asks the same question once, at start, and
waits for the answer (:meth:`PartitionEnds.now`): where it stops reading, and
which partitions its order waits for. Both come from :func:`partition_ends`,
the one place that asks the broker where input partitions end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from confluent_kafka import IsolationLevel, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec  # type: ignore[attr-defined]

from config.settings import Settings
from contracts.errors import DependencyDown

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
        admin = self._admin_client()
        self._asked_at = now
        try:
            ends = admin.list_offsets(
                {TopicPartition(t, p): OffsetSpec.latest() for t, p in partitions},  # type: ignore[no-untyped-call]
                request_timeout=5)
            starts = admin.list_offsets(
                {TopicPartition(t, p): OffsetSpec.earliest()  # type: ignore[no-untyped-call]
                 for t, p in never_read},
                request_timeout=5) if never_read else {}
        except (KafkaException, ValueError, TypeError):
            return  # the broker is away: records wait their bound, the next ask may succeed
        self._pending = (int(now * 1000), ends, starts)

    def now(self, topics: Iterable[str], patience_s: float = 30.0) -> dict[Partition, tuple[int, int]]:
        """Every partition of ``topics`` with its first and end offset, waiting for the answer.

        Committed records only, as the flow's consumer reads them. A topic created a moment
        ago may have no leader yet, so this asks again for ``patience_s`` before it gives up
        with one line naming the partition."""
        topics = list(topics)
        admin = self._admin_client()
        deadline = time.monotonic() + patience_s
        while True:
            try:
                partitions = [TopicPartition(topic, p) for topic in topics
                              for p in admin.list_topics(topic, timeout=10).topics[topic].partitions]
                return {(tp.topic, tp.partition): (first, end) for tp, first, end in zip(
                    partitions, self._offsets_now(partitions, OffsetSpec.earliest()),  # type: ignore[no-untyped-call]
                    self._offsets_now(partitions, OffsetSpec.latest()),  # type: ignore[no-untyped-call]
                    strict=True)}
            except KafkaException as exc:
                if time.monotonic() > deadline:
                    raise DependencyDown(
                        f"Kafka does not say where the partitions of {', '.join(topics)} end "
                        f"({exc.args[0]}); check the broker and CUEWIRE_KAFKA_BOOTSTRAP") from None
                time.sleep(0.2)

    def _offsets_now(self, partitions: list[TopicPartition], spec: Any) -> list[int]:
        if not partitions:
            return []
        futures = self._admin_client().list_offsets(
            {tp: spec for tp in partitions}, isolation_level=IsolationLevel.READ_COMMITTED,
            request_timeout=10)
        return [int(futures[tp].result().offset) for tp in partitions]

    def _admin_client(self) -> AdminClient:
        if self._admin is None:
            self._admin = AdminClient(self._conf)
        return self._admin

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


def partition_ends(settings: Settings) -> PartitionEnds:
    """Where the input partitions end, asked of the broker the flow reads: one per worker
    in a live run (``order-by-log`` asks it about quiet partitions), once at the start of a
    bounded one (:meth:`PartitionEnds.now`)."""
    return PartitionEnds(settings.kafka_admin(), from_earliest=settings.kafka_start_from == "earliest")
