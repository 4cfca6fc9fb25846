"""A live flow asks the broker where quiet partitions end, and waits only for those behind.

``order-by-log`` against a real broker: a record waits for the other partitions to be
read past it; an empty partition is confirmed as read to its end and stops holding it;
a partition with records not read yet keeps holding it, up to the join wait.
"""

from __future__ import annotations

import time

import pytest
from confluent_kafka import Producer

from flows.input_order import LogOrder
from flows.partition_ends import PartitionEnds
from flows.stages.items import Decoded, Incoming, TimelineBatch
from operators.ordering import OrderPolicy, PartitionMark
from operators.records import Coordinates
from tests.integration.topics import filled_topic

pytestmark = pytest.mark.integration


def topic_with(kafka: str, name: str, records_in_partition_1: int) -> None:
    filled_topic(kafka, name, [b"{}"] * records_in_partition_1, partitions=2, partition=1)


def record(topic: str, partition: int, offset: int, ms: int) -> Decoded:
    return Decoded(None, Incoming("events", None, b"{}", Coordinates(topic, partition, offset, None, ms)))


def released_within(order: LogOrder, seconds: float) -> list[Decoded]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        out = list(order.on_notify()[0])
        if out:
            return out
        time.sleep(0.02)
    return []


@pytest.mark.parametrize("behind", [False, True])
def test_a_record_waits_only_for_a_partition_with_unread_records(kafka_bootstrap: str, unique: str,
                                                                  behind: bool) -> None:
    name = f"cuewire.ends.{unique}"
    topic_with(kafka_bootstrap, name, records_in_partition_1=3 if behind else 0)
    policy = OrderPolicy(frozenset({(name, 0), (name, 1)}), max_wait_s=8.0)
    order = LogOrder(policy, None, ends=PartitionEnds({"bootstrap.servers": kafka_bootstrap}))
    now_ms = int(time.time() * 1000)
    first = record(name, 0, 0, now_ms - 1_000)
    mark = PartitionMark(0, ((name, 0, now_ms - 1_000, 0),))
    assert list(order.on_batch([TimelineBatch((first, mark))])[0]) == []
    out = released_within(order, 4.0)
    if behind:
        assert out == [], "partition 1 holds three records nobody has read"
        assert released_within(order, 10.0) == [first], "until the join wait is over"
    else:
        assert out == [first], "partition 1 is empty: the broker says so"


def test_tickets_wait_for_the_accounts_topic_too(kafka_bootstrap: str, unique: str) -> None:
    """The CRM snapshots are a table the tickets join: their partitions set the order, in a
    live run and (where they hold records) in a bounded one; feedback does not."""
    from config.settings import Settings
    from flows.kafka_io import ensure_topics, order_policy

    settings = Settings(kafka_bootstrap=kafka_bootstrap, kafka_partitions=2,  # type: ignore[call-arg]
                        **{f"topic_{k}": f"cuewire.{k}.{unique}" for k in
                           ("events", "tickets", "accounts", "feedback", "alerts", "digest", "dlq")})
    ensure_topics(settings)
    live = order_policy(settings, bounded=False)
    ordered = ("events", "tickets", "accounts")
    assert live.expected == {(settings.topic(k), p) for k in ordered for p in (0, 1)}  # type: ignore[arg-type]
    assert live.idle_s is None and live.max_wait_s == settings.join_wait_ms / 1000
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    producer.produce(settings.topic_accounts, b'{"account_id": "a"}', partition=1, key=b"a")
    producer.produce(settings.topic_feedback, b"{}", partition=0)
    assert producer.flush(30) == 0
    bounded = order_policy(settings, bounded=True)
    assert bounded.expected == {(settings.topic_accounts, 1)}
    assert bounded.ends == {(settings.topic_accounts, 1): 1}


def test_a_bounded_run_learns_each_partitions_first_and_end_offset(kafka_bootstrap: str,
                                                                   unique: str) -> None:
    name = f"cuewire.ends-now.{unique}"
    topic_with(kafka_bootstrap, name, records_in_partition_1=3)
    ends = PartitionEnds({"bootstrap.servers": kafka_bootstrap})
    assert ends.now([name]) == {(name, 0): (0, 0), (name, 1): (0, 3)}


def test_records_of_an_open_transaction_are_not_yet_part_of_the_input(kafka_bootstrap: str,
                                                                      unique: str) -> None:
    """The flow's consumer reads committed records only, so a bounded run must not wait
    for records a producer has not committed (it would never see them)."""
    name = f"cuewire.ends-txn.{unique}"
    topic_with(kafka_bootstrap, name, records_in_partition_1=2)
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "transactional.id": f"t-{unique}"})
    producer.init_transactions(30)
    producer.begin_transaction()
    for i in range(4):
        producer.produce(name, b"{}", partition=1, key=f"open{i}".encode())
    producer.flush(30)
    try:
        assert PartitionEnds({"bootstrap.servers": kafka_bootstrap}).now([name])[(name, 1)] == (0, 2)
    finally:
        producer.abort_transaction(30)
