"""The AsyncAPI document matches the topics and schemas, and the consumer example works
against a real broker: it reads alerts and writes decisions the flow accepts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from config.settings import Settings
from contracts.feedback import FeedbackRecord
from contracts.published import PAYLOADS, SCHEMA_DIR
from flows.kafka_io import read_to_end
from tests.published import assert_published
from tests.unit.contracts.test_published_contract import ALERT

ROOT = Path(__file__).parents[2]
ASYNCAPI = ROOT / "contracts" / "asyncapi.yaml"


def resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_the_asyncapi_document_names_every_topic_and_published_schema() -> None:
    doc = yaml.safe_load(ASYNCAPI.read_text())
    assert doc["asyncapi"].startswith("3.") and doc["info"]["title"] and doc["info"]["version"]
    defaults = Settings()
    topics = {k: defaults.topic(k) for k in  # type: ignore[arg-type]
              ("events", "tickets", "accounts", "feedback", "alerts", "digest", "dlq")}
    shadow = defaults.shadow_outputs().output_topics  # CUEWIRE_SHADOW_RULES' outputs
    assert {c["address"] for c in doc["channels"].values()} == set(topics.values()) | set(shadow)
    schemas = set()
    for name, channel in doc["channels"].items():
        for message in channel["messages"].values():
            body = resolve(doc, message["$ref"])
            ref = body["payload"]["schema"]["$ref"]
            assert (ASYNCAPI.parent / ref).resolve().parent == SCHEMA_DIR.resolve(), ref
            assert (ASYNCAPI.parent / ref).exists(), ref
            schemas.add(Path(ref).name.removesuffix(".schema.json"))
            if name in ("alerts", "digest", "alertsShadow", "digestShadow"):
                assert body["contentType"] == "application/cloudevents+json"
    assert schemas == set(PAYLOADS)
    for op in doc["operations"].values():
        assert op["action"] in ("send", "receive")
        channel = resolve(doc, op["channel"]["$ref"])
        for message in op["messages"]:
            assert resolve(doc, message["$ref"]) in channel["messages"].values()
        outputs = (topics["alerts"], topics["digest"], topics["dlq"], *shadow)
        direction = "send" if channel["address"] in outputs else "receive"
        assert op["action"] == direction, channel["address"]


@pytest.mark.integration
def test_the_consumer_example_answers_each_alert_once_with_feedback_the_flow_reads(
        kafka_bootstrap: str, unique: str) -> None:
    alerts, feedback = f"ex.alerts.{unique}", f"ex.feedback.{unique}"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    for future in admin.create_topics([NewTopic(t, 1, 1) for t in (alerts, feedback)]).values():
        future.result(30)
    low = {**ALERT, "id": "a2", "data": {**ALERT["data"], "alert_id": "a2", "priority": "low"}}
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    for event in (ALERT, ALERT, low):  # the first one delivered twice
        producer.produce(alerts, orjson.dumps(event), event["subject"].encode())
    assert producer.flush(30) == 0
    assert_published("alerts", [orjson.dumps(e) for e in (ALERT, low)])

    env = {**os.environ, "CUEWIRE_TOPIC_ALERTS": alerts, "CUEWIRE_TOPIC_FEEDBACK": feedback}
    run = subprocess.run([sys.executable, str(ROOT / "examples" / "consume_alerts.py"), kafka_bootstrap,
                          "--max", "2"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    decisions = [FeedbackRecord.model_validate_json(v)
                 for _k, v in read_to_end({"bootstrap.servers": kafka_bootstrap}, feedback, 20)]
    assert [(d.alert_id, d.decision) for d in decisions] == [("a1", "approved"), ("a2", "dismissed")]
