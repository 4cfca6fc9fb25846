"""Publishing each record once against real Kafka and Redis: the sink's headers and claims,
and the repair a start makes of what a stopped run left claimed and unconfirmed."""

from __future__ import annotations

from collections import Counter

import orjson
import pytest
import redis
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from config.settings import Settings
from flows.delivery import ID_HEADER, headers, outbox_payload, repair_outbox
from flows.kafka_io import KafkaOutSink, ensure_topics
from flows.stages.items import Outgoing
from state.keys import Keyspace, TTLs
from state.ledger import AlertLedger
from state.redis_client import connect

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(kafka_bootstrap: str, unique: str) -> Settings:
    s = Settings(kafka_bootstrap=kafka_bootstrap, kafka_partitions=1,
                 **{f"topic_{k}": f"dl.{unique}.{k}" for k in  # type: ignore[arg-type]
                    ("events", "tickets", "accounts", "feedback", "alerts", "digest", "dlq")})
    ensure_topics(s)
    return s


def everything(settings: Settings, topic: str) -> list[tuple[dict[str, bytes], dict]]:  # type: ignore[type-arg]
    consumer = Consumer({"bootstrap.servers": settings.kafka_bootstrap, "group.id": "t",
                         "enable.partition.eof": True})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    found = []
    try:
        while True:
            msg = consumer.poll(10)
            assert msg is not None, "the topic did not reach its end"
            if msg.error():
                break
            found.append((dict(msg.headers() or []), orjson.loads(msg.value() or b"")))
    finally:
        consumer.close()
    return found  # type: ignore[return-value]


def alert(i: int) -> Outgoing:
    return Outgoing("alerts", b"acct_42", orjson.dumps({"id": f"alert-{i}", "specversion": "1.0"}),
                    alert_id=f"alert-{i}")


def test_the_sink_publishes_cloudevents_in_structured_mode_with_their_id(settings: Settings) -> None:
    sink = KafkaOutSink(settings, lambda _batch: None, lambda _batch: None)
    part = sink.build_part("publish", "out-0", None)
    dead = Outgoing("dlq", None, orjson.dumps({"topic": "t", "partition": 0, "offset": 7, "step": "decode"}))
    part.write_batch([alert(1), dead])
    part.snapshot()
    [(head, body)] = everything(settings, settings.topic_alerts)
    assert head["content-type"] == b"application/cloudevents+json"
    assert head[ID_HEADER] == b"alert-1" and body["id"] == "alert-1"
    [(dlq_head, _)] = everything(settings, settings.topic_dlq)
    assert dlq_head["content-type"] == b"application/json"


def test_a_start_settles_what_a_killed_run_claimed(settings: Settings, redis_url: str, unique: str) -> None:
    """alert-1 reached Kafka before the kill, alert-2 did not: after the repair each is on
    the topic once and both are confirmed, so re-deriving them publishes nothing."""
    client: redis.Redis = connect(redis_url)
    ks = Keyspace(f"dl{unique}:")
    dead = AlertLedger(client, ks, TTLs(), run_id="killed")
    records = [alert(1), alert(2)]
    assert dead.claim([(o.alert_id or "", outbox_payload(o.kind, o.key, o.value, 1_000)) for o in records]) \
        == [True, True]
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap})
    producer.produce(settings.topic_alerts, records[0].value, records[0].key,
                     headers=headers("alerts", "alert-1"))
    assert producer.flush(30) == 0  # ... and the run is killed before it confirms
    lines: list[str] = []
    restarted = AlertLedger(client, ks, TTLs(), run_id="restarted")
    topics = {"alerts": settings.topic_alerts, "digest": settings.topic_digest, "dlq": settings.topic_dlq}
    repair = repair_outbox(restarted, topics, settings.kafka_common(), settings.kafka_producer(),
                           write=lines.append)
    assert repair is not None and (repair.found, repair.produced) == (1, 1)
    assert "1 were on the topics already, 1 produced now" in lines[0]
    ids = Counter(body["id"] for _h, body in everything(settings, settings.topic_alerts))
    assert ids == {"alert-1": 1, "alert-2": 1}
    assert restarted.outbox() == [] and restarted.sent(["alert-1", "alert-2"]) == {"alert-1", "alert-2"}
    assert restarted.claim([("alert-2", b"again")]) == [False]
    # A second start has nothing to settle.
    assert repair_outbox(restarted, topics, settings.kafka_common(), settings.kafka_producer()) is None


def test_after_a_redis_restart_a_start_reads_back_what_was_published(
        settings: Settings, redis_url: str, unique: str) -> None:
    """A Redis whose host crashed loses its last second of writes: a claim whose record did
    reach Kafka. The start after it reads the topics back, so re-deriving that record
    publishes nothing; later starts with the same Redis do not read again."""
    client: redis.Redis = connect(redis_url)
    ledger = AlertLedger(client, Keyspace(f"dr{unique}:"), TTLs(), run_id="after")
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap})
    producer.produce(settings.topic_alerts, alert(7).value, b"acct_42", headers=headers("alerts", "alert-7"))
    assert producer.flush(30) == 0  # ... and the claim of alert-7 is what Redis lost
    topics = {"alerts": settings.topic_alerts, "digest": settings.topic_digest, "dlq": settings.topic_dlq}
    lines: list[str] = []
    repair = repair_outbox(ledger, topics, settings.kafka_common(), settings.kafka_producer(),
                           write=lines.append)
    assert repair is not None and repair.relearned == 1, lines
    assert ledger.claim([("alert-7", b"re-derived")]) == [False]
    assert repair_outbox(ledger, topics, settings.kafka_common(), settings.kafka_producer()) is None
