"""A shadow deployment over real Kafka: a candidate rules file reads the live inputs and writes
only to cuewire.alerts.shadow; `cuewire report --shadow` compares the two."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from confluent_kafka import Producer

from config.settings import Settings
from cuewire.app import run_kafka
from cuewire.measure_input import read_kafka
from cuewire.report_cmd import report_lines
from flows.kafka_io import ensure_topics, read_to_end
from operators.measure_shadow import compare_shadow
from tests.e2e.test_backtest import history, rules_file

pytestmark = pytest.mark.e2e


def test_shadow_alerts_go_to_their_own_topic_and_are_compared(
        kafka_bootstrap: str, redis_url: str, unique: str, tmp_path: Path) -> None:
    live_rules = rules_file(tmp_path / "live.yaml", pricing_mrr=2000, export_mrr=500, export_priority="low")
    candidate = rules_file(tmp_path / "candidate.yaml", pricing_mrr=1000, export_mrr=3000,
                           export_priority="low")
    topics = {f"topic_{k}": f"cuewire.{k}.{unique}" for k in
              ("events", "tickets", "accounts", "feedback", "alerts", "digest", "dlq")}
    common = {"kafka_bootstrap": kafka_bootstrap, "redis_url": redis_url, "kafka_partitions": 2}
    live = Settings(**common, **topics, rules=live_rules, redis_prefix=f"live{unique}:",  # type: ignore[arg-type]
                    deployment="live")
    shadow = Settings(**common, **{**topics, "topic_alerts": f"{topics['topic_alerts']}.shadow",  # type: ignore[arg-type]
                                   "topic_digest": f"{topics['topic_digest']}.shadow",
                                   "topic_dlq": f"{topics['topic_dlq']}.shadow"},
                      rules=candidate, redis_prefix=f"shadow{unique}:", deployment="shadow")
    ensure_topics(live)
    ensure_topics(shadow)
    producer = Producer(live.kafka_producer())
    for line in history(tmp_path / "h.jsonl").read_bytes().splitlines():
        record = orjson.loads(line)
        value = record["value"]
        key = value.get("account_id") or value.get("userId")
        producer.produce(live.topic(record["topic"]), orjson.dumps(value), key.encode())
    assert producer.flush(30) == 0

    run_kafka(live, exit_at_end=True, epoch_seconds=1)
    run_kafka(shadow, exit_at_end=True, epoch_seconds=1)

    live_alerts = [orjson.loads(v) for _, v in read_to_end(live.kafka_consumer(), live.topic_alerts, 20)]
    shadow_out = read_to_end(shadow.kafka_consumer(), shadow.topic_alerts, 20)
    shadow_ids = {orjson.loads(v)["id"] for _, v in shadow_out}
    assert {a["source"] for a in live_alerts} == {"cuewire/live"}  # nothing of the shadow's
    measured = read_kafka(live, shadow=True)
    assert {a.alert_id for a in measured.shadow} == shadow_ids
    [export, pricing, seats] = compare_shadow(measured.alerts, measured.shadow, measured.decisions)
    assert (export.rule, export.live, export.shadow, export.both) == ("export-watch", 3, 1, 1)
    assert (pricing.rule, pricing.live, pricing.shadow, pricing.both) == ("pricing-interest", 1, 2, 1)
    assert (seats.live, seats.shadow, seats.both) == (3, 3, 3)
    assert any(line.startswith("Shadow rules: 6 shadow alerts")
               for line in report_lines(measured, measured.alerts[0].at, shadow=True))
