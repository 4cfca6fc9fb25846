"""Two processes, one killed with kill -9 mid-stream: the other stops with a line naming it,
and the restarted pair publishes each alert id once."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cuewire_dev.servers import free_port
from tests.chaos.harness import Outcome, Record, Scenario, Stack, kill, wait

pytestmark = [pytest.mark.chaos]


def test_one_of_two_processes_killed(
        chaos_stack: Stack, chaos_records: list[Record], expected_ids: frozenset[str],
        report: list[Outcome], tmp_path: Path) -> None:
    scenario = Scenario("one of two processes killed", chaos_stack, tmp_path / "scenario", chaos_records)
    scenario.prime()

    def pair() -> list[subprocess.Popen[bytes]]:
        addresses = f"127.0.0.1:{free_port()};127.0.0.1:{free_port()}"
        return [scenario.start_flow("--exit-at-end", "--epoch-seconds", "2", "-i", str(i), "-a", addresses)
                for i in range(2)]

    first, second = pair()
    try:
        # A bounded run publishes at the input's end, so "mid-stream" is mid-read, as in
        # the other scenarios: kill once the pair has read a fifth of the input (summed
        # over both: how the partitions fall to the two processes varies run to run).
        scenario.wait_read(len(chaos_records) // 5, first, processes=2)
        assert first.poll() is None and second.poll() is None, (
            f"the pair ended before the kill:\n{scenario.log(scenario.runs - 1)[-3000:]}")
        kill(second)
        wait(first, 60, scenario)
    finally:
        kill(first)
        kill(second)
    log = scenario.log(scenario.runs - 1)
    assert first.returncode == 1, log[-3000:]
    assert "Traceback" not in log and "panicked" not in log, log[-3000:]
    assert "process 1 (127.0.0.1:" in log.strip().splitlines()[-1], log[-3000:]
    again = pair()
    for proc in again:
        wait(proc, 240, scenario)
        assert proc.returncode == 0, scenario.log()[-3000:]
    outcome = scenario.outcome(expected_ids)
    report.append(outcome)
    assert not outcome.lost and outcome.duplicates == 0 and outcome.other_duplicates == 0
