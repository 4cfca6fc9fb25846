"""A topic made and filled on the session's broker, for tests that read one directly."""

from __future__ import annotations

from collections.abc import Iterable

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]


def filled_topic(kafka: str, name: str, values: Iterable[bytes], *, partitions: int = 1,
                 partition: int | None = None) -> str:
    """``name`` with ``partitions`` partitions, holding ``values`` (keys ``k0``, ``k1``, …), all
    in ``partition`` when given; returns ``name`` once the broker has acknowledged them."""
    admin = AdminClient({"bootstrap.servers": kafka})
    for future in admin.create_topics([NewTopic(name, num_partitions=partitions,
                                                replication_factor=1)]).values():
        future.result(30)
    producer = Producer({"bootstrap.servers": kafka, "linger.ms": 20})
    # librdkafka's "unassigned": the partitioner chooses from the key.
    where = -1 if partition is None else partition
    for i, value in enumerate(values):
        producer.produce(name, value, key=f"k{i}".encode(), partition=where)
        if i % 500 == 0:
            producer.poll(0)
    assert producer.flush(60) == 0
    return name
