"""`cuewire backtest` on a long history says how far each run has got."""

from __future__ import annotations

from cuewire.backtest_cmd import RunProgress


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
