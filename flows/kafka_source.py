"""The Kafka input as Bytewax reads it, plus what a platform team monitors it by.

Bytewax's ``KafkaSource`` resumes from its recovery store and never tells Kafka
how far it has read, so ``kafka-consumer-groups``, Burrow or a lag exporter see
nothing. Each partition here commits, at every epoch's snapshot, the offset the
recovery store records for it to a consumer group (``CUEWIRE_KAFKA_GROUP_ID``),
and once more when it closes. The commits are for monitoring only: the flow
never reads them back (partitions are assigned, not subscribed, so no group
membership or rebalance is involved), and resume stays with the recovery store.

Each partition also reports every poll and its broker connection to
``flows/health.py``, which answers the liveness and readiness probes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import bytewax.operators as op
from bytewax.connectors.kafka import KafkaError as SourceError
from bytewax.connectors.kafka import KafkaSource, KafkaSourceMessage, _KafkaSourcePartition
from bytewax.connectors.kafka import operators as kop
from bytewax.connectors.kafka.operators import KafkaOpOut
from bytewax.dataflow import Dataflow, operator
from confluent_kafka import KafkaException, TopicPartition

from flows import metrics
from flows.health import HEALTH, Health, brokers_up

Message = KafkaSourceMessage[bytes | None, bytes | None]
Failure = SourceError[bytes | None, bytes | None]


class MonitoredKafkaSource(KafkaSource):
    """``KafkaSource`` whose partitions commit their position to ``group_id`` and report
    their health; ``group_id=None`` commits nothing."""

    def __init__(self, brokers: list[str], topics: list[str], *, group_id: str | None,
                 prefetch_kb: int, gather: timedelta = timedelta(0), health: Health = HEALTH,
                 **kwargs: Any) -> None:
        super().__init__(brokers, topics, **kwargs)
        self._group_id = group_id
        self._prefetch_kb = prefetch_kb
        self._gather = gather
        self._health = health

    def build_part(self, step_id: str, for_part: str, resume_state: int | None) -> _KafkaSourcePartition:
        idx, topic = for_part.split("-", 1)
        assert topic in self._topics, "Can't resume from different set of Kafka topics"
        # Bytewax's own settings (its build_part), with our group instead of its placeholder.
        config: dict[str, Any] = {
            "group.id": self._group_id or "BYTEWAX_IGNORED",
            "enable.auto.commit": "false",
            "bootstrap.servers": ",".join(self._brokers),
            "enable.partition.eof": str(not self._tail),
            "statistics.interval.ms": 1000,
            # One consumer per partition, each reading ahead up to 64 MiB by default: a flow
            # behind its input would hold that times the partitions (a pod's memory limit).
            "queued.max.messages.kbytes": str(self._prefetch_kb),
            **self._add_config,
            "on_commit": _count_failed_commits,
        }
        return _MonitoredPartition(step_id, config, topic, int(idx), self._starting_offset,
                                   resume_state, self._batch_size, self._raise_on_errors,
                                   commit=self._group_id is not None, health=self._health,
                                   gather=self._gather)


def _count_failed_commits(err: object, _partitions: object) -> None:
    if err is not None:
        metrics.OFFSET_COMMIT_FAILURES.inc()


class _MonitoredPartition(_KafkaSourcePartition):
    def __init__(self, *args: Any, commit: bool, health: Health,
                 gather: timedelta = timedelta(0)) -> None:
        self._health = health
        self._commit = commit
        self._committed: int | None = None
        self._gather = gather
        self._awake: datetime | None = None
        super().__init__(*args)
        health.polled(self._topic, self._part_idx)

    def next_awake(self) -> datetime | None:
        """After a batch short of full, the partition rests ``gather`` before it polls again:
        records that trickle in live are then handed on a few dozen at a time, not one or
        two, and every step's cost per batch (a Redis round trip, the order and join
        bookkeeping) is shared among them. A full batch means a backlog: poll again at once."""
        return self._awake

    def _process_stats(self, json_stats: str) -> None:
        super()._process_stats(json_stats)
        self._health.broker_state(self._topic, self._part_idx, brokers_up(json.loads(json_stats)))

    def next_batch(self) -> list[Message | Failure]:
        self._health.polled(self._topic, self._part_idx)
        batch: list[Message | Failure] = super().next_batch()
        short = self._gather and len(batch) < self._batch_size
        self._awake = datetime.now(UTC) + self._gather if short else None
        return batch

    def snapshot(self) -> int | None:
        offset: int | None = super().snapshot()
        self._commit_position(asynchronous=True)
        return offset

    def close(self) -> None:
        self._commit_position(asynchronous=False)
        self._health.closed(self._topic, self._part_idx)
        super().close()

    def _commit_position(self, *, asynchronous: bool) -> None:
        # Negative offsets are librdkafka's "beginning"/"end" markers: nothing read yet.
        if not self._commit or self._offset < 0 or self._offset == self._committed:
            return
        try:
            offsets = [TopicPartition(self._topic, self._part_idx, self._offset)]
            if asynchronous:
                self._consumer.commit(offsets=offsets, asynchronous=True)
            else:
                self._consumer.commit(offsets=offsets, asynchronous=False)
            self._committed = self._offset
        except KafkaException:
            metrics.OFFSET_COMMIT_FAILURES.inc()


@operator
def monitored_input(step_id: str, flow: Dataflow, source: KafkaSource) -> KafkaOpOut[Message, Failure]:
    """``kop.input`` over ``source``: the same inner steps, so the same recovery step ids."""
    return op.input("kafka_input", flow, source).then(kop._kafka_error_split, "split_err")
