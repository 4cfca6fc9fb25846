"""Every runtime module holds one idea: under 300 lines, opening with the docstring that names it.

The style guide's rule, held where a reviewer would otherwise have to count; the tooling in
dev/ has the same test of its own (test_dev_tools.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
RUNTIME = ("flows", "operators", "state", "config", "contracts", "cuewire", "console")
MOST_LINES = 300


def _modules() -> list[Path]:
    return sorted(p for package in RUNTIME for p in (ROOT / package).rglob("*.py"))


def test_the_runtime_packages_are_all_looked_at() -> None:
    found = {p.relative_to(ROOT).parts[0] for p in _modules()}
    assert found == set(RUNTIME)


@pytest.mark.parametrize("module", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_runtime_module_is_under_300_lines_and_opens_with_its_docstring(module: Path) -> None:
    text = module.read_text()
    lines = len(text.splitlines())
    assert lines <= MOST_LINES, f"{module.relative_to(ROOT)} has {lines} lines: split it by idea"
    if module.name != "__init__.py" or text.strip():
        assert ast.get_docstring(ast.parse(text)), f"{module.relative_to(ROOT)} has no docstring"
