"""Reviewers' decisions, written as feedback records to ``cuewire.feedback``.

The record is validated by the contract's own model before it is produced, and
produced synchronously: the reviewer is told their decision is recorded only
once Kafka has acknowledged it (then the console waits for its own view to
read it back, so the page shows what the topic says).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from confluent_kafka import KafkaException, Producer

from contracts.errors import DependencyDown
from contracts.feedback import FeedbackRecord

FLUSH_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class Written:
    topic: str
    partition: int
    offset: int


class FeedbackWriter:
    def __init__(self, producer_conf: Mapping[str, Any], topic: str) -> None:
        self.topic = topic
        self._producer: Producer | None = Producer(dict(producer_conf))

    def close(self) -> None:
        """Let the producer go (confluent-kafka closes it when the last reference does)."""
        if self._producer is not None:
            self._producer.flush(5)
            self._producer = None

    def write(self, record: FeedbackRecord) -> Written:
        """Produce one record, keyed by its alert id, and wait for Kafka's acknowledgement."""
        body = record.model_dump(mode="json", exclude_none=True)
        if not body.get("labels"):
            body.pop("labels", None)
        delivered: dict[str, Any] = {}

        def on_delivery(err: object, msg: Any) -> None:
            delivered["err"], delivered["msg"] = err, msg

        if self._producer is None:
            raise DependencyDown("the console is stopping: the decision was not written")
        try:
            self._producer.produce(self.topic, orjson.dumps(body), record.alert_id.encode(),
                                   on_delivery=on_delivery)
            self._producer.flush(FLUSH_TIMEOUT_S)
        except (KafkaException, BufferError) as exc:
            raise DependencyDown(f"Kafka: the decision was not written ({exc.__class__.__name__})") \
                from None
        msg = delivered.get("msg")
        if delivered.get("err") is not None or msg is None:
            raise DependencyDown(f"Kafka: the decision was not acknowledged ({delivered.get('err')})")
        return Written(msg.topic(), msg.partition(), msg.offset())
