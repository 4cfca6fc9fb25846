"""A/B variants through the whole flow (embedded replay): each account gets its arm's alerts only,
the alerts say which arm under the rule's own id, and `cuewire report` splits precision by arm."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import yaml

from config.settings import Settings
from cuewire.backtest_cmd import run_rules
from cuewire.measure_input import Measured
from operators.measure_precision import rule_precision
from operators.variants import arm_for

D0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
SALT = "variants-test"


def test_each_account_sees_only_its_arm_and_the_report_splits_by_arm(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({
        "version": 1, "governance": {"holdout_salt": SALT},
        "signals": {"events": [{"signal": "upgrade_intent", "events": ["Pricing Page Viewed"]}]},
        "rules": [{"id": "pricing-interest", "signal": "upgrade_intent", "priority": "medium",
                   "recommended_action": "Call", "message": "Hi",
                   "when": {"count": {"of": "upgrade_intent", "at_least": 2, "within": "7d"}},
                   "variants": [{"name": "eager", "share": "50%", "priority": "high",
                                 "when": {"count": {"of": "upgrade_intent", "at_least": 1,
                                                    "within": "7d"}}}]}]}))
    accounts = [f"acct_{i}" for i in range(24)]
    lines: list[dict[str, Any]] = [{"topic": "accounts", "value": {"account_id": a}} for a in accounts]
    for n, account in enumerate(accounts):
        views = 1 if n % 2 else 2  # odd accounts view pricing once, even ones twice
        for v in range(views):
            lines.append({"topic": "events", "value": {
                "type": "track", "event": "Pricing Page Viewed", "userId": f"u_{account}",
                "messageId": f"m{n}-{v}", "timestamp": (D0 + timedelta(hours=n, minutes=v)).isoformat(),
                "context": {"groupId": account}}})
    history = tmp_path / "h.jsonl"
    history.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))

    out, _ = run_rules(Settings(), rules, history)
    alerts = [e["data"] for e in out if e["type"].startswith("io.cuewire.alert.")
              and e["type"] != "io.cuewire.alert.updated"]
    shares = (("eager", 0.5),)
    arm = {a: arm_for("pricing-interest", shares, a, SALT) for a in accounts}
    assert 4 <= sum(v == "eager" for v in arm.values()) <= 20
    # eager: an alert at the first view, high; control: only with two views, medium.
    expected = {a: ("eager", "high") if arm[a] == "eager" else ("control", "medium")
                for n, a in enumerate(accounts) if arm[a] == "eager" or n % 2 == 0}
    assert {d["account_id"]: (d["variant"], d["priority"]) for d in alerts} == expected
    assert len(alerts) == len(expected) and {d["rule"] for d in alerts} == {"pricing-interest"}
    # An eager account's second view, inside the cooldown, is news for its open alert.
    updates = {e["data"]["account_id"]: e for e in out if e["type"] == "io.cuewire.alert.updated"}
    first = {d["account_id"]: d["alert_id"] for d in alerts}
    assert set(updates) == {a for n, a in enumerate(accounts) if arm[a] == "eager" and n % 2 == 0}
    for account, update in updates.items():
        assert update["data"]["alert_id"] == update["data"]["thread_id"] == first[account]
        assert update["id"] == update["data"]["update_id"] != first[account]
        assert update["data"]["change"] == "new_evidence"

    measured = Measured()
    for event in out:
        measured.add("alerts", None, event)
    for n, d in enumerate(alerts):
        decision = "sent" if n % 3 else "dismissed"
        measured.add("feedback", None, {"alert_id": d["alert_id"], "decision": decision})
    rows = rule_precision(measured.alerts, measured.decisions, now=D0,
                          window=timedelta(days=7))
    assert sorted((r.variant, r.alerts) for r in rows) == sorted(
        Counter(v for v, _ in expected.values()).items())
    assert all(r.rule == "pricing-interest" and r.reviewed == r.alerts for r in rows)

