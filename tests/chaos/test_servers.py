"""Redis killed with kill -9 and restarted from its append-only file, and the broker stopped
for 20 s, each while the flow is mid-stream: the flow waits for them and goes on."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cuewire_dev.servers import KafkaBroker, RedisServer
from tests.chaos.harness import Outcome, Record, Scenario, Stack, kill, wait

pytestmark = [pytest.mark.chaos]
EPOCH = ["--epoch-seconds", "2"]


def _through_outage(scenario: Scenario, server: KafkaBroker | RedisServer, take_down: Callable[[], None],
                    down_s: float, finish_s: float, expected_ids: frozenset[str]) -> Outcome:
    """Start a bounded run, take ``server`` down once a fifth of the input is read, bring
    it back after ``down_s``, and let the run finish; the server is left up whatever happens."""
    scenario.prime()
    proc = scenario.start_flow("--exit-at-end", *EPOCH)
    try:
        scenario.wait_read(len(scenario.records) // 5, proc)
        assert proc.poll() is None, f"the run ended before {type(server).__name__} went down"
        take_down()
        time.sleep(down_s)
        server.start()
        wait(proc, finish_s, scenario)
    finally:
        kill(proc)
        if server.process is None or server.process.poll() is not None:
            server.start()
    assert proc.returncode == 0, scenario.log()[-3000:]
    log = scenario.log(scenario.runs)
    assert "Traceback" not in log and "panicked" not in log, log[-3000:]
    return scenario.outcome(expected_ids)


def test_redis_killed_and_restarted_mid_stream(
        chaos_stack: Stack, chaos_records: list[Record], expected_ids: frozenset[str],
        report: list[Outcome], tmp_path: Path) -> None:
    scenario = Scenario("kill -9 Redis (AOF), restart", chaos_stack, tmp_path / "scenario", chaos_records,
                        extra_env={"CUEWIRE_REDIS_RETRY_SECONDS": "120"})
    outcome = _through_outage(scenario, chaos_stack.redis, chaos_stack.redis.kill, 3, 240, expected_ids)
    report.append(outcome)
    assert not outcome.lost and outcome.duplicates == 0 and outcome.other_duplicates == 0


def test_broker_stopped_for_20_s_mid_stream(
        chaos_stack: Stack, chaos_records: list[Record], expected_ids: frozenset[str],
        report: list[Outcome], tmp_path: Path) -> None:
    scenario = Scenario("broker stopped 20 s", chaos_stack, tmp_path / "scenario", chaos_records)
    outcome = _through_outage(scenario, chaos_stack.broker, chaos_stack.broker.stop, 20, 300, expected_ids)
    report.append(outcome)
    assert not outcome.lost and outcome.duplicates == 0 and outcome.other_duplicates == 0
