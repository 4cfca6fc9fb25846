"""`cuewire replay`: the whole flow over a file, no servers; replays are deterministic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from config.settings import Settings
from cuewire.app import json_lines_writer, replay
from cuewire.cli import app
from cuewire_dev.sample import generate_sample, write_jsonl

D0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TEXTS = [
    "The Salesforce sync stopped again.", "What's included in the Pro plan?", "Do you have an API?",
    "How do I cancel our subscription?", "Our numbers are wrong in every report.",
    "How do I invite a colleague?", "We were charged twice this month.",
]
EVENTS = ["Pricing Page Viewed", "Checkout Started", "Order Completed", "Signed In",
          "Onboarding Step Started", "Data Export Started"]


def run_replay(path: Path) -> list[dict]:
    lines: list[bytes] = []
    replay(Settings(), path, json_lines_writer({"alerts", "digest"}, lines.append))
    return [orjson.loads(line) for line in lines]


records = st.lists(
    st.tuples(st.integers(0, 3), st.floats(0, 20), st.booleans(), st.integers(0, 6)),
    min_size=1, max_size=40,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records)
def test_replaying_the_same_input_twice_yields_the_same_alert_ids(tmp_path: Path, rows) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "in.jsonl"
    lines = [{"topic": "accounts", "value": {"account_id": f"a{i}", "mrr": 500 * i,
                                              "contacts": [f"p@a{i}.test"]}} for i in range(4)]
    for n, (acct, day, is_ticket, pick) in enumerate(sorted(rows, key=lambda r: r[1])):
        at = (D0 + timedelta(days=day)).isoformat()
        if is_ticket:
            lines.append({"topic": "tickets", "value": {
                "source": "generic", "ticket_id": f"t{n}", "requester_email": f"p@a{acct}.test",
                "subject": "", "body": TEXTS[pick], "created_at": at}})
        else:
            lines.append({"topic": "events", "value": {
                "type": "track", "event": EVENTS[pick % len(EVENTS)], "userId": f"u{acct}",
                "messageId": f"m{n}", "timestamp": at, "context": {"groupId": f"a{acct}"}}})
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    first, second = run_replay(path), run_replay(path)
    assert [o["value"]["id"] for o in first] == [o["value"]["id"] for o in second]


def test_replay_of_the_sample_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "sample.jsonl"
    write_jsonl(generate_sample(), path)
    out = tmp_path / "alerts.jsonl"
    result = CliRunner().invoke(app, ["replay", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    alerts = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    rules = {a["data"]["rule"] for a in alerts}
    assert {"ticket-frustration-gate", "upgrade-intent", "cancellation-intent"} <= rules
    assert all(a["type"].startswith("io.cuewire.alert.") for a in alerts)
    assert len({a["id"] for a in alerts}) == len(alerts)


def test_rules_check_names_the_rule_field_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("version: 1\nrules:\n  - id: upgrade-intent\n    signal: upgrade_intent\n"
                   "    when:\n      count: {of: upgrade_intent, at_least: 2, within: a week}\n"
                   "    recommended_action: x\n    message: y\n")
    result = CliRunner().invoke(app, ["rules", "check", str(bad)])
    assert result.exit_code == 2
    assert "rule 'upgrade-intent': when.count.within (line 6)" in result.output
    good = CliRunner().invoke(app, ["rules", "check", "config/rules.yaml"])
    assert good.exit_code == 0 and "repeat-unresolved" in good.output
