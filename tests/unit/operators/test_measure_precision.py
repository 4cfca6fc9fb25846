"""Per-rule precision and volume: verdicts, windows, versions, the Wilson interval, the report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from cuewire.cli import app
from operators.measure_precision import feedback_rule, precision_report, rule_precision, verdicts
from operators.measure_records import Decision, RaisedAlert, raised_alert
from operators.measure_stats import difference_interval, wilson_interval
from operators.records import Feedback

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def alert(n: int, rule: str = "repeat-unresolved", days_ago: float = 1, **kw: object) -> RaisedAlert:
    return RaisedAlert(f"a{n}", rule, f"acct_{n}", "high", NOW - timedelta(days=days_ago), **kw)  # type: ignore[arg-type]


def said(n: int, decision: str, hours_ago: float = 1, reason: str | None = None) -> Decision:
    return Decision(f"a{n}", decision, NOW - timedelta(hours=hours_ago), reason)


def test_wilson_matches_published_values() -> None:
    # Newcombe (1998), "Two-sided confidence intervals for the single proportion", 81/263.
    low, high = wilson_interval(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_difference_matches_newcombes_worked_example() -> None:
    # Newcombe (1998), "Interval estimation for the difference between independent
    # proportions", 56/70 − 48/80, method 10: +0.0524 to +0.3339.
    d = difference_interval(56, 70, 48, 80)
    assert round(d.estimate, 4) == 0.2
    assert (round(d.low, 4), round(d.high, 4)) == (0.0524, 0.3339)


def test_useful_and_dismissed_make_precision_and_snoozes_do_not_count() -> None:
    alerts = [alert(i) for i in range(5)]
    decisions = [said(0, "approved"), said(1, "sent"), said(2, "converted"),
                 said(3, "dismissed", reason="false_signal"), said(4, "snoozed")]
    [row] = rule_precision(alerts, decisions, now=NOW, window=WEEK)
    assert (row.alerts, row.reviewed, row.useful, row.not_useful, row.false_signal) == (5, 4, 3, 1, 1)
    assert row.precision == 0.75
    assert (row.low, row.high) == wilson_interval(3, 4)
    assert row.decisions == {"approved": 1, "converted": 1, "dismissed": 1, "sent": 1, "snoozed": 1}


def test_the_latest_judging_decision_wins() -> None:
    decisions = [said(0, "approved", hours_ago=5), said(0, "dismissed", hours_ago=2),
                 said(1, "dismissed", hours_ago=5), said(1, "sent", hours_ago=1),
                 said(1, "snoozed", hours_ago=0.5)]
    latest = verdicts(decisions)
    assert latest["a0"].decision == "dismissed" and latest["a1"].decision == "sent"
    [row] = rule_precision([alert(0), alert(1)], decisions, now=NOW, window=WEEK)
    assert (row.useful, row.not_useful) == (1, 1)


def test_windows_bound_the_alerts_and_hide_later_decisions() -> None:
    alerts = [alert(0, days_ago=3), alert(1, days_ago=10), alert(2, days_ago=30)]
    decisions = [said(0, "approved"), said(1, "approved"), said(2, "approved"),
                 Decision("a0", "dismissed", NOW + timedelta(hours=1))]  # not known yet
    rows = precision_report(alerts, decisions, now=NOW)
    by_window = {r.window.days: r for r in rows}
    assert by_window[7].alerts == 1 and by_window[28].alerts == 2
    assert by_window[7].useful == 1 and by_window[7].not_useful == 0


def test_rules_versions_and_held_out_alerts_are_apart() -> None:
    alerts = [alert(0, rule="b-rule"), alert(1, rule="a-rule", rule_version="v2"),
              alert(2, rule="a-rule", rule_version="v1"), alert(3, rule="a-rule", holdout=True)]
    rows = rule_precision(alerts, [], now=NOW, window=WEEK)
    assert [(r.rule, r.rule_version, r.alerts) for r in rows] == [
        ("a-rule", "v1", 1), ("a-rule", "v2", 1), ("b-rule", "-", 1)]
    assert all(r.precision is None and (r.low, r.high) == (0.0, 1.0) for r in rows)


def test_feedback_names_its_rule_only_through_a_well_formed_label() -> None:
    def fb(labels: dict[str, object]) -> Feedback:
        return Feedback("a1", "sent", labels, None, None)
    assert feedback_rule(fb({"rule": "repeat-unresolved"})) == "repeat-unresolved"
    assert feedback_rule(fb({"rule": "Not A Rule!"})) == "unknown"
    assert feedback_rule(fb({})) == "unknown"


def test_a_holdout_digest_record_is_a_held_out_alert() -> None:
    event = {"type": "io.cuewire.digest.holdout", "time": "2026-11-30T10:00:00Z",
             "data": {"alert_id": "a9", "rule": "r", "account_id": "acct_9", "holdout": True,
                      "alert": {"priority": "high", "mrr": 1200, "renewal_date": "2027-01-01",
                                "detected_at": "2026-11-30T09:59:00Z"}}}
    held = raised_alert(event)
    assert held is not None and held.holdout and held.mrr == 1200.0 and held.priority == "high"
    assert raised_alert({"type": "io.cuewire.alert.updated", "data": event["data"]}) is None


def test_report_prints_precision_from_replay_output(tmp_path: Path) -> None:
    def ev(n: int, rule: str) -> dict[str, object]:
        return {"topic": "alerts", "value": {
            "specversion": "1.0", "type": "io.cuewire.alert.churn_risk", "time": "2026-11-29T10:00:00Z",
            "data": {"alert_id": f"a{n}", "rule": rule, "account_id": f"acct_{n}", "priority": "high"}}}
    lines = [ev(i, "repeat-unresolved") for i in range(4)] + [ev(9, "upgrade-intent")]
    lines += [{"topic": "feedback", "value": {"alert_id": f"a{i}", "decision": d,
                                              "at": "2026-11-29T12:00:00Z"}}
              for i, d in enumerate(["approved", "sent", "sent", "dismissed"])]
    lines += [{"topic": "tickets", "value": {"source": "generic"}}]
    path = tmp_path / "out.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    result = CliRunner().invoke(app, ["report", str(path), "--now", "2026-11-30T12:00:00Z"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith("repeat-unresolved")]
    assert [r[2] for r in rows] == ["7d", "28d"]
    assert rows[0][3:8] == ["4", "4", "3", "1", "0"] and rows[0][8] == "75%"
    assert any(line.startswith("upgrade-intent") and "no reviews yet" in line
               for line in result.stdout.splitlines())


def test_report_needs_something_to_read() -> None:
    result = CliRunner().invoke(app, ["report"])
    assert result.exit_code == 2 and "--from-kafka" in result.output
