"""Holdout over real Kafka and Redis: a held-out alert is on the digest topic, never on the alerts
topic; `cuewire report` and `cuewire backtest --from-kafka` read the same topics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
import yaml
from confluent_kafka import Producer

from config.rules import load_rules
from config.settings import Settings
from cuewire.app import run_kafka
from cuewire.backtest_cmd import run_rules
from cuewire.kafka_history import read_input_topics
from cuewire.measure_input import read_kafka
from cuewire.report_cmd import report_lines
from flows.kafka_io import ensure_topics, read_to_end
from operators.holdout import HOLDOUT_TYPE, in_holdout
from tests.published import assert_published

pytestmark = pytest.mark.e2e

D0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
RULE = "export-watch"
SHARE = 0.5


def test_held_out_alerts_never_reach_the_alerts_topic(kafka_bootstrap: str, redis_url: str,
                                                        unique: str, tmp_path: Path) -> None:
    salt = f"salt-{unique}"
    accounts = [f"acct_{i}" for i in range(40)]
    held = [a for a in accounts if in_holdout(RULE, a, SHARE, salt)][:3]
    staged = [a for a in accounts if not in_holdout(RULE, a, SHARE, salt)][:3]
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({
        "version": 1,
        "signals": {"events": [{"signal": "export_started", "events": ["Data Export Started"]}]},
        "rules": [{"id": RULE, "signal": "churn_risk", "priority": "high", "holdout": "50%",
                   "when": {"count": {"of": "export_started", "at_least": 1, "within": "7d"}},
                   "recommended_action": "Call them", "message": "Hi"}],
        "governance": {"holdout_salt": salt}}))
    settings = Settings(
        kafka_bootstrap=kafka_bootstrap, redis_url=redis_url,  # type: ignore[arg-type]
        redis_prefix=f"e2e{unique}:", deployment="test", kafka_partitions=2, rules=rules,
        **{f"topic_{k}": f"cuewire.{k}.{unique}" for k in
           ("events", "tickets", "accounts", "feedback", "alerts", "digest", "dlq")},
    )
    ensure_topics(settings)
    producer = Producer(settings.kafka_producer())
    for account in held + staged:
        producer.produce(settings.topic_accounts, orjson.dumps({"account_id": account, "mrr": 900}),
                         account.encode())
    for n, account in enumerate(held + staged):
        producer.produce(settings.topic_events, orjson.dumps({
            "type": "track", "event": "Data Export Started", "userId": f"u_{account}",
            "messageId": f"m{n}", "timestamp": (D0 + timedelta(minutes=n)).isoformat(),
            "context": {"groupId": account}}), f"u_{account}".encode())
    assert producer.flush(30) == 0

    run_kafka(settings, exit_at_end=True, epoch_seconds=1)

    alerts = [orjson.loads(v) for _, v in read_to_end(settings.kafka_consumer(), settings.topic_alerts, 20)]
    digest = [orjson.loads(v) for _, v in read_to_end(settings.kafka_consumer(), settings.topic_digest, 20)]
    assert_published("alerts", alerts)
    assert_published("digest", digest)
    held_out = [d for d in digest if d["type"] == HOLDOUT_TYPE]
    assert sorted(a["data"]["account_id"] for a in alerts) == sorted(staged)
    assert sorted(d["data"]["account_id"] for d in held_out) == sorted(held)
    assert all(d["data"]["holdout"] is True and d["data"]["alert"]["rule"] == RULE for d in held_out)
    version = load_rules(rules).rules[0].version
    assert {a["data"]["rule_version"] for a in alerts} == {version}
    assert {d["data"]["alert"]["rule_version"] for d in held_out} == {version}
    held_ids = {d["data"]["alert_id"] for d in held_out}
    assert held_ids.isdisjoint(a["id"] for a in alerts) and len(held_ids) == 3

    # What cuewire report reads from the topics: three staged, three held out.
    measured = read_kafka(settings)
    assert sorted(a.account_id for a in measured.alerts if a.holdout) == sorted(held)
    assert sorted(a.account_id for a in measured.alerts if not a.holdout) == sorted(staged)
    assert len(measured.accounts) == 6
    lines = report_lines(measured, D0 + timedelta(days=1))
    assert lines[0].endswith("6 alerts (3 held out), 0 decisions, 6 account records")

    # cuewire backtest --from-kafka replays the input topics' history: the same decisions.
    history = tmp_path / "history.jsonl"
    assert read_input_topics(settings, history) == 12
    replayed, _ = run_rules(settings, rules, history)
    assert sorted(e["data"]["account_id"] for e in replayed if e["type"].startswith("io.cuewire.alert.")) \
        == sorted(staged)
    assert sorted(e["data"]["account_id"] for e in replayed if e["type"] == HOLDOUT_TYPE) == sorted(held)
