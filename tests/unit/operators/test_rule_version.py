"""Alerts name the version of the rule that raised them; a version changes with what the rule does."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from config.rules import DEFAULT_RULES, load_rules
from operators.govern import Candidate, Verdict
from operators.rule_version import stamp_rule_versions


def versions(tmp_path: Path, old: str, new: str) -> dict[str, str]:
    path = tmp_path / "rules.yaml"
    path.write_text(DEFAULT_RULES.read_text().replace(old, new, 1))
    return {r.id: r.version for r in load_rules(path).rules}


def test_a_threshold_makes_a_new_version_and_a_description_does_not(tmp_path: Path) -> None:
    shipped = {r.id: r.version for r in load_rules().rules}
    assert len(set(shipped.values())) == len(shipped)
    stricter = versions(tmp_path, "score_with_mrr: 65", "score_with_mrr: 70")
    assert stricter["ticket-frustration-gate"] != shipped["ticket-frustration-gate"]
    assert stricter["repeat-unresolved"] == shipped["repeat-unresolved"]
    held = versions(tmp_path, "  - id: repeat-unresolved\n", "  - id: repeat-unresolved\n    holdout: 10%\n")
    assert held == shipped


def test_what_raises_a_rules_signals_is_part_of_its_version(tmp_path: Path) -> None:
    shipped = {r.id: r.version for r in load_rules().rules}
    more = versions(tmp_path, "events: [Onboarding Step Completed, Onboarding Completed]",
                    "events: [Onboarding Step Completed, Onboarding Completed, Setup Finished]")
    assert more["abandonment"] != shipped["abandonment"]
    assert {r: v for r, v in more.items() if r != "abandonment"} == {
        r: v for r, v in shipped.items() if r != "abandonment"}, "rules not using the signal keep theirs"


def test_stamping_adds_the_version_to_the_alert_and_leaves_unknown_rules_alone() -> None:
    rules = {r.id: r for r in load_rules().rules}
    at = datetime(2026, 11, 20, tzinfo=UTC)

    def verdict(rule: str) -> Verdict:
        return Verdict(Candidate("a1", rule, "acct_1", "churn_risk", "high", False, at, None, None,
                                 alert={"id": "a1", "data": {"alert_id": "a1"}}), "publish", "")
    known, unknown = stamp_rule_versions([verdict("repeat-unresolved"), verdict("gone")], rules)
    assert known.candidate.alert == {"id": "a1", "data": {
        "alert_id": "a1", "rule_version": rules["repeat-unresolved"].version}}
    assert unknown.candidate.alert == {"id": "a1", "data": {"alert_id": "a1"}}
