"""A live input partition that hands on a short batch rests before it polls again.

Records that trickle in at a few thousand a second would otherwise reach the flow one or
two at a time, each batch paying every step's per-batch cost (a Redis round trip, the
order and join bookkeeping). ``CUEWIRE_KAFKA_GATHER_MS`` lets them gather; a full batch
means a backlog, and the partition polls again at once. Read from a real broker.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from confluent_kafka import OFFSET_BEGINNING

from flows.kafka_source import MonitoredKafkaSource
from tests.integration.topics import filled_topic

pytestmark = pytest.mark.integration

RECORDS = 10


@pytest.fixture
def topic(kafka_bootstrap: str, unique: str) -> str:
    """A one-partition topic holding :data:`RECORDS` records."""
    return filled_topic(kafka_bootstrap, f"cuewire.gather.{unique}", [b"{}"] * RECORDS)


def first_batch(kafka: str, topic: str, *, batch_size: int, gather: timedelta) -> tuple[int, datetime | None]:
    """How many records the partition's first non-empty batch holds, and when it next polls."""
    source = MonitoredKafkaSource([kafka], [topic], group_id=None, prefetch_kb=1024, gather=gather,
                                  tail=True, starting_offset=OFFSET_BEGINNING, batch_size=batch_size)
    part = source.build_part("kafka-in", f"0-{topic}", None)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            batch = part.next_batch()
            if batch:
                return len(batch), part.next_awake()
        raise AssertionError("the broker handed over no record in 30 s")
    finally:
        part.close()


def test_a_short_batch_rests_the_partition_for_the_gather_time(kafka_bootstrap: str, topic: str) -> None:
    before = datetime.now(UTC)
    size, awake = first_batch(kafka_bootstrap, topic, batch_size=1000,
                              gather=timedelta(milliseconds=400))
    assert 0 < size < 1000
    assert awake is not None
    assert before + timedelta(milliseconds=400) <= awake <= datetime.now(UTC) + timedelta(milliseconds=400)


def test_a_full_batch_polls_again_at_once(kafka_bootstrap: str, topic: str) -> None:
    size, awake = first_batch(kafka_bootstrap, topic, batch_size=2, gather=timedelta(milliseconds=400))
    assert size == 2
    assert awake is None


def test_without_a_gather_time_the_partition_never_rests(kafka_bootstrap: str, topic: str) -> None:
    size, awake = first_batch(kafka_bootstrap, topic, batch_size=1000, gather=timedelta(0))
    assert size > 0
    assert awake is None
