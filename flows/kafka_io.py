"""Kafka at the flow's input: the source step, and the order its records wait for.

Input is Bytewax's Kafka source (one partition per Kafka partition). It resumes
from Bytewax's recovery store (``flows/kafka_source.py`` also commits each
partition's position to a consumer group, for lag monitoring only): run with a
recovery directory to resume where the flow stopped; without one, a restart re-reads from
``CUEWIRE_KAFKA_START_FROM`` and the idempotency keys and alert ledger make the
re-read harmless (no window counts twice, no alert is published twice).

The sink is ``flows/kafka_sink.py``; creating topics and reading them back,
``flows/kafka_admin.py``; where partitions end, ``flows/partition_ends.py``. Their
names are imported here too, where callers have always found them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import bytewax.operators as op
from bytewax.connectors.kafka import KafkaSourceMessage, _KafkaSourcePartition
from bytewax.dataflow import Dataflow, Stream
from confluent_kafka import OFFSET_BEGINNING, OFFSET_END

from config.settings import Settings
from flows import shutdown
from flows.kafka_admin import ensure_topics, read_messages_to_end, read_to_end
from flows.kafka_sink import KafkaOutSink
from flows.kafka_source import MonitoredKafkaSource, monitored_input
from flows.partition_ends import partition_ends
from flows.pipeline import InputBuilder
from flows.stages.failures import DeadLetters
from flows.stages.items import Incoming, Outgoing
from operators.decode import InputKind
from operators.ordering import OrderPolicy
from operators.records import Coordinates

__all__ = ["KafkaOutSink", "StoppableKafkaSource", "ensure_topics", "kafka_inputs", "order_policy",
           "partition_ends", "read_messages_to_end", "read_to_end"]


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
            prefetch_kb=settings.kafka_prefetch_kb,
            gather=timedelta(milliseconds=settings.kafka_gather_ms) if tail else timedelta(0),
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


def order_policy(settings: Settings, *, bounded: bool) -> OrderPolicy:
    """Which partitions the flow's records wait for (``operators/ordering.py``).

    Event, ticket and accounts partitions set the order: a ticket is joined with the CRM
    snapshots and identity calls logged before it only once they have been read.
    Feedback is not ordered against them. A bounded run (``--exit-at-end``) waits for
    every partition that holds records, however long, so its output depends on the
    input alone; a live run asks the broker whether a quiet partition has been read to
    its end (:func:`partition_ends`) and waits ``CUEWIRE_JOIN_WAIT_MS`` at most for one
    that has not."""
    offsets = partition_ends(settings).now(
        (settings.topic_events, settings.topic_tickets, settings.topic_accounts))
    if bounded:
        # An empty partition would hold everything back until the end: left out.
        ends = {p: end for p, (first, end) in offsets.items() if end > first}
        return OrderPolicy(frozenset(ends), ends=ends)
    return OrderPolicy(frozenset(offsets), idle_s=None, max_wait_s=settings.join_wait_ms / 1000)
