"""Kafka outside the flow's steps: creating its topics, and reading back what it published
(for the demo, the tools and the tests)."""

from __future__ import annotations

import time
from collections.abc import Mapping

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from config.settings import Settings
from contracts.errors import DependencyDown


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
