"""SIGTERM and SIGINT mid-stream: the epoch finishes, everything is flushed and confirmed,
one line says so, and the process exits 0 within 10 s; the next run loses and repeats nothing.

Late in the stream, some partitions are read to their end before the signal: the next run
never reads them, so it must start its event clock where this one stopped (or its absence
timers wait for ever), and what this run read must be decided with what the next one reads
(or a timer fires on a window that lacks the rest)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.chaos.harness import Outcome, Record, Scenario, Stack, kill

pytestmark = [pytest.mark.chaos]


@pytest.mark.parametrize(("signum", "read_share"), [
    pytest.param(signal.SIGTERM, 0.2, marks=pytest.mark.quick),
    pytest.param(signal.SIGTERM, 0.9, marks=pytest.mark.quick),
    (signal.SIGINT, 0.2),
], ids=["SIGTERM", "SIGTERM-late", "SIGINT"])
def test_a_stop_signal_mid_stream_flushes_and_exits_cleanly(
        chaos_stack: Stack, chaos_records: list[Record], expected_ids: frozenset[str],
        report: list[Outcome], tmp_path: Path, signum: signal.Signals, read_share: float) -> None:
    name = signal.Signals(signum).name
    where = "mid-stream" if read_share < 0.5 else "late in the stream"
    scenario = Scenario(f"{name} {where}", chaos_stack, tmp_path / "scenario", chaos_records)
    scenario.prime()
    recovery = ["-r", str(tmp_path / "recovery")]
    # A run bounded by the input's end, so what it publishes depends on the input alone
    # (the signal is handled the same way in a live run).
    proc = scenario.start_flow("--exit-at-end", "--epoch-seconds", "2", *recovery)
    try:
        # A bounded run hands its records on at the input's end, so "mid-stream" is
        # mid-read: signal once the flow has read that share of the input.
        scenario.wait_read(int(len(chaos_records) * read_share), proc)
        assert proc.poll() is None, "the run ended before the signal"
        os.killpg(proc.pid, signum)
        asked = time.monotonic()
        proc.wait(timeout=60)
        took = time.monotonic() - asked
    finally:
        kill(proc)
    log = scenario.log()
    assert proc.returncode == 0, f"exited {proc.returncode}:\n{log[-3000:]}"
    assert took < 10, f"took {took:.1f} s to stop"
    assert "Traceback" not in log and "panicked" not in log, log[-3000:]
    last = log.strip().splitlines()[-1]
    assert last.startswith(f"cuewire: stopped on {name}:") and "acknowledged" in last, last
    # Everything handled was confirmed: nothing is left for the next start to settle.
    scenario.run_to_end(*recovery)
    assert "claimed and not confirmed" not in scenario.log()
    outcome = scenario.outcome(expected_ids)
    report.append(outcome)
    assert not outcome.lost and outcome.duplicates == 0 and outcome.other_duplicates == 0

