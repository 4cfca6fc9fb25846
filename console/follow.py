"""Keeps the console's view current: reads the alerts, feedback, digest and accounts topics into it.

One background thread assigns every partition of the four topics directly (no
consumer group, nothing committed: the view stores its own offsets, in the same
transaction as the records) and applies what it reads in batches. A console
started on an empty store reads each topic from its beginning, so pointing a
new console at the same topics rebuilds the same view; :meth:`rebuild` does
that on demand.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

import orjson
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition
from sqlalchemy.exc import SQLAlchemyError

from console.store import TopicKind, TopicRecord, ViewStore

log = logging.getLogger("cuewire.console")
METADATA_EVERY_S = 10.0
BATCH = 500


class TopicFollower:
    def __init__(self, store: ViewStore, consumer_conf: Mapping[str, Any],
                 topics: Mapping[TopicKind, str]) -> None:
        self.store = store
        self._conf = {**consumer_conf, "group.id": "cuewire-console", "enable.auto.commit": False}
        self._kinds = {name: kind for kind, name in topics.items()}
        self._stop = threading.Event()
        self._rebuild = threading.Event()
        self._thread = threading.Thread(target=self._run, name="console-follower", daemon=True)
        self._assigned: set[tuple[str, int]] = set()
        self.error: str | None = None

    def start(self) -> TopicFollower:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def rebuild(self) -> None:
        """Empty the view and read every topic again from its beginning."""
        self._rebuild.set()

    def wait_for(self, topic: str, partition: int, offset: int, timeout_s: float = 20.0) -> bool:
        """Whether the view has applied ``offset`` of the partition within the timeout."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.store.next_offsets().get((topic, partition), 0) > offset:
                return True
            time.sleep(0.05)
        return False

    def _run(self) -> None:
        consumer = Consumer(self._conf)
        try:
            checked = 0.0
            while not self._stop.is_set():
                if self._rebuild.is_set():
                    self._rebuild.clear()
                    self.store.reset()
                    consumer.unassign()
                    self._assigned.clear()
                    checked = 0.0
                if time.monotonic() - checked > METADATA_EVERY_S:
                    self._assign_new(consumer)
                    checked = time.monotonic()
                if not self._assigned:
                    self._stop.wait(0.5)
                    continue
                messages = consumer.consume(BATCH, timeout=0.2)
                batch = [r for m in messages if (r := self._record(m)) is not None]
                if not batch:
                    continue
                try:
                    self.store.apply(batch)
                except SQLAlchemyError as exc:
                    # Read again from what the view holds, once the database answers.
                    self.error = f"database: {exc.__class__.__name__}"
                    log.warning("applying %d records failed (%s); retrying from the view's offsets",
                                len(batch), exc.__class__.__name__)
                    consumer.unassign()
                    self._assigned.clear()
                    checked = 0.0
                    self._stop.wait(1.0)
        except Exception as exc:  # the page shows it; the thread must not die silently
            self.error = f"{exc.__class__.__name__}: {exc}"
            log.exception("the console stopped following the topics")
        finally:
            consumer.close()

    def _assign_new(self, consumer: Consumer) -> None:
        try:
            meta = consumer.list_topics(timeout=10)
        except KafkaException as exc:
            self.error = f"Kafka: {exc}"
            return
        done = self.store.next_offsets()
        new: list[TopicPartition] = []
        for name in self._kinds:
            topic = meta.topics.get(name)
            if topic is None or topic.error is not None:
                continue
            for p in topic.partitions:
                if (name, p) not in self._assigned:
                    new.append(TopicPartition(name, p, done.get((name, p), OFFSET_BEGINNING)))
                    self._assigned.add((name, p))
        if new:
            consumer.incremental_assign(new)
        self.error = None

    def _record(self, msg: object) -> TopicRecord | None:
        error = msg.error()  # type: ignore[attr-defined]
        if error is not None:
            if error.code() != KafkaError._PARTITION_EOF:
                self.error = f"Kafka: {error}"
            return None
        topic, raw = msg.topic(), msg.value()  # type: ignore[attr-defined]
        try:
            value = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            value = None  # coordinates only: the record's text never reaches the log
        return TopicRecord(self._kinds[topic], topic, msg.partition(), msg.offset(),  # type: ignore[attr-defined]
                           value if isinstance(value, dict) else None)
