"""The development tools (cuewire-dev, dev/) find the checkout's data where they expect it."""

from __future__ import annotations

import ast
from pathlib import Path

from cuewire_dev import build_word_vectors, eval_sentiment, evaluate
from cuewire_dev.checkout import ROOT


def test_the_tools_read_and_write_inside_this_checkout() -> None:
    assert Path(__file__).resolve().parents[2] == ROOT
    assert (ROOT / "dev" / "pyproject.toml").is_file()
    assert evaluate.TEST.is_file() and eval_sentiment.SUPPORT_SET.is_file()
    assert evaluate.RESULTS.is_dir() and eval_sentiment.RESULTS == evaluate.RESULTS
    assert build_word_vectors.TABLE.is_file()


def test_every_tooling_module_holds_one_idea_under_300_lines_and_opens_with_its_docstring() -> None:
    modules = sorted((ROOT / "dev" / "cuewire_dev").rglob("*.py"))
    assert len(modules) > 20
    for module in modules:
        text = module.read_text()
        name = module.relative_to(ROOT)
        assert len(text.splitlines()) <= 300, f"{name} is over 300 lines: split it by idea"
        assert ast.get_docstring(ast.parse(text)), f"{name} does not open with a docstring"
