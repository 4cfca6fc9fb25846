"""kill -9 of the flow, three times mid-stream, then a run to the end: each alert id once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chaos.harness import Outcome, Record, Scenario, Stack, kill

pytestmark = [pytest.mark.chaos]
EPOCH = ["--epoch-seconds", "2"]
"""Short epochs: each run confirms some records and is killed with others in flight."""


def _kill_three_times(scenario: Scenario, args: list[str]) -> None:
    """Kill each run once it has read 20 %, 45 % and 70 % of the input, so every kill
    lands mid-stream however fast the machine is; then one run to the end. Each run
    starts over (or resumes, with -r), so records are in flight at every kill."""
    for share in (0.20, 0.45, 0.70):
        proc = scenario.start_flow("--exit-at-end", *EPOCH, *args)
        scenario.wait_read(int(len(scenario.records) * share), proc)
        assert proc.poll() is None, f"the flow ended before it was killed:\n{scenario.log()[-3000:]}"
        kill(proc)
    scenario.run_to_end(*args)


@pytest.mark.parametrize("recovery", [True, pytest.param(False, marks=pytest.mark.quick)],
                         ids=["with-r", "without-r"])
def test_kill_the_flow_three_times_mid_stream(
        chaos_stack: Stack, chaos_records: list[Record], expected_ids: frozenset[str],
        report: list[Outcome], tmp_path: Path, recovery: bool) -> None:
    scenario = Scenario(f"kill -9 flow x3 {'with' if recovery else 'without'} -r", chaos_stack,
                        tmp_path / "scenario", chaos_records)
    scenario.prime()
    _kill_three_times(scenario, ["-r", str(tmp_path / "recovery")] if recovery else [])
    outcome = scenario.outcome(expected_ids)
    report.append(outcome)
    assert not outcome.lost, f"lost: {sorted(outcome.lost)[:5]}"
    assert outcome.duplicates == 0
    assert outcome.other_duplicates == 0


def test_no_fault_matches_replay(chaos_stack: Stack, chaos_records: list[Record],
                                 expected_ids: frozenset[str], report: list[Outcome], tmp_path: Path) -> None:
    """The control: without a fault, one run to the end publishes exactly a replay's alert ids."""
    scenario = Scenario("no fault", chaos_stack, tmp_path / "scenario", chaos_records)
    scenario.prime()
    scenario.run_to_end()
    outcome = scenario.outcome(expected_ids)
    report.append(outcome)
    assert not outcome.lost and not outcome.extra and outcome.duplicates == 0
