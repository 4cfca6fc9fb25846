"""A/B variants: sticky assignment by hash, one arm per account, the schema's limits."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from config.rules import DEFAULT_RULES, Rule, RulesFile
from cuewire.cli import app
from flows.rules_source import ActiveRules
from operators.variants import CONTROL, arm_for, arms, in_arm


def rule(**more: Any) -> Rule:
    return Rule.model_validate({
        "id": "pricing-interest", "signal": "upgrade_intent", "recommended_action": "Call", "message": "Hi",
        "when": {"count": {"of": "upgrade_intent", "at_least": 2, "within": "7d"}}, **more})


EAGER = {"name": "eager", "share": "30%", "when": {"count": {"of": "upgrade_intent", "at_least": 1,
                                                             "within": "7d"}}}
LOUD = {"name": "loud", "share": 0.2, "priority": "high", "cooldown": "12h"}


def test_each_account_is_in_exactly_one_arm_sticky_and_close_to_the_shares() -> None:
    r = rule(variants=[EAGER, LOUD])
    expanded = arms(r)
    assert [(a.id, a.arm, a.arm_of) for a in expanded] == [
        ("pricing-interest", "control", "pricing-interest"),
        ("pricing-interest--eager", "eager", "pricing-interest"),
        ("pricing-interest--loud", "loud", "pricing-interest")]
    seen: Counter[str] = Counter()
    for i in range(10_000):
        account = f"acct_{i}"
        applying = [a.arm for a in expanded if in_arm(a, account, "salt")]
        assert len(applying) == 1
        assert applying[0] == arm_for(r.id, r.arm_shares, account, "salt")  # sticky: same answer
        assert [a.arm for a in arms(r) if in_arm(a, account, "salt")] == applying  # after a reload
        seen[applying[0] or ""] += 1
    assert abs(seen["eager"] / 10_000 - 0.3) < 0.02 and abs(seen["loud"] / 10_000 - 0.2) < 0.02
    assert abs(seen[CONTROL] / 10_000 - 0.5) < 0.02
    other = sum(arm_for(r.id, r.arm_shares, f"acct_{i}", "fresh") == "eager" for i in range(10_000))
    assert abs(other / 10_000 - 0.3) < 0.02


def test_arms_carry_their_overrides_and_their_own_versions() -> None:
    control, eager, loud = arms(rule(variants=[EAGER, LOUD]))
    assert control.when.count is not None and control.when.count.at_least == 2
    assert eager.when.count is not None and eager.when.count.at_least == 1
    assert (loud.priority, loud.cooldown and loud.cooldown.total_seconds()) == ("high", 43200.0)
    assert control.version == rule().version  # adding variants leaves the rule as written alone
    assert len({control.version, eager.version, loud.version}) == 3
    assert arms(rule()) == [rule()] and rule().arm is None and in_arm(rule(), "acct_1", "s")


def test_the_active_rules_hold_every_arm() -> None:
    file = RulesFile.model_validate({"version": 1, "rules": [rule(variants=[EAGER]).model_dump()]})
    active = ActiveRules.of(file)
    assert sorted(active.by_id) == ["pricing-interest", "pricing-interest--eager"]
    assert [r.id for r in active.by_signal["upgrade_intent"]] == ["pricing-interest",
                                                                  "pricing-interest--eager"]


@pytest.mark.parametrize("variants, error", [
    ([EAGER, {**LOUD, "share": "80%"}], "less than 100%"),
    ([EAGER, {**EAGER}], "distinct names"),
    ([{**EAGER, "name": "control"}], "distinct names"),
])
def test_bad_variants_are_refused(variants: list[dict[str, Any]], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        rule(variants=variants)


def test_the_ticket_gate_takes_no_variants() -> None:
    with pytest.raises(ValidationError, match="not on the ticket gate"):
        Rule.model_validate({"id": "ticket-frustration-gate", "signal": "churn_risk",
                             "recommended_action": "Call", "message": "Hi", "when": {"ticket_gate": {}},
                             "variants": [LOUD]})


def test_rules_check_shows_the_variants(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(DEFAULT_RULES.read_text().replace(
        "  - id: upgrade-intent\n",
        "  - id: upgrade-intent\n    variants: [{name: loud, share: 25%, priority: high}]\n"))
    result = CliRunner().invoke(app, ["rules", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert any(line.strip().startswith("upgrade-intent") and "variant loud 25%" in line
               for line in result.stdout.splitlines())
