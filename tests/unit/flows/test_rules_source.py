"""A changed rules file is picked up without a restart; a broken one is refused, not applied."""

import os
from pathlib import Path

import pytest

from config.rules import DEFAULT_RULES
from contracts.errors import ConfigurationError
from flows.rules_source import RulesSource


def test_a_changed_file_is_picked_up_and_a_broken_one_ignored(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    text = DEFAULT_RULES.read_text()
    path.write_text(text)
    source = RulesSource(path, check_every_s=0)
    assert "upgrade-intent" in source.current().by_id

    path.write_text(text.replace("  - id: upgrade-intent\n", "  - id: upgrade-intent\n    enabled: false\n"))
    os.utime(path, (1, 1))  # a new modification time even within the same second
    assert "upgrade-intent" not in source.current().by_id
    assert source.reloads == 1

    path.write_text("version: 1\nrules: [{id: broken}]\n")
    os.utime(path, (2, 2))
    assert "upgrade-intent" not in source.current().by_id  # the last good rules stay in force
    assert "repeat-unresolved" in source.current().by_id


def test_a_broken_file_at_start_up_refuses_to_start(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("version: 2\nrules: []\n")
    with pytest.raises(ConfigurationError, match="version"):
        RulesSource(path)


def test_disabling_rule_1_turns_the_ticket_gate_off(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(DEFAULT_RULES.read_text().replace(
        "  - id: ticket-frustration-gate\n", "  - id: ticket-frustration-gate\n    enabled: false\n"))
    assert RulesSource(path).current().gate is None
    assert RulesSource(None).current().gate is not None


def test_the_gate_in_force_is_the_files_own(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(DEFAULT_RULES.read_text().replace("score_alone: 80", "score_alone: 90"))
    gate = RulesSource(path).current().gate
    assert gate is not None and gate.score_alone == 90 and gate.score_with_mrr == 65
