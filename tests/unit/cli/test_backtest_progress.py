"""`cuewire backtest` on a long history says how far each run has got."""

from __future__ import annotations

import time

from cuewire.backtest_progress import RunProgress


def test_backtest_progress_says_how_far_it_has_got() -> None:
    said: list[str] = []
    now = [0.0]
    progress = RunProgress("A", 1000, said.append, every=15, clock=lambda: now[0])
    now[0] = 10
    progress(200)
    assert said == []  # not before a line is due
    now[0] = 20
    progress(200)
    assert said == ["backtest: A: 400 of 1,000 (40%) records read, 0 alerts and digest records out, 20 s"]
    now[0] = 25
    progress.wrote(7)
    assert len(said) == 1
    now[0] = 200
    progress(600)
    progress.wrote(5)
    assert said[1:] == ["backtest: A: 1,000 of 1,000 (100%) records read, 7 alerts and digest records out, "
                        "3.3 min"]


def test_while_nothing_is_read_the_ticker_keeps_the_lines_coming() -> None:
    said: list[str] = []
    now = [0.0]
    with RunProgress("B", 10, said.append, every=15, clock=lambda: now[0]) as progress:
        progress(10)
        now[0] = 16
        deadline = time.monotonic() + 30
        while not said and time.monotonic() < deadline:
            time.sleep(0.05)
    assert said == ["backtest: B: 10 of 10 (100%) records read, 0 alerts and digest records out, 16 s"]
