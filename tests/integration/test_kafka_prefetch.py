"""A flow behind its input holds a bounded read-ahead per input partition, not librdkafka's 64 MiB.

Each input partition is read by a consumer of its own, and librdkafka fetches ahead of what
the flow has taken, up to ``queued.max.messages.kbytes``. With the default, a flow that lags
holds up to 64 MiB per partition, which on a 2-core pod with twelve partitions is the
difference between its memory limit and an OOM kill. Read from a real broker's statistics:
the bytes queued in the partition's fetch queue while the flow takes nothing.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from confluent_kafka import OFFSET_BEGINNING

from flows import kafka_source
from flows.kafka_source import MonitoredKafkaSource
from tests.integration.topics import filled_topic

pytestmark = pytest.mark.integration

RECORD = b"x" * 10_000
BACKLOG_MB = 24


@pytest.fixture
def backlog(kafka_bootstrap: str, unique: str) -> str:
    """A one-partition topic holding ``BACKLOG_MB`` MB nobody has read."""
    return filled_topic(kafka_bootstrap, f"cuewire.prefetch.{unique}", [RECORD] * (BACKLOG_MB * 100))


def queued_bytes_after_a_pause(kafka: str, topic: str, prefetch_kb: int,
                               monkeypatch: pytest.MonkeyPatch) -> int:
    """The partition's fetch queue, in bytes, once the consumer has had time to read ahead."""
    seen: list[dict[str, Any]] = []
    original = kafka_source._MonitoredPartition._process_stats

    def keep(self: Any, json_stats: str) -> None:
        seen.append(json.loads(json_stats)["topics"][topic]["partitions"]["0"])
        original(self, json_stats)

    monkeypatch.setattr(kafka_source._MonitoredPartition, "_process_stats", keep)
    source = MonitoredKafkaSource([kafka], [topic], group_id=None, prefetch_kb=prefetch_kb,
                                  tail=True, starting_offset=OFFSET_BEGINNING, batch_size=1)
    part = source.build_part("kafka-in", f"0-{topic}", None)
    try:
        deadline = time.monotonic() + 30
        while not part.next_batch() and time.monotonic() < deadline:
            pass  # the first record: fetching has started
        time.sleep(4)  # the flow is busy elsewhere; the consumer reads ahead
        seen.clear()
        while not seen and time.monotonic() < deadline + 10:
            time.sleep(0.2)
            part.next_batch()  # statistics are served on a poll
        assert seen, "no statistics from librdkafka"
        return int(seen[-1]["fetchq_size"])
    finally:
        part.close()


def test_a_lagging_partition_reads_ahead_no_more_than_its_prefetch(
        kafka_bootstrap: str, backlog: str, monkeypatch: pytest.MonkeyPatch) -> None:
    bounded = queued_bytes_after_a_pause(kafka_bootstrap, backlog, 1024, monkeypatch)
    unbounded = queued_bytes_after_a_pause(kafka_bootstrap, backlog, 65_536, monkeypatch)
    # librdkafka may overshoot the bound by about one fetch (1 MiB by default).
    assert bounded <= 3 * 1024 * 1024, bounded
    assert unbounded >= 12 * 1024 * 1024, unbounded
