"""The input topics' retained history as a replay file (``cuewire backtest --from-kafka``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson


def read_input_topics(settings: Any, out: Path) -> int:
    """The input topics' retained history as a replay file: account snapshots first (they
    stand for the CRM state the flow had), then events, tickets and feedback in record-time
    order. Returns how many records were written."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

    found: list[tuple[int, int, str, bytes | None, bytes | None]] = []
    order = {"accounts": 0, "events": 1, "tickets": 1, "feedback": 1}
    for kind in order:
        topic = settings.topic(kind)
        consumer = Consumer({**settings.kafka_consumer(), "group.id": f"cuewire-backtest-{topic}",
                             "enable.partition.eof": True, "enable.auto.commit": False})
        try:
            parts = consumer.list_topics(topic, timeout=10).topics[topic].partitions
            consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
            ended: set[int] = set()
            idle_until = time.monotonic() + 60
            while len(ended) < len(parts) and time.monotonic() < idle_until:
                msg = consumer.poll(0.5)
                if msg is None:
                    continue
                idle_until = time.monotonic() + 60
                error = msg.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        ended.add(msg.partition() or 0)
                    continue
                found.append((order[kind], msg.timestamp()[1], kind, msg.key(), msg.value()))
        finally:
            consumer.close()
    found.sort(key=lambda r: (r[0], r[1]))
    with out.open("wb") as fh:
        for _, _, kind, key, value in found:
            try:
                body: Any = orjson.loads(value) if value else None
            except orjson.JSONDecodeError:
                body = value.decode("utf-8", "replace") if value else None
            fh.write(orjson.dumps({"topic": kind, "key": key.decode("utf-8", "replace") if key else None,
                                   "value": body}) + b"\n")
    return len(found)
