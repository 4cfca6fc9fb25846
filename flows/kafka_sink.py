"""The flow's Kafka sink: a producer that never drops, flushed at every epoch's end.

Ours rather than Bytewax's ``KafkaSink``, which raises when the producer's queue
fills: ours waits for room, flushes every epoch before the recovery snapshot (so
a snapshot never gets ahead of what Kafka has), and only then confirms the
epoch's alert ids in the ledger.
"""

from __future__ import annotations

from collections.abc import Callable

from bytewax.outputs import FixedPartitionedSink, StatefulSinkPartition
from confluent_kafka import Producer

from config.settings import Settings
from contracts.errors import DependencyDown
from flows import shutdown
from flows.delivery import CLOUDEVENTS_JSON, Headers, headers
from flows.stages.items import Outgoing

FLUSH_TIMEOUT_S = 60.0
CONTENT = {"alerts": CLOUDEVENTS_JSON, "digest": CLOUDEVENTS_JSON, "dlq": b"application/json"}


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
        self._flush_timeout = settings.kafka_flush_timeout_seconds
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
                                  self._on_published, self._flush_timeout)


class _KafkaOutPartition(StatefulSinkPartition[Outgoing, None]):
    def __init__(self, producer: Producer, topics: dict[str, str],
                 claim: Callable[[list[Outgoing]], list[Outgoing]],
                 on_produced: Callable[[list[Outgoing]], None],
                 on_published: Callable[[list[Outgoing]], None],
                 flush_timeout: float = FLUSH_TIMEOUT_S) -> None:
        self._producer = producer
        self._flush_timeout = flush_timeout
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
        remaining = self._producer.flush(self._flush_timeout)
        if remaining or self._failures:
            failures, self._failures = self._failures, []
            shutdown.stop_now(DependencyDown(
                f"Kafka did not acknowledge {remaining or len(failures)} records within "
                f"{self._flush_timeout:g}s ({failures[:1]}; CUEWIRE_KAFKA_FLUSH_TIMEOUT_SECONDS); "
                "the flow stops so nothing is lost, and the next start settles the rest"
            ))
        done, self._unflushed = self._unflushed, []
        if done:
            self._on_published(done)
