"""The development tools (cuewire-dev, dev/) find the checkout's data where they expect it."""

from __future__ import annotations

from pathlib import Path

from cuewire_dev import build_word_vectors, eval_sentiment, evaluate
from cuewire_dev.checkout import ROOT


def test_the_tools_read_and_write_inside_this_checkout() -> None:
    assert Path(__file__).resolve().parents[2] == ROOT
    assert (ROOT / "dev" / "pyproject.toml").is_file()
    assert evaluate.TEST.is_file() and eval_sentiment.SUPPORT_SET.is_file()
    assert evaluate.RESULTS.is_dir() and eval_sentiment.RESULTS == evaluate.RESULTS
    assert build_word_vectors.TABLE.is_file()
