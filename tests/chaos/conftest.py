"""The chaos suite's own servers and input, and the one line per scenario it prints.

``make chaos`` runs every scenario; ``make test`` runs those marked ``quick``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.chaos.harness import Outcome, Record, Stack, chaos_input, expected_alert_ids

OUTCOMES: list[Outcome] = []


@pytest.fixture(scope="session")
def chaos_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack.start(tmp_path_factory.mktemp("chaos-servers"))
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def chaos_records() -> list[Record]:
    return chaos_input()


@pytest.fixture(scope="session")
def expected_ids(chaos_records: list[Record], tmp_path_factory: pytest.TempPathFactory) -> frozenset[str]:
    return expected_alert_ids(chaos_records, tmp_path_factory.mktemp("chaos-replay"))


@pytest.fixture
def report() -> Iterator[list[Outcome]]:
    """Scenarios append their outcome here; the session prints one line for each."""
    found: list[Outcome] = []
    yield found
    OUTCOMES.extend(found)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not OUTCOMES:
        return
    terminalreporter.section("chaos: alert ids on the topic against a replay of the same input")
    for outcome in OUTCOMES:
        terminalreporter.write_line(outcome.line())
