"""Redis killed with kill -9 and restarted from its append-only file, and the broker stopped
for 20 s, each while the flow is mid-stream: the flow waits for them and goes on."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.chaos.harness import Outcome, Record, Scenario, Stack, kill, wait

pytestmark = [pytest.mark.chaos]
EPOCH = ["--epoch-seconds", "2"]


def _finish(scenario: Scenario, proc_log_run: int, expected_ids: frozenset[str],
            report: list[Outcome]) -> Outcome:
    log = scenario.log(proc_log_run)
    assert "Traceback" not in log and "panicked" not in log, log[-3000:]
    outcome = scenario.outcome(expected_ids)
    report.append(outcome)
    return outcome


def test_redis_killed_and_restarted_mid_stream(
        chaos_stack: Stack, chaos_records: list[Record], expected_ids: frozenset[str],
        report: list[Outcome], tmp_path: Path) -> None:
    scenario = Scenario("kill -9 Redis (AOF), restart", chaos_stack, tmp_path / "scenario", chaos_records,
                        extra_env={"CUEWIRE_REDIS_RETRY_SECONDS": "120"})
    scenario.prime()
    proc = scenario.start_flow("--exit-at-end", *EPOCH)
    try:
        scenario.wait_read(len(scenario.records) // 5, proc)
        assert proc.poll() is None, "the run ended before Redis was killed"
        chaos_stack.redis.kill()
        time.sleep(3)
        chaos_stack.redis.start()
        wait(proc, 240, scenario)
    finally:
        kill(proc)
        if chaos_stack.redis.process is None or chaos_stack.redis.process.poll() is not None:
            chaos_stack.redis.start()
    assert proc.returncode == 0, scenario.log()[-3000:]
    outcome = _finish(scenario, scenario.runs, expected_ids, report)
    assert not outcome.lost and outcome.duplicates == 0 and outcome.other_duplicates == 0


def test_broker_stopped_for_20_s_mid_stream(
        chaos_stack: Stack, chaos_records: list[Record], expected_ids: frozenset[str],
        report: list[Outcome], tmp_path: Path) -> None:
    scenario = Scenario("broker stopped 20 s", chaos_stack, tmp_path / "scenario", chaos_records)
    scenario.prime()
    proc = scenario.start_flow("--exit-at-end", *EPOCH)
    try:
        scenario.wait_read(len(scenario.records) // 5, proc)
        assert proc.poll() is None, "the run ended before the broker stopped"
        chaos_stack.broker.stop()
        time.sleep(20)
        chaos_stack.broker.start()
        wait(proc, 300, scenario)
    finally:
        kill(proc)
        if chaos_stack.broker.process is None or chaos_stack.broker.process.poll() is not None:
            chaos_stack.broker.start()
    assert proc.returncode == 0, scenario.log()[-3000:]
    outcome = _finish(scenario, scenario.runs, expected_ids, report)
    assert not outcome.lost and outcome.duplicates == 0 and outcome.other_duplicates == 0
