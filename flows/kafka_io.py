"""Kafka at the flow's edges: the input step and a producer sink that never drops.

Input is Bytewax's Kafka source (one partition per Kafka partition). It resumes
from Bytewax's recovery store (``flows/kafka_source.py`` also commits each
partition's position to a consumer group, for lag monitoring only): run with a
recovery directory to resume where the flow stopped; without one, a restart re-reads from
``CUEWIRE_KAFKA_START_FROM`` and the idempotency keys and alert ledger make the
re-read harmless (no window counts twice, no alert is published twice).

The sink is our own rather than Bytewax's ``KafkaSink``, which raises when the
producer's queue fills: ours waits for room, flushes every batch before
returning (so a recovery snapshot never gets ahead of what Kafka has), and
only then confirms the batch's alert ids in the ledger.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, cast

import bytewax.operators as op
from bytewax.connectors.kafka import KafkaSourceMessage, _KafkaSourcePartition
from bytewax.dataflow import Dataflow, Stream
from bytewax.outputs import FixedPartitionedSink, StatefulSinkPartition
from confluent_kafka import (
    OFFSET_BEGINNING,
    OFFSET_END,
    Consumer,
    KafkaError,
    KafkaException,
    Producer,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from config.settings import Settings
from contracts.errors import DependencyDown
from flows import shutdown
from flows.delivery import CLOUDEVENTS_JSON, Headers, headers
from flows.kafka_source import MonitoredKafkaSource, monitored_input
from flows.partition_ends import PartitionEnds
from flows.pipeline import InputBuilder
from flows.stages.failures import DeadLetters
from flows.stages.items import Incoming, Outgoing
from operators.decode import InputKind
from operators.ordering import OrderPolicy
from operators.records import Coordinates

FLUSH_TIMEOUT_S = 60.0
CONTENT = {"alerts": CLOUDEVENTS_JSON, "digest": CLOUDEVENTS_JSON, "dlq": b"application/json"}


def kafka_inputs(settings: Settings, *, tail: bool = True) -> InputBuilder:
    """The Kafka input step; ``tail=False`` stops the flow at the end of every partition."""
    kinds: dict[str, InputKind] = {
        settings.topic_events: "events",
        settings.topic_tickets: "tickets",
        settings.topic_accounts: "accounts",
        settings.topic_feedback: "feedback",
    }

    def to_incoming(msg: KafkaSourceMessage[bytes | None, bytes | None]) -> Incoming:
        ts = msg.timestamp[1] if msg.timestamp and msg.timestamp[1] > 0 else None
        coords = Coordinates(msg.topic or "", msg.partition or 0, msg.offset or 0, msg.key, ts)
        return Incoming(kinds[msg.topic or ""], msg.key, msg.value, coords)

    def read(flow: Dataflow, dead_letters: DeadLetters) -> tuple[Stream[Incoming], Stream[Outgoing]]:
        # Bytewax also hands this to an admin client, so only connection and security
        # settings go here; it sets group.id and no auto-commit itself, the starting
        # offset is explicit, and librdkafka already reads committed transactions only.
        consumer_conf = cast(dict[str, str], settings.kafka_source())  # text, and the logger
        source = monitored_input("kafka-in", flow, StoppableKafkaSource(
            settings.kafka_bootstrap.split(","), list(kinds),
            group_id=settings.monitoring_group_id() if settings.kafka_commit_offsets else None,
            tail=tail,
            starting_offset=OFFSET_BEGINNING if settings.kafka_start_from == "earliest" else OFFSET_END,
            add_config=consumer_conf,
            batch_size=settings.kafka_batch_size,
            raise_on_errors=False,
        ))
        incoming = op.map("to-incoming", source.oks, to_incoming)

        def source_error(err: object) -> Outgoing:
            msg = getattr(err, "msg", None)
            reason = str(getattr(err, "err", "consumer error"))
            incoming = to_incoming(msg) if msg is not None and msg.topic in kinds else Incoming(
                "events", None, None, Coordinates("?", -1, -1))
            return dead_letters.source_error(incoming, f"Kafka consumer error: {reason}")

        errors = op.map("source-errors", source.errs, source_error)
        return incoming, errors

    return read


class StoppableKafkaSource(MonitoredKafkaSource):
    """The Kafka source, whose partitions end when a stop is asked for
    (``flows/shutdown.py``): the flow then finishes as at the end of a bounded run."""

    def build_part(self, step_id: str, for_part: str, resume_state: int | None) -> _KafkaSourcePartition:
        part = super().build_part(step_id, for_part, resume_state)
        read = part.next_batch

        def next_batch() -> list[Any]:
            if shutdown.STOP.is_set():
                raise StopIteration
            return read()

        part.next_batch = next_batch  # type: ignore[method-assign]
        return part


class KafkaOutSink(FixedPartitionedSink[Outgoing, None]):
    """Produces to the output topics, flushing at the end of every Bytewax epoch.

    Waiting for Kafka's acknowledgement on every small batch would bound the flow by
    round trips; the epoch end is the moment that matters for at-least-once (the
    recovery snapshot must never get ahead of what Kafka holds), so that is where
    the partition flushes, raises if anything was not acknowledged, and only then
    confirms the epoch's alert ids in the ledger. Records are routed to a partition
    by their Kafka key, so one account's outputs keep their order.
    """

    def __init__(self, settings: Settings, on_produced: Callable[[list[Outgoing]], None],
                 on_published: Callable[[list[Outgoing]], None], partitions: int = 8, *,
                 claim: Callable[[list[Outgoing]], list[Outgoing]] | None = None) -> None:
        self._conf = settings.kafka_producer()
        self._claim = claim or (lambda batch: batch)
        self._topics = {"alerts": settings.topic_alerts, "digest": settings.topic_digest,
                        "dlq": settings.topic_dlq}
        self._on_produced = on_produced
        self._on_published = on_published
        self._parts = [f"out-{i}" for i in range(partitions)]

    def list_parts(self) -> list[str]:
        return self._parts

    def build_part(self, step_id: str, for_part: str, resume_state: None) -> _KafkaOutPartition:
        return _KafkaOutPartition(Producer(self._conf), self._topics, self._claim, self._on_produced,
                                  self._on_published)


class _KafkaOutPartition(StatefulSinkPartition[Outgoing, None]):
    def __init__(self, producer: Producer, topics: dict[str, str],
                 claim: Callable[[list[Outgoing]], list[Outgoing]],
                 on_produced: Callable[[list[Outgoing]], None],
                 on_published: Callable[[list[Outgoing]], None]) -> None:
        self._producer = producer
        self._topics = topics
        self._claim = claim
        self._on_produced = on_produced
        self._on_published = on_published
        self._failures: list[str] = []
        self._unflushed: list[Outgoing] = []

    def _delivered(self, err: object, _msg: object) -> None:
        if err is not None:
            self._failures.append(str(err))

    def write_batch(self, values: list[Outgoing]) -> None:
        values = self._claim(values)
        for out in values:
            extra: Headers = (headers(out.kind, out.alert_id) if out.alert_id
                              else [("content-type", CONTENT[out.kind])])
            while True:
                try:
                    self._producer.produce(self._topics[out.kind], out.value, out.key, headers=extra,
                                           on_delivery=self._delivered)
                    break
                except BufferError:
                    # Queue full: serve delivery reports until there is room again.
                    self._producer.poll(0.05)
        self._producer.poll(0)
        self._unflushed.extend(values)
        self._on_produced(values)

    def snapshot(self) -> None:
        self._flush()

    def close(self) -> None:
        self._flush()

    def _flush(self) -> None:
        remaining = self._producer.flush(FLUSH_TIMEOUT_S)
        if remaining or self._failures:
            failures, self._failures = self._failures, []
            shutdown.stop_now(DependencyDown(
                f"Kafka did not acknowledge {remaining or len(failures)} records within "
                f"{FLUSH_TIMEOUT_S:.0f}s ({failures[:1]}); the flow stops so nothing is lost"
            ))
        done, self._unflushed = self._unflushed, []
        if done:
            self._on_published(done)


def read_to_end(consumer_conf: Mapping[str, str | int | float | bool], topic: str,
                timeout_s: float = 30.0) -> list[tuple[bytes | None, bytes]]:
    """Every (key, value) on ``topic`` from its start to its current end, every partition.

    For tools and tests that inspect what the flow published (the demo, the e2e tests):
    assigns partitions directly, so it commits nothing and joins no group.
    """
    return [(key, value) for key, value, _headers in read_messages_to_end(consumer_conf, topic, timeout_s)]


Message = tuple[bytes | None, bytes, list[tuple[str, bytes]]]
"""A record as read back: key, value, headers."""


def read_messages_to_end(consumer_conf: Mapping[str, str | int | float | bool], topic: str,
                         timeout_s: float = 30.0) -> list[Message]:
    """As :func:`read_to_end`, with each record's headers."""
    consumer = Consumer({**consumer_conf, "group.id": f"cuewire-reader-{topic}",
                         "enable.partition.eof": True, "enable.auto.commit": False})
    try:
        parts = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
        found: list[Message] = []
        ended: set[int] = set()
        deadline = time.monotonic() + timeout_s
        while len(ended) < len(parts) and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            error = msg.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    ended.add(msg.partition() or 0)
                continue
            headers = [(str(h[0]), h[1] if isinstance(h[1], bytes) else str(h[1] or "").encode())
                       for h in (msg.headers() or [])]
            found.append((msg.key(), msg.value() or b"", headers))
        return found
    finally:
        consumer.close()


def order_policy(settings: Settings, *, bounded: bool) -> OrderPolicy:
    """Which partitions the flow's records wait for (``operators/ordering.py``).

    Event, ticket and accounts partitions set the order: a ticket is joined with the CRM
    snapshots and identity calls logged before it only once they have been read.
    Feedback is not ordered against them. A bounded run (``--exit-at-end``) waits for
    every partition that holds records, however long, so its output depends on the
    input alone; a live run asks the broker whether a quiet partition has been read to
    its end (:func:`partition_ends`) and waits ``CUEWIRE_JOIN_WAIT_MS`` at most for one
    that has not."""
    consumer = Consumer({**settings.kafka_admin(), "group.id": "cuewire-order-policy",
                         "enable.auto.commit": False})
    expected: set[tuple[str, int]] = set()
    ends: dict[tuple[str, int], int] = {}
    try:
        for topic in (settings.topic_events, settings.topic_tickets, settings.topic_accounts):
            meta = consumer.list_topics(topic, timeout=10).topics[topic]
            for partition in meta.partitions:
                if bounded:
                    low, high = _watermarks(consumer, TopicPartition(topic, partition))
                    if high <= low:
                        continue  # empty: it would hold everything back until the end
                    ends[(topic, partition)] = high
                expected.add((topic, partition))
    finally:
        consumer.close()
    if bounded:
        return OrderPolicy(frozenset(expected), ends=ends)
    return OrderPolicy(frozenset(expected), idle_s=None, max_wait_s=settings.join_wait_ms / 1000)


def _watermarks(consumer: Consumer, tp: TopicPartition, patience_s: float = 30.0) -> tuple[int, int]:
    """A partition's first and end offsets; a topic created a moment ago may not have a
    leader yet, so ask again for a while before giving up."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            low, high = consumer.get_watermark_offsets(tp, timeout=10)
            return int(low), int(high)
        except KafkaException as exc:
            if time.monotonic() > deadline:
                raise DependencyDown(
                    f"Kafka does not say where {tp.topic}/{tp.partition} ends ({exc.args[0]}); "
                    "check the broker and CUEWIRE_KAFKA_BOOTSTRAP") from None
            time.sleep(0.2)


def partition_ends(settings: Settings) -> Callable[[], PartitionEnds]:
    """What a live ``order-by-log`` asks where the input partitions end (one per worker)."""
    return lambda: PartitionEnds(settings.kafka_admin(),
                                 from_earliest=settings.kafka_start_from == "earliest")


def partition_end_offsets(settings: Settings) -> dict[tuple[str, int], int]:
    """The current end (next offset) of every event and ticket partition, for a bounded run."""
    consumer = Consumer({**settings.kafka_common(), "group.id": "cuewire-partition-ends",
                         "enable.auto.commit": False})
    ends: dict[tuple[str, int], int] = {}
    try:
        for topic in (settings.topic_events, settings.topic_tickets):
            for partition in consumer.list_topics(topic, timeout=10).topics[topic].partitions:
                _low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
                ends[(topic, partition)] = high
    finally:
        consumer.close()
    return ends


def ensure_topics(settings: Settings) -> list[str]:
    """Create any missing input/output topic (accounts compacted); return those created."""
    admin = AdminClient(settings.kafka_admin())  # type: ignore[arg-type]  # logger: a Logger
    try:
        existing = set(admin.list_topics(timeout=10).topics)
    except KafkaException as exc:
        raise DependencyDown(
            f"Kafka at {settings.kafka_bootstrap} does not answer ({exc.args[0]}); start it or set "
            "CUEWIRE_KAFKA_BOOTSTRAP"
        ) from None
    wanted = [settings.topic_events, settings.topic_tickets, settings.topic_accounts,
              settings.topic_feedback, *settings.output_topics]
    new = [
        NewTopic(t, num_partitions=settings.kafka_partitions,
                 replication_factor=settings.kafka_replication,
                 config={"cleanup.policy": "compact"} if t == settings.topic_accounts else {})
        for t in wanted if t not in existing
    ]
    if not new:
        return []
    for topic, future in admin.create_topics(new).items():
        try:
            future.result(timeout=30)
        except KafkaException as exc:
            if "TOPIC_ALREADY_EXISTS" not in str(exc):
                raise DependencyDown(f"could not create topic {topic}: {exc.args[0]}") from None
    return [t.topic for t in new]
