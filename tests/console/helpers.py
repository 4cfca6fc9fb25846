"""Building blocks of the console tests: alerts on the topic, users, a running console."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import yaml
from confluent_kafka import Producer
from fastapi.testclient import TestClient

from config.settings import Settings
from console.app import Console, create_app
from console.auth import hash_password
from console.server import console_parts
from console.settings import ConsoleSettings
from contracts.published import load
from flows.kafka_io import read_to_end
from tests.e2e.test_flow_kafka import read as read_published

PASSWORD = "correct horse battery"
RILEY, SAM, ADMIN = "riley@vendor.test", "sam@vendor.test", "ops@vendor.test"
SECRET_TEXT = "the invoice totals are wrong again and we are furious"


def users_file(tmp: Path) -> Path:
    path = tmp / "users.yaml"
    if not path.exists():
        hashed = hash_password(PASSWORD)
        path.write_text(yaml.safe_dump({"users": [
            {"email": RILEY, "name": "Riley Chen", "password_hash": hashed},
            {"email": SAM, "name": "Sam Ortiz", "password_hash": hashed},
            {"email": ADMIN, "name": "Ops", "password_hash": hashed, "admin": True},
        ]}))
    return path


def alert_event(alert_id: str, *, account_id: str = "acct_42", owner: str = RILEY,
                rule: str = "ticket-frustration-gate", priority: str = "high",
                detected_at: str = "2026-11-20T10:16:02Z", signal: str = "churn_risk") -> dict[str, Any]:
    data = {
        "alert_id": alert_id, "account_id": account_id, "account_name": f"Acme {account_id}",
        "signal": signal, "rule": rule, "priority": priority, "score": 87, "status": "staged",
        "owner": {"name": "Riley Chen" if owner == RILEY else "Sam Ortiz", "email": owner},
        "health_score": 58, "mrr": 3200, "renewal_date": "2027-01-10",
        "summary": "Dana at Acme raised a data problem (frustration 87/100).",
        "risk_factors": ["score 87 ≥ 80", "renewal in 40 days", "MRR 3,200"],
        "recommended_action": "Book a call within 24 hours",
        "suggested_message": "Hi Dana — I saw your note. Riley",
        "evidence": [{"kind": "ticket", "id": "T-1", "at": "2026-11-20T10:15:00Z",
                      "text": SECRET_TEXT, "phrases": ["invoice totals are wrong", "furious"]}],
        "first_evidence_at": "2026-11-20T10:15:00Z", "detected_at": detected_at,
    }
    return {"specversion": "1.0", "id": alert_id, "source": "cuewire/test",
            "type": f"io.cuewire.alert.{signal}", "subject": account_id, "time": detected_at,
            "datacontenttype": "application/json", "data": data}


def produce(settings: Settings, kind: str, records: list[tuple[bytes | None, dict[str, Any]]]) -> None:
    producer = Producer(settings.kafka_producer())
    for key, value in records:
        producer.produce(settings.topic(kind), orjson.dumps(value), key)  # type: ignore[arg-type]
    assert producer.flush(30) == 0


@contextlib.contextmanager
def console_client(settings: Settings, database_url: str, tmp: Path, *,
                   rebuild: bool = False) -> Iterator[tuple[Console, TestClient]]:
    cs = ConsoleSettings(database_url=database_url, users_file=users_file(tmp),
                         secret_key="test-secret")  # type: ignore[arg-type]
    with console_parts(settings, cs, rebuild=rebuild) as console, \
            TestClient(create_app(console)) as client:
        yield console, client


def read(settings: Settings, kind: str) -> list[dict[str, Any]]:
    """Every record on the topic; feedback (the console's output) must validate against the
    feedback schema it is published under, as the flow's outputs do against theirs."""
    if kind != "feedback":
        return read_published(settings, kind)
    schema = load("feedback")
    check = jsonschema.validators.validator_for(schema)(schema)
    found = []
    for key, value in read_to_end(settings.kafka_consumer(), settings.topic_feedback, 20):
        record = orjson.loads(value)
        errors = [e.message for e in check.iter_errors(record)]
        assert not errors, f"feedback breaks contracts/schemas/feedback.schema.json: {errors}"
        found.append({"key": key, **record})
    return found


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, email: str) -> str:
    """Signs in; returns the CSRF token of the signed-in session."""
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token,
                                           "next": "/inbox"})
    assert response.status_code == 200 and "signed-in" in response.text, "signed in and on the inbox"
    return csrf_of(response.text)
