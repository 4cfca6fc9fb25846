"""Records read late re-derive an alert a live ``cuewire run`` has already published.

Rule ``pricing`` holds on two pricing-page views within an hour (or ten demo requests).
Views at 12:00 and 12:30 publish one alert. A demo request dated 10:45 or so, read after
them, is evaluated as of the later signals the rule reads within two hours of it, and as
of 12:30 it completes the rule with the views' evidence: the same alert. Until Kafka has
acknowledged the alert (at the end of the flow's epoch) such a candidate goes on to
governance and the alert ledger drops it; after, ``match-patterns`` leaves it out
(``flows/published_alerts.py``) and counts it in ``cuewire_rederived_alerts_skipped_total``.
So demo requests are produced, a few seconds apart, until one is left out. None completes
the rule itself, and the topic holds the alert once.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from confluent_kafka import Producer

from cuewire_dev.loadtest import scrape_metrics
from cuewire_dev.servers import free_port
from flows.kafka_io import read_to_end
from tests.e2e.live_flow import Record, produce, running_flow, wait_for
from tests.replay_world import account, at, rules_file, track

pytestmark = pytest.mark.e2e

ACCOUNT = "acct_rederived"
PRICING = "Pricing Page Viewed"
DEMO = "Demo Requested"
RULES = [{"id": "pricing", "signal": "upgrade_intent", "when": {"any_of": [
    {"count": {"of": "upgrade_intent", "at_least": 2, "within": "1h"}},
    {"count": {"of": "demo", "at_least": 10, "within": "1h"}}]}}]
EVENTS = {"upgrade_intent": [PRICING], "demo": [DEMO]}
SKIP_WAIT_S = 90.0


def event(name: str, hour: float) -> Record:
    value = track(ACCOUNT, name, 1, hour)["value"]
    return ("events", value["userId"], value)


def metric(port: int, name: str) -> float:
    """The sum of ``name``'s samples on the flow's metrics endpoint (0 before it answers)."""
    try:
        samples = scrape_metrics(f"http://127.0.0.1:{port}/metrics", timeout=5)
    except OSError:
        return 0.0
    return sum(v for k, v in samples.items() if k == name or k.startswith(name + "{"))


def alerts(kafka: str, topics: dict[str, str]) -> list[dict[str, Any]]:
    return [orjson.loads(v)["data"] for _k, v in read_to_end({"bootstrap.servers": kafka},
                                                            topics["alerts"], 20)]


def test_a_late_record_does_not_remake_an_alert_already_out(
        kafka_bootstrap: str, redis_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = {"CUEWIRE_RULES": str(rules_file(tmp_path / "rules.yaml", RULES, EVENTS)),
           "CUEWIRE_METRICS_PORT": str(port), "CUEWIRE_GOVERN_WAIT_MS": "0"}
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    with running_flow("rederived", kafka_bootstrap, redis_url, env) as (topics, _env):
        snapshot = account(ACCOUNT)
        produce(producer, topics, [("accounts", ACCOUNT, snapshot["value"])])
        wait_for(lambda: metric(port, "cuewire_records_in_total") >= 1, "the CRM snapshot", 90)
        produce(producer, topics, [event(PRICING, 12), event(PRICING, 12.5)])
        wait_for(lambda: len(alerts(kafka_bootstrap, topics)) >= 1, "the pricing alert", 90)
        [first] = alerts(kafka_bootstrap, topics)
        assert [e["at"] for e in first["evidence"]] == [at(1, 12), at(1, 12.5)]
        assert metric(port, "cuewire_rederived_alerts_skipped_total") == 0

        late = 0
        deadline = time.monotonic() + SKIP_WAIT_S
        while metric(port, "cuewire_rederived_alerts_skipped_total") < 1:
            assert time.monotonic() < deadline, "no re-derived candidate was left out"
            assert late < 9, "ten demo requests would complete the rule themselves"
            produce(producer, topics, [event(DEMO, 10.75 + late / 60)])  # a minute apart
            late += 1
            time.sleep(SKIP_WAIT_S / 10)
        wait_for(lambda: metric(port, "cuewire_records_in_total") >= 3 + late, "every demo request read", 30)
        assert [a["alert_id"] for a in alerts(kafka_bootstrap, topics)] == [first["alert_id"]]
