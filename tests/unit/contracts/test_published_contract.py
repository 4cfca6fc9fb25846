"""The published JSON Schemas are the models' own, and say what the models say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import TypeAdapter, ValidationError

from contracts.published import PAYLOADS, SCHEMA_DIR, load, rendered
from tests.published import assert_published

FIXTURES = Path(__file__).parents[2] / "fixtures"

ALERT: dict[str, Any] = {
    "specversion": "1.0", "id": "a1", "source": "cuewire/test", "type": "io.cuewire.alert.churn_risk",
    "subject": "acct_42", "time": "2026-11-20T10:16:02Z", "datacontenttype": "application/json",
    "data": {"alert_id": "a1", "account_id": "acct_42", "signal": "churn_risk",
             "rule": "ticket-frustration-gate", "priority": "critical", "status": "staged",
             "summary": "s", "recommended_action": "Book a call",
             "evidence": [{"kind": "ticket", "id": "generic:T-1", "at": "2026-11-20T10:15:00Z"}],
             "first_evidence_at": "2026-11-20T10:15:00Z", "detected_at": "2026-11-20T10:16:02Z"},
}


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_the_checked_in_schema_is_what_the_models_generate(name: str) -> None:
    path = SCHEMA_DIR / f"{name}.schema.json"
    assert path.exists(), f"{path} is missing: run `make schemas`"
    assert path.read_text(encoding="utf-8") == rendered(name), \
        f"{path} drifted from the models: run `make schemas`"
    jsonschema.Draft202012Validator.check_schema(load(name))


def test_every_schema_file_is_one_the_models_publish() -> None:
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.json")) == sorted(f"{n}.schema.json" for n in PAYLOADS)


def _agree(name: str, value: dict[str, Any]) -> bool:
    """Schema and model must give the same verdict on ``value``; returns it."""
    by_schema = jsonschema.Draft202012Validator(load(name)).is_valid(value)
    try:
        TypeAdapter(PAYLOADS[name][1]).validate_python(value)
        by_model = True
    except ValidationError:
        by_model = False
    assert by_schema == by_model, f"{name}: schema says {by_schema}, model says {by_model} for {value}"
    return by_schema


@pytest.mark.parametrize("fixture", sorted((FIXTURES / "tickets").glob("*.json")), ids=lambda p: p.stem)
def test_the_vendors_documented_webhooks_validate(fixture: Path) -> None:
    assert _agree("ticket-webhook", json.loads(fixture.read_text()))


@pytest.mark.parametrize("fixture", sorted((FIXTURES / "events").glob("*.json")), ids=lambda p: p.stem)
def test_segment_calls_validate(fixture: Path) -> None:
    assert _agree("segment-message", json.loads(fixture.read_text()))


def test_what_the_model_refuses_the_schema_refuses() -> None:
    generic = {"source": "generic", "ticket_id": 17, "subject": "", "body": "b",
               "created_at": "2026-11-20T10:15:00Z"}
    assert _agree("ticket-webhook", generic), "numeric ids are accepted, as the helpdesks send them"
    assert not _agree("ticket-webhook", {k: v for k, v in generic.items() if k != "body"})
    assert not _agree("segment-message", {"type": "track", "userId": "u1"}), "a track names its event"
    assert _agree("account-snapshot", {"account_id": "acct_42", "mrr": 3200})
    assert not _agree("account-snapshot", {"account_id": "acct_42", "mrr": -1})
    assert not _agree("feedback", {"alert_id": "a1", "decision": "liked"})
    assert _agree("alert", ALERT)
    assert not _agree("alert", {**ALERT, "type": "io.cuewire.digest.suppressed"})
    assert not _agree("alert", {**ALERT, "data": {**ALERT["data"], "priority": "urgent"}})


def test_the_e2e_assertion_names_the_record_and_the_field() -> None:
    assert_published("alerts", [ALERT, json.dumps(ALERT).encode()])
    broken = {**ALERT, "data": {k: v for k, v in ALERT["data"].items() if k != "alert_id"}}
    with pytest.raises(AssertionError, match=r"alerts record 1 .*alert\.schema\.json at data: 'alert_id'"):
        assert_published("alerts", [ALERT, broken])
    with pytest.raises(AssertionError, match="dead-letter"):
        assert_published("dlq", [{"topic": "t", "error": "e"}])  # no `at`
