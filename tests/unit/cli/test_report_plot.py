"""`cuewire report --plot DIR` writes the three pictures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from typer.testing import CliRunner

from cuewire.cli import app

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_plots_are_written_as_pngs(tmp_path: Path) -> None:
    lines = []
    for n in range(40):
        at = (NOW - timedelta(days=n % 20)).isoformat()
        data = {"alert_id": f"a{n}", "rule": f"rule-{n % 2}", "account_id": f"acct_{n}",
                "priority": "high", "detected_at": at}
        kind = "io.cuewire.digest.holdout" if n % 5 == 0 else "io.cuewire.alert.churn_risk"
        lines.append({"topic": "digest" if n % 5 == 0 else "alerts",
                      "value": {"type": kind, "time": at, "data": {**data, "alert": data}}})
        lines.append({"topic": "feedback", "value": {"alert_id": f"a{n}", "at": at,
                                                     "decision": "sent" if n % 3 else "dismissed"}})
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    result = CliRunner().invoke(app, ["report", str(path), "--now", NOW.isoformat(),
                                      "--plot", str(tmp_path / "plots")])
    assert result.exit_code == 0, result.output
    for name in ("volume.png", "precision.png", "lift.png"):
        png = (tmp_path / "plots" / name).read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 5_000
