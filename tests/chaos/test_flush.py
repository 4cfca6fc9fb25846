"""Kafka never acknowledges the final flush: the flow stops with one line and exit 1, no
traceback, and the next start publishes what was left, each alert id once.

A bounded run hands its records on at the input's end, so its alerts are produced
and flushed after the last record is read: the broker is stopped then, and the
flush, with ``CUEWIRE_KAFKA_FLUSH_TIMEOUT_SECONDS`` turned low, times out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chaos.harness import Outcome, Record, Scenario, Stack, kill, wait

pytestmark = [pytest.mark.chaos]
FLUSH_TIMEOUT_S = 3


@pytest.mark.quick
def test_a_flush_kafka_never_acknowledges_stops_the_flow_with_one_line(
        chaos_stack: Stack, chaos_records: list[Record], expected_ids: frozenset[str],
        report: list[Outcome], tmp_path: Path) -> None:
    scenario = Scenario("broker stopped at the final flush", chaos_stack, tmp_path / "s", chaos_records,
                        extra_env={"CUEWIRE_KAFKA_FLUSH_TIMEOUT_SECONDS": str(FLUSH_TIMEOUT_S)})
    scenario.prime()
    broker = chaos_stack.broker
    proc = scenario.start_flow("--exit-at-end")
    try:
        scenario.wait_read(len(chaos_records), proc)
        assert proc.poll() is None, f"the run ended before the broker stopped:\n{scenario.log()[-3000:]}"
        broker.stop()
        wait(proc, 120, scenario)
    finally:
        kill(proc)
        if broker.process is None or broker.process.poll() is not None:
            broker.start()
    log = scenario.log()
    assert proc.returncode == 1, f"exited {proc.returncode}:\n{log[-3000:]}"
    assert "Traceback" not in log and "panicked" not in log, log[-3000:]
    last = log.strip().splitlines()[-1]
    assert last.startswith("cuewire: dependency down: Kafka did not acknowledge "), last
    assert f"within {FLUSH_TIMEOUT_S}s" in last and "CUEWIRE_KAFKA_FLUSH_TIMEOUT_SECONDS" in last, last
    # The next start settles what the stopped run had claimed: nothing lost, nothing twice.
    scenario.run_to_end()
    outcome = scenario.outcome(expected_ids)
    report.append(outcome)
    assert not outcome.lost and outcome.duplicates == 0 and outcome.other_duplicates == 0
