"""Shadow rules in one `cuewire run` over real Kafka and Redis: the candidate's alerts reach
cuewire.alerts.shadow and never cuewire.alerts; `cuewire report --shadow` compares the two."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import redis
from confluent_kafka import Producer

from config.settings import Settings
from cuewire.app import run_kafka
from cuewire.measure_input import read_kafka
from cuewire.report_cmd import report_lines
from flows import metrics
from flows.delivery import outbox_payload
from flows.kafka_io import ensure_topics, read_to_end
from operators.measure_shadow import compare_shadow
from state.keys import Keyspace, TTLs
from state.ledger import AlertLedger
from tests.e2e.test_backtest import history, rules_file

pytestmark = pytest.mark.e2e


def settings_for(kafka_bootstrap: str, redis_url: str, unique: str, live: Path, shadow: Path) -> Settings:
    topics = {f"topic_{k}": f"cuewire.{k}.{unique}" for k in
              ("events", "tickets", "accounts", "feedback", "alerts", "digest", "dlq")}
    return Settings(kafka_bootstrap=kafka_bootstrap, redis_url=redis_url,  # type: ignore[arg-type]
                    kafka_partitions=2, redis_prefix=f"cw{unique}:", deployment="live",
                    rules=live, shadow_rules=shadow, **topics)


def produce_history(settings: Settings, tmp_path: Path) -> None:
    ensure_topics(settings)
    producer = Producer(settings.kafka_producer())
    for line in history(tmp_path / "h.jsonl").read_bytes().splitlines():
        record = orjson.loads(line)
        value = record["value"]
        key = value.get("account_id") or value.get("userId")
        producer.produce(settings.topic(record["topic"]), orjson.dumps(value), key.encode())
    assert producer.flush(30) == 0


def read(settings: Settings, topic: str) -> list[dict[str, Any]]:
    return [orjson.loads(v) for _, v in read_to_end(settings.kafka_consumer(), topic, 20)]


def by_rule(alerts: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(a["data"]["rule"], a["subject"]) for a in alerts}


def test_a_lowered_threshold_adds_its_alerts_on_the_shadow_topic_only(
        kafka_bootstrap: str, redis_url: str, unique: str, tmp_path: Path) -> None:
    live_rules = rules_file(tmp_path / "live.yaml", pricing_mrr=2000, export_mrr=500, export_priority="low")
    lowered = rules_file(tmp_path / "lowered.yaml", pricing_mrr=1000, export_mrr=500, export_priority="low")
    settings = settings_for(kafka_bootstrap, redis_url, unique, live_rules, lowered)
    produce_history(settings, tmp_path)
    counted = metrics.ALERTS_OUT.labels("pricing-interest")
    before = counted._value.get()

    run_kafka(settings, exit_at_end=True, epoch_seconds=1)

    live = read(settings, settings.topic_alerts)
    shadow = read(settings, settings.shadow_outputs().topic_alerts)
    everyone = {(rule, acct) for rule in ("export-watch", "seat-growth") for acct in
                ("acct_small", "acct_mid", "acct_big")}
    assert by_rule(live) == everyone | {("pricing-interest", "acct_big")}
    assert by_rule(shadow) == by_rule(live) | {("pricing-interest", "acct_mid")}
    live_ids, shadow_ids = {a["id"] for a in live}, {a["id"] for a in shadow}
    assert live_ids < shadow_ids and len(shadow_ids - live_ids) == 1  # shared ids: one alert, two topics
    assert not (shadow_ids - live_ids) & {d["id"] for d in read(settings, settings.topic_digest)}
    assert counted._value.get() - before == 1  # the live pricing alert; the shadow's is not counted
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    assert client.keys(f"cw{unique}:shadow:win:*") and client.keys(f"cw{unique}:win:*")

    measured = read_kafka(settings, shadow=True)
    rows = {r.rule: r for r in compare_shadow(measured.alerts, measured.shadow, measured.decisions)}
    pricing = rows["pricing-interest"]
    assert (pricing.live, pricing.shadow, pricing.both, pricing.only_shadow) == (1, 2, 1, 1)
    assert all(r.live == r.shadow == r.both for rule, r in rows.items() if rule != "pricing-interest")
    assert any(line.startswith("Shadow rules: 8 shadow alerts")
               for line in report_lines(measured, measured.alerts[0].at, shadow=True))


def test_the_live_rules_as_their_own_shadow_raise_the_same_alerts(
        kafka_bootstrap: str, redis_url: str, unique: str, tmp_path: Path) -> None:
    live_rules = rules_file(tmp_path / "live.yaml", pricing_mrr=2000, export_mrr=500, export_priority="low")
    settings = settings_for(kafka_bootstrap, redis_url, unique, live_rules, live_rules)
    produce_history(settings, tmp_path)

    run_kafka(settings, exit_at_end=True, epoch_seconds=1)

    live = read(settings, settings.topic_alerts)
    shadow = read(settings, settings.shadow_outputs().topic_alerts)
    assert len(live) == 7
    assert sorted(a["id"] for a in shadow) == sorted(a["id"] for a in live)


def test_what_the_shadow_branch_left_unconfirmed_goes_to_the_shadow_topic_on_restart(
        kafka_bootstrap: str, redis_url: str, unique: str, tmp_path: Path) -> None:
    """A run that stopped between the shadow ledger's claim and Kafka's acknowledgement: the
    next start produces the record to the shadow topic, where it was going, and nowhere else."""
    live_rules = rules_file(tmp_path / "live.yaml", pricing_mrr=2000, export_mrr=500, export_priority="low")
    settings = settings_for(kafka_bootstrap, redis_url, unique, live_rules, live_rules)
    ensure_topics(settings)
    ensure_topics(settings.shadow_outputs())
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    body = orjson.dumps({"id": "left-by-a-stopped-run", "subject": "acct_big", "data": {"rule": "r"}})
    stopped = AlertLedger(client, Keyspace(settings.redis_prefix).shadow(), TTLs(), run_id="stopped")
    left = ("left-by-a-stopped-run", outbox_payload("alerts", b"acct_big", body, 0))
    assert stopped.claim([left]) == [True]

    run_kafka(settings, exit_at_end=True, epoch_seconds=1)

    shadow = read(settings, settings.shadow_outputs().topic_alerts)
    assert [a["id"] for a in shadow] == ["left-by-a-stopped-run"]
    assert read(settings, settings.topic_alerts) == []
