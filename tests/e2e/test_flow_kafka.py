"""The whole flow between a real Kafka broker and a real Redis.

Each test produces records to its own topics, runs ``cuewire run`` in-process
until the input is read to its end, and reads what the flow published.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
import pytest
from confluent_kafka import Producer

from config.settings import Settings
from contracts.alert import AlertData, CloudEvent, DeadLetter
from cuewire.app import run_kafka
from flows.kafka_io import ensure_topics, read_messages_to_end
from tests.published import assert_cloudevents_headers, assert_published

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tickets"

ACME = {
    "account_id": "acct_42", "name": "Acme", "domains": ["acme.io"], "mrr": 3200,
    "currency": "USD", "plan": "team", "renewal_date": "2027-01-10", "health_score": 58,
    "cs_owner": {"name": "Riley Chen", "email": "riley@vendor.com", "slack": "@riley"},
    "contacts": ["dana@acme.io"], "zendesk_organization_id": "901",
    "consent": {"email": True}, "updated_at": "2026-11-20T09:00:00Z",
}
SMALL = {"account_id": "acct_7", "name": "Tiny Co", "mrr": 200, "contacts": ["sam@tiny.co"]}


def generic(ticket_id: str, email: str, body: str, subject: str = "Help") -> dict[str, Any]:
    return {"source": "generic", "ticket_id": ticket_id, "requester_email": email,
            "subject": subject, "body": body, "created_at": "2026-11-20T10:15:00Z"}


@pytest.fixture
def settings(kafka_bootstrap: str, redis_url: str, unique: str) -> Settings:
    s = Settings(
        kafka_bootstrap=kafka_bootstrap, redis_url=redis_url,  # type: ignore[arg-type]
        redis_prefix=f"e2e{unique}:", deployment="test", kafka_partitions=2,
        **{f"topic_{k}": f"cuewire.{k}.{unique}" for k in
           ("events", "tickets", "accounts", "feedback", "alerts", "digest", "dlq")},
    )
    ensure_topics(s)
    return s


def produce(settings: Settings, records: Iterable[tuple[str, bytes | None, bytes | None]]) -> None:
    producer = Producer(settings.kafka_producer())
    for kind, key, value in records:
        producer.produce(settings.topic(kind), value, key)  # type: ignore[arg-type]
    assert producer.flush(30) == 0


def read(settings: Settings, kind: str) -> list[dict[str, Any]]:
    records = read_messages_to_end(settings.kafka_consumer(), settings.topic(kind), 20)
    assert_published(kind, [value for _key, value, _headers in records])
    for _key, _value, headers in records:
        assert_cloudevents_headers(kind, headers)
    return [{"key": key, **orjson.loads(value)} for key, value, _headers in records]


def j(value: dict[str, Any]) -> bytes:
    return orjson.dumps(value)


def test_alerts_digest_and_dead_letters(settings: Settings) -> None:
    produce(settings, [("accounts", b"acct_42", j(ACME)), ("accounts", b"acct_7", j(SMALL))])
    run_kafka(settings, exit_at_end=True, epoch_seconds=1)  # the CRM sync lands first

    critical = generic("T-1", "dana@acme.io", "Our numbers are wrong and data disappeared.")
    trigger = json.loads((FIXTURES / "zendesk_trigger.json").read_text())
    trigger["ticket"]["organization"]["external_id"] = "acct_42"
    trigger["ticket"]["description"] = "Salesforce sync stopped again and the webhook not firing."
    produce(settings, [
        ("tickets", None, j(critical)),
        ("tickets", None, b'{"ticket": {"id": '),                         # truncated JSON
        ("tickets", b"k", b"\xff\xfe not utf-8"),
        ("tickets", None, j({"type": "zen:event-type:unknown.thing"})),  # unknown shape
        ("tickets", None, j(trigger)),
        ("tickets", None, j(critical)),                                   # duplicate delivery
        ("tickets", None, j(generic("T-2", "sam@tiny.co", "The UI is slow and confusing."))),
        ("tickets", None, j(generic("T-3", "who@unknown.example", "data disappeared"))),
        ("events", b"u1", j({"type": "track", "event": "Pricing Page Viewed", "userId": "u1",
                            "messageId": "m-1", "timestamp": "2026-11-20T10:15:00Z"})),
    ])
    run_kafka(settings, exit_at_end=True, epoch_seconds=1)

    published = read(settings, "alerts")
    alerts = [a for a in published if a["type"] != "io.cuewire.alert.updated"]
    # Both acct_42 tickets pass the gate; the second falls in the rule's 48 h cooldown,
    # so it is news for the open alert, in its thread, not an alert of its own.
    assert [a["data"]["evidence"][0]["id"] for a in alerts] == ["generic:T-1"]
    [update] = [a for a in published if a["type"] == "io.cuewire.alert.updated"]
    assert update["data"]["evidence"][0]["id"] == "zendesk:48230"
    assert update["data"]["alert_id"] == update["data"]["thread_id"] == alerts[0]["id"]
    assert update["id"] == update["data"]["update_id"] != alerts[0]["id"]
    # A high-priority match does not lower the critical thread.
    assert (update["data"]["change"], update["data"]["priority"]) == ("new_evidence", "critical")
    for alert in alerts:
        CloudEvent.model_validate(alert)
        data = AlertData.model_validate(alert["data"])
        assert alert["key"] == b"acct_42" and data.account_id == "acct_42"
        assert alert["id"] == data.alert_id and data.status == "staged"
        assert data.owner and data.owner.name == "Riley Chen"
    assert alerts[0]["data"]["priority"] == "critical"
    assert alerts[0]["data"]["score"] >= 80

    digest = read(settings, "digest")
    types = sorted(d["type"] for d in digest)
    assert types == ["io.cuewire.digest.event.unattached",
                     "io.cuewire.digest.ticket.below_gate", "io.cuewire.digest.ticket.unattached"]

    dlq = [DeadLetter.model_validate(d) for d in read(settings, "dlq")]
    assert len(dlq) == 3
    assert {d.topic for d in dlq} == {settings.topic_tickets}
    assert all(d.offset is not None and d.offset >= 0 and d.error for d in dlq)
    by_encoding = {d.value_encoding for d in dlq}
    assert by_encoding == {"utf-8", "base64"}
    errors = sorted(d.error for d in dlq)
    assert any("zen:event-type:unknown.thing" in e for e in errors), errors
    assert "not valid UTF-8 (invalid byte at offset 0)" in errors, errors
    assert any(e.startswith("truncated JSON") for e in errors), errors

    # A restart without a recovery store re-reads everything; the ledger publishes nothing twice.
    run_kafka(settings, exit_at_end=True, epoch_seconds=1)
    assert len(read(settings, "alerts")) == 2


def test_alert_ids_are_deterministic_across_deployments(settings: Settings, unique: str) -> None:
    produce(settings, [("accounts", b"acct_42", j(ACME))])
    run_kafka(settings, exit_at_end=True, epoch_seconds=1)
    # Critical whatever the account's MRR: the second deployment reads the account and the
    # ticket in one run, and may judge the ticket before the account's snapshot is applied.
    ticket = {**generic("T-9", "dana@acme.io", "data disappeared, all of it, this is a disaster"),
              "account_id": "acct_42"}
    produce(settings, [("tickets", None, j(ticket))])
    run_kafka(settings, exit_at_end=True, epoch_seconds=1)
    first = [a["id"] for a in read(settings, "alerts")]

    other = copy.copy(settings)
    other.redis_prefix = f"other{unique}:"
    other.topic_alerts = settings.topic_alerts + ".b"
    ensure_topics(other)
    run_kafka(other, exit_at_end=True, epoch_seconds=1)
    assert [a["id"] for a in read(other, "alerts")] == first and len(first) == 1
