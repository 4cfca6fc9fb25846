"""Publishing each output record once: its id, its headers, and the repair at start-up.

Every record on the alert, digest and dead-letter topics carries its id in the
``cuewire-id`` header (alerts and digest records: the CloudEvent ``id``; dead
letters: the input coordinates and the step). The sinks claim ids in the ledger
(``state/ledger.py``) with the record itself; a run that stops between claim
and confirm leaves those records in the ledger's outbox. :func:`repair_outbox`
runs before the flow handles anything: it reads the output topics from the
oldest unconfirmed claim on, marks what it finds sent and produces the rest.
"""

from __future__ import annotations

import base64
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from contracts.errors import DependencyDown
from state.ledger import AlertLedger, OutboxEntry

ID_HEADER = "cuewire-id"
CLOUDEVENTS_JSON = b"application/cloudevents+json"
"""CloudEvents' Kafka protocol binding, structured mode: the whole event is the value."""
CLOCK_SKEW_MS = 60_000
"""How far before the oldest claim the repair starts reading: log times are the broker's."""
FLUSH_TIMEOUT_S = 60.0


def record_id(kind: str, value: bytes, given: str | None = None) -> str | None:
    """The id a published record is known by (``None``: a record without coordinates)."""
    if given:
        return given
    body = orjson.loads(value)
    if kind == "dlq":
        if body.get("offset") is None or body.get("offset", -1) < 0:
            return None
        return f"dlq:{body.get('topic')}:{body.get('partition')}:{body.get('offset')}:{body.get('step')}"
    found = body.get("id")
    return str(found) if found else None


Headers = list[tuple[str, str | bytes | None]]


def headers(kind: str, rid: str) -> Headers:
    if kind == "dlq":
        return [("content-type", b"application/json"), (ID_HEADER, rid.encode())]
    return [("content-type", CLOUDEVENTS_JSON), (ID_HEADER, rid.encode())]


def outbox_payload(kind: str, key: bytes | None, value: bytes, claimed_ms: int) -> bytes:
    return orjson.dumps({"kind": kind, "key": base64.b64encode(key).decode() if key is not None else None,
                         "value": orjson.Fragment(value), "claimed_ms": claimed_ms})


@dataclass(frozen=True, slots=True)
class Unconfirmed:
    kind: str
    key: bytes | None
    value: bytes
    claimed_ms: int


def _unconfirmed(payload: bytes) -> Unconfirmed:
    data = orjson.loads(payload)
    key = base64.b64decode(data["key"]) if data.get("key") is not None else None
    return Unconfirmed(data["kind"], key, orjson.dumps(data["value"]), int(data["claimed_ms"]))


@dataclass(frozen=True, slots=True)
class Repair:
    unconfirmed: int
    found: int
    produced: int
    relearned: int = 0
    """Ids read back from the topics because Redis restarted since the last start."""

    def line(self) -> str:
        line = (f"cuewire: {self.unconfirmed:,} records were claimed and not confirmed when the last run "
                f"stopped: {self.found:,} were on the topics already, {self.produced:,} produced now")
        if self.relearned:
            line += f"; {self.relearned:,} ids read back from the topics after a Redis restart"
        return line


def repair_outbox(ledger: AlertLedger, topics: dict[str, str], consumer_conf: dict[str, Any],
                  producer_conf: dict[str, Any], write: Callable[[str], object] = lambda line: print(
                      line, file=sys.stderr), flush_timeout: float = FLUSH_TIMEOUT_S) -> Repair | None:
    """Settle what the last run claimed and never confirmed: nothing twice, nothing lost.

    A Redis that restarted since the last start may have lost its last second of
    writes (``appendfsync everysec`` on a host that crashed): claims whose records
    did reach Kafka. Then the topics are read from a minute before Redis came back
    (at most the ledger's lifetime), and every id found there is marked sent."""
    entries = ledger.outbox()
    restarted_at = ledger.redis_restarted_at()
    if not entries and restarted_at is None:
        return None
    records = {e.field: _unconfirmed(e.payload) for e in entries}
    starts = [r.claimed_ms for r in records.values()]
    if restarted_at is not None:
        starts.append(restarted_at)
    since = min(starts) - CLOCK_SKEW_MS
    kinds = set(topics) if restarted_at is not None else {r.kind for r in records.values()}
    on_topics = ids_on_topics(consumer_conf, {topics[k]: k for k in kinds}, since)
    relearned = 0
    if restarted_at is not None:
        relearned = ledger.mark_sent(sorted(on_topics))
        ledger.remember_redis()
    already = ledger.sent(sorted({e.record_id for e in entries}))
    missing: dict[str, tuple[OutboxEntry, Unconfirmed]] = {}
    for e in entries:
        if e.record_id not in on_topics and e.record_id not in already:
            missing.setdefault(e.record_id, (e, records[e.field]))
    if missing:
        _produce(producer_conf, topics, ((rid, rec) for rid, (_e, rec) in missing.items()), flush_timeout)
    ledger.settle(entries)
    repair = Repair(len({e.record_id for e in entries}), len({e.record_id for e in entries} & on_topics),
                    len(missing), relearned)
    write(repair.line())
    return repair


def ids_on_topics(consumer_conf: dict[str, Any], topics: dict[str, str], since_ms: int,
                  timeout_s: float = 120.0) -> set[str]:
    """The ids of every record on ``topics`` (topic → output kind) with a log time from
    ``since_ms`` to the current end."""
    from confluent_kafka import Consumer, KafkaError, TopicPartition

    consumer = Consumer({**consumer_conf, "group.id": "cuewire-delivery-repair",
                         "enable.auto.commit": False, "enable.partition.eof": True})
    found: set[str] = set()
    try:
        wanted = []
        for topic in topics:
            meta = consumer.list_topics(topic, timeout=10).topics[topic]
            wanted += [TopicPartition(topic, p, max(since_ms, 0)) for p in meta.partitions]
        starts = consumer.offsets_for_times(wanted, timeout=30)
        assign, ends = [], {}
        for tp in starts:
            low, high = consumer.get_watermark_offsets(TopicPartition(tp.topic, tp.partition), timeout=10)
            start = tp.offset if tp.offset >= 0 else high  # -1: nothing at or after since_ms
            if start < high:
                assign.append(TopicPartition(tp.topic, tp.partition, max(start, low)))
                ends[(tp.topic, tp.partition)] = high
        if not assign:
            return found
        consumer.assign(assign)
        done: set[tuple[str, int]] = set()
        deadline = time.monotonic() + timeout_s
        while len(done) < len(ends):
            if time.monotonic() > deadline:
                raise DependencyDown(f"could not read the output topics back within {timeout_s:.0f}s")
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            part = (msg.topic() or "", msg.partition() or 0)
            error = msg.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    done.add(part)
                continue
            if (msg.offset() or 0) >= ends[part] - 1:
                done.add(part)
            rid = dict(msg.headers() or []).get(ID_HEADER)
            if rid is not None:
                found.add(rid.decode() if isinstance(rid, bytes) else rid)
            elif msg.value():
                try:
                    got = record_id(topics[part[0]], msg.value() or b"")
                except orjson.JSONDecodeError:
                    got = None
                if got:
                    found.add(got)
        return found
    finally:
        consumer.close()


def _produce(conf: dict[str, Any], topics: dict[str, str],
             records: Iterable[tuple[str, Unconfirmed]], flush_timeout: float = FLUSH_TIMEOUT_S) -> None:
    from confluent_kafka import Producer

    producer = Producer(conf)
    failures: list[str] = []

    def delivered(err: object, _msg: object) -> None:
        if err is not None:
            failures.append(str(err))

    for rid, rec in records:
        producer.produce(topics[rec.kind], rec.value, rec.key, headers=headers(rec.kind, rid),
                         on_delivery=delivered)
    remaining = producer.flush(flush_timeout)
    if remaining or failures:
        raise DependencyDown(f"Kafka did not acknowledge {remaining or len(failures)} records left by "
                             f"the last run ({failures[:1]}); they stay in the outbox for the next start")
