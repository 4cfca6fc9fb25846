"""Shadow comparison: volume, overlap and the precision of what a candidate keeps and drops."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
from typer.testing import CliRunner

from cuewire.cli import app
from operators.measure_records import Decision, RaisedAlert
from operators.measure_shadow import compare_shadow

T = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def alerts(rule: str, ids: str, holdout: bool = False) -> list[RaisedAlert]:
    return [RaisedAlert(i, rule, f"acct_{i}", "high", T, holdout=holdout) for i in ids]


def test_overlap_and_precision_of_kept_and_dropped_live_alerts() -> None:
    live = alerts("r", "abcd") + alerts("s", "x") + alerts("r", "h", holdout=True)
    shadow = alerts("r", "abef") + alerts("r", "h", holdout=True)
    said = [Decision("a", "sent", T), Decision("b", "dismissed", T), Decision("c", "approved", T),
            Decision("d", "dismissed", T), Decision("e", "dismissed", T)]  # e: never shown live
    r, s = compare_shadow(live, shadow, said)
    assert (r.rule, r.live, r.shadow, r.both, r.only_live, r.only_shadow) == ("r", 4, 4, 2, 2, 2)
    assert (r.kept_useful, r.kept_not_useful, r.dropped_useful, r.dropped_not_useful) == (1, 1, 1, 1)
    assert (s.rule, s.live, s.shadow, s.both) == ("s", 1, 0, 0)


def test_report_shadow_reads_shadow_alerts_from_files(tmp_path: Path) -> None:
    def ev(topic: str, n: str) -> dict[str, object]:
        return {"topic": topic, "value": {"type": "io.cuewire.alert.churn_risk", "time": T.isoformat(),
                                          "data": {"alert_id": n, "rule": "r", "account_id": f"acct_{n}",
                                                   "priority": "high"}}}
    lines = [ev("alerts", "a"), ev("alerts", "b"), ev("alerts.shadow", "a"), ev("cuewire.alerts.shadow", "c"),
             {"topic": "feedback", "value": {"alert_id": "a", "decision": "sent", "at": T.isoformat()}}]
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    result = CliRunner().invoke(app, ["report", str(path), "--shadow", "--now", "2026-11-30T00:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "Shadow rules: 2 shadow alerts beside the live ones" in result.stdout
    [row] = [line.split() for line in result.stdout.splitlines()[-3:] if line.startswith("r ")]
    assert row[:6] == ["r", "2", "2", "1", "1", "1"] and row[6:9] == ["100%", "of", "1"]
    plain = CliRunner().invoke(app, ["report", str(path), "--now", "2026-11-30T00:00:00Z"])
    assert "Shadow rules" not in plain.stdout
