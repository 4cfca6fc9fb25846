"""The poison corpus (``tests/chaos/poison_corpus.jsonl``) interleaved with good traffic: the
flow goes on, and every alert a replay of the same records publishes comes out once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chaos.harness import Outcome, Record, Scenario, Stack, expected_alert_ids_of_bytes, interleave
from tests.chaos.poison import load_poison_cases

pytestmark = [pytest.mark.chaos]


def test_poison_corpus_interleaved_with_good_traffic(
        chaos_stack: Stack, chaos_records: list[Record], report: list[Outcome], tmp_path: Path) -> None:
    cases = load_poison_cases()
    poison = [c.record for c in cases if c.expect is not None]
    assert len(poison) >= 40
    # The valid records with hostile text are dated after the sample: they come at the end,
    # where their own time puts them (mid-stream they would move event time ahead).
    plain = [c.record for c in cases if c.expect is None]
    records = interleave(chaos_records, poison) + plain
    expected = expected_alert_ids_of_bytes(records, tmp_path)
    scenario = Scenario("poison corpus among good traffic", chaos_stack, tmp_path / "scenario", records)
    scenario.prime()
    scenario.run_to_end("--epoch-seconds", "2")
    log = scenario.log()
    assert "Traceback" not in log and "panicked" not in log, log[-3000:]
    outcome = scenario.outcome(expected)
    report.append(outcome)
    assert not outcome.lost and outcome.duplicates == 0 and outcome.other_duplicates == 0
    dead_letters = scenario.published("dlq")
    assert len(dead_letters) >= 40, f"{len(dead_letters)} dead letters for {len(poison)} hostile records"
