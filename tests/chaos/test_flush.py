"""Kafka never acknowledges a flush: the flow stops with one line and exit 1, no traceback,
and the next start publishes what was left, each alert id once.

The broker stays up and serves the input, but the alert topic is gone (deleted after
the topics were made, and the broker creates none by itself): nothing produced to it
can be acknowledged, whenever the flush comes, as when a topic is deleted under a
running flow. With ``CUEWIRE_KAFKA_FLUSH_TIMEOUT_SECONDS`` turned low the flush gives
up. The next start, with the topic back, settles what the stopped run had claimed.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient

from flows.kafka_io import ensure_topics
from tests.chaos.harness import Outcome, Record, Scenario, Stack, kill, wait

pytestmark = [pytest.mark.chaos]
FLUSH_TIMEOUT_S = 3


def _delete_topic(scenario: Scenario, topic: str) -> None:
    admin = AdminClient({"bootstrap.servers": scenario.stack.broker.bootstrap})
    for future in admin.delete_topics([topic]).values():
        future.result(timeout=30)
    deadline = time.monotonic() + 60
    while topic in admin.list_topics(timeout=10).topics:
        assert time.monotonic() < deadline, f"{topic} was not deleted"
        time.sleep(0.2)


@pytest.mark.quick
def test_a_flush_kafka_never_acknowledges_stops_the_flow_with_one_line(
        chaos_stack: Stack, chaos_records: list[Record], expected_ids: frozenset[str],
        report: list[Outcome], tmp_path: Path) -> None:
    scenario = Scenario("Kafka never acknowledges a flush", chaos_stack, tmp_path / "s", chaos_records,
                        extra_env={"CUEWIRE_KAFKA_FLUSH_TIMEOUT_SECONDS": str(FLUSH_TIMEOUT_S)})
    scenario.prime()
    _delete_topic(scenario, scenario.topic("alerts"))
    scenario.extra_env["CUEWIRE_KAFKA_CREATE_TOPICS"] = "false"
    proc = scenario.start_flow("--exit-at-end")
    try:
        wait(proc, 300, scenario)
    finally:
        kill(proc)
    log = scenario.log()
    assert proc.returncode == 1, f"exited {proc.returncode}:\n{log[-3000:]}"
    assert "Traceback" not in log and "panicked" not in log, log[-3000:]
    last = log.strip().splitlines()[-1]
    assert last.startswith("cuewire: dependency down: Kafka did not acknowledge "), last
    assert f"within {FLUSH_TIMEOUT_S}s" in last and "CUEWIRE_KAFKA_FLUSH_TIMEOUT_SECONDS" in last, last
    # The next start, with the topic back, settles what the stopped run had claimed.
    del scenario.extra_env["CUEWIRE_KAFKA_CREATE_TOPICS"]
    ensure_topics(scenario.settings())
    scenario.run_to_end()
    assert "were on the topics already" in scenario.log(), scenario.log()[-3000:]
    outcome = scenario.outcome(expected_ids)
    report.append(outcome)
    assert not outcome.lost and outcome.duplicates == 0 and outcome.other_duplicates == 0
