"""`cuewire backtest`: two rules files over one history, and exactly what the change does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import yaml
from typer.testing import CliRunner

from config.settings import Settings
from cuewire.backtest_cmd import run_rules
from cuewire.cli import app
from operators.measure_backtest import diff_runs

D0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday, inside working hours
MRR = {"acct_small": 600, "acct_mid": 1500, "acct_big": 4000}


def rules_file(path: Path, *, pricing_mrr: int, export_mrr: int, export_priority: str) -> Path:
    rule: dict[str, Any] = {"recommended_action": "Call them", "message": "Hi"}
    path.write_text(yaml.safe_dump({"version": 1, "signals": {"events": [
        {"signal": "upgrade_intent", "events": ["Pricing Page Viewed"]},
        {"signal": "export_started", "events": ["Data Export Started"]},
        {"signal": "seat_added", "events": ["Seat Added"]}]},
        "rules": [
            {**rule, "id": "pricing-interest", "signal": "upgrade_intent", "priority": "medium",
             "when": {"count": {"of": "upgrade_intent", "at_least": 2, "within": "7d"}},
             "account": [{"field": "mrr", "at_least": pricing_mrr}]},
            {**rule, "id": "export-watch", "signal": "churn_risk", "priority": "high",
             "when": {"count": {"of": "export_started", "at_least": 1, "within": "7d"}},
             "account": [{"field": "mrr", "at_least": export_mrr}]},
            {**rule, "id": "seat-growth", "signal": "upgrade_intent", "priority": export_priority,
             "when": {"count": {"of": "seat_added", "at_least": 1, "within": "7d"}}},
        ]}))
    return path


def history(path: Path) -> Path:
    lines: list[dict[str, Any]] = [{"topic": "accounts", "value": {"account_id": a, "mrr": m}}
                                   for a, m in MRR.items()]
    n = 0
    for account in MRR:
        for minutes, event in ((0, "Pricing Page Viewed"), (5, "Pricing Page Viewed"),
                               (10, "Data Export Started"), (15, "Seat Added")):
            n += 1
            lines.append({"topic": "events", "value": {
                "type": "track", "event": event, "userId": f"u_{account}", "messageId": f"m{n}",
                "timestamp": (D0 + timedelta(minutes=minutes)).isoformat(),
                "context": {"groupId": account}}})
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")
    return path


def test_a_threshold_change_shows_exactly_the_alerts_it_adds_and_removes(tmp_path: Path) -> None:
    a = rules_file(tmp_path / "a.yaml", pricing_mrr=2000, export_mrr=500, export_priority="low")
    b = rules_file(tmp_path / "b.yaml", pricing_mrr=1000, export_mrr=3000, export_priority="high")
    hist = history(tmp_path / "history.jsonl")
    run_a, _ = run_rules(Settings(), a, hist)
    run_b, lines = run_rules(Settings(), b, hist)
    assert lines == 3 + 12
    diff = diff_runs(run_a, run_b)
    # Lowering pricing-interest's MRR floor to 1,000 adds acct_mid; raising export-watch's
    # to 3,000 removes acct_small and acct_mid; seat-growth changes priority everywhere.
    assert [(x.rule, x.account_id) for x in diff.only_b] == [("pricing-interest", "acct_mid")]
    assert [(x.rule, x.account_id) for x in diff.only_a] == [
        ("export-watch", "acct_mid"), ("export-watch", "acct_small")]
    assert sorted((c.alert.account_id, c.priority_a, c.priority_b) for c in diff.reprioritised) == [
        (acct, "low", "high") for acct in sorted(MRR)]
    assert diff.alerts_a == 1 + 3 + 3 and diff.alerts_b == 2 + 1 + 3
    # The same history through the same file twice: no difference at all.
    assert diff_runs(run_a, run_rules(Settings(), a, hist)[0]).unchanged


def test_the_command_prints_each_moved_alert_with_its_evidence(tmp_path: Path) -> None:
    a = rules_file(tmp_path / "a.yaml", pricing_mrr=2000, export_mrr=500, export_priority="low")
    b = rules_file(tmp_path / "b.yaml", pricing_mrr=1000, export_mrr=500, export_priority="low")
    result = CliRunner().invoke(app, ["backtest", "--rules", str(a), "--rules", str(b),
                                      str(history(tmp_path / "h.jsonl"))])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "only in A: 0   only in B: 1   priority changed: 0" in out
    added = out.split("Only in B (the change adds these):")[1].splitlines()
    assert "pricing-interest" in added[1] and "acct_mid" in added[1]
    assert added[2].strip().startswith("event m5 at") and added[3].strip().startswith("event m6 at")


def test_both_files_at_once_print_the_diff_of_one_after_the_other(tmp_path: Path) -> None:
    a = rules_file(tmp_path / "a.yaml", pricing_mrr=2000, export_mrr=500, export_priority="low")
    b = rules_file(tmp_path / "b.yaml", pricing_mrr=1000, export_mrr=3000, export_priority="high")
    hist = str(history(tmp_path / "h.jsonl"))
    printed = [CliRunner().invoke(app, ["backtest", "--jobs", jobs, "--rules", str(a), "--rules", str(b),
                                        hist]) for jobs in ("1", "2")]
    assert [r.exit_code for r in printed] == [0, 0], [r.output for r in printed]
    assert printed[0].stdout == printed[1].stdout
    assert "only in A: 2   only in B: 1   priority changed: 3" in printed[1].stdout


def test_the_command_refuses_one_rules_file(tmp_path: Path) -> None:
    a = rules_file(tmp_path / "a.yaml", pricing_mrr=2000, export_mrr=500, export_priority="low")
    result = CliRunner().invoke(app, ["backtest", "--rules", str(a), str(history(tmp_path / "h.jsonl"))])
    assert result.exit_code == 2 and "exactly two rules files" in result.output
