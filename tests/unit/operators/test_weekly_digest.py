"""The weekly digest CloudEvent: deterministic id per owner and week, closest accounts first."""

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from operators.near_miss import NearMiss
from operators.weekly_digest import digest_id, iso_week, owner_of, render_weekly_digest, week_bounds

AT = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
DETECTED = datetime(2026, 11, 23, 0, 5, tzinfo=UTC)


def nm(account: str, rule: str, closeness: float, missing: str = "something",
       hour: int = 10) -> dict[str, Any]:
    return NearMiss(account, rule, missing, closeness, AT.replace(hour=hour), ("t-1", "m-2")).to_json()


def render(near_misses: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    return render_weekly_digest("dana@acme.io", "2026-W47", near_misses, "test", DETECTED, **kw)


def test_a_cloud_event_per_owner_and_week() -> None:
    body = render([nm("acct_1", "upgrade-intent", 0.5)])
    assert body["type"] == "io.cuewire.digest.weekly"
    assert body["subject"] == "dana@acme.io"
    assert body["source"] == "cuewire/test"
    assert body["time"] == "2026-11-23T00:05:00Z"
    assert body["id"] == digest_id("dana@acme.io", "2026-W47")
    assert body["data"]["period"] == {"start": "2026-11-16T00:00:00Z", "end": "2026-11-23T00:00:00Z"}
    orjson.dumps(body)  # ready for the wire


def test_the_id_depends_on_owner_and_week_only() -> None:
    first = render([nm("acct_1", "upgrade-intent", 0.5)])["id"]
    assert first == render_weekly_digest("dana@acme.io", "2026-W47", [], "other", datetime.now(UTC))["id"]
    assert first != render_weekly_digest("lee@acme.io", "2026-W47", [], "test", DETECTED)["id"]
    assert first != render_weekly_digest("dana@acme.io", "2026-W48", [], "test", DETECTED)["id"]


def test_accounts_sorted_by_closeness_with_words_percent_and_evidence() -> None:
    body = render([
        nm("acct_1", "upgrade-intent", 0.5, "1 more upgrade-intent signal (1 of 2 within 7 days)"),
        nm("acct_2", "ticket-frustration-gate", 0.892, "7 more points of frustration"),
        nm("acct_3", "repeat-unresolved", 0.667, "1 more ticket about integration"),
    ])
    entries = body["data"]["near_misses"]
    assert [e["account_id"] for e in entries] == ["acct_2", "acct_3", "acct_1"]
    top = entries[0]
    assert top == {
        "account_id": "acct_2",
        "rule": "ticket-frustration-gate",
        "missing": "7 more points of frustration",
        "closeness": 0.892,
        "closeness_percent": 89,
        "summary": "89% of the way to ticket-frustration-gate: missing 7 more points of frustration",
        "at": "2026-11-18T10:00:00Z",
        "evidence_ids": ["t-1", "m-2"],
    }
    assert body["data"]["summary"] == "3 accounts came close to an alert this week (3 near misses)."


def test_closest_per_account_and_rule_and_a_limit() -> None:
    body = render([
        nm("acct_1", "upgrade-intent", 0.5, "early", hour=9),
        nm("acct_1", "upgrade-intent", 0.5, "later", hour=11),
        nm("acct_1", "repeat-unresolved", 0.667),
        nm("acct_2", "upgrade-intent", 0.6),
    ], limit=2)
    entries = body["data"]["near_misses"]
    assert [(e["account_id"], e["rule"]) for e in entries] == [
        ("acct_1", "repeat-unresolved"), ("acct_2", "upgrade-intent")]
    assert body["data"]["omitted"] == 1
    full = render([nm("acct_1", "upgrade-intent", 0.5, "early", hour=9),
                   nm("acct_1", "upgrade-intent", 0.5, "later", hour=11)])
    assert [e["missing"] for e in full["data"]["near_misses"]] == ["later"]  # ties: the later


def test_deterministic_whatever_the_input_order() -> None:
    items = [nm("acct_1", "upgrade-intent", 0.5), nm("acct_2", "repeat-unresolved", 0.667),
             nm("acct_1", "upgrade-intent", 0.75)]
    assert render(items) == render(list(reversed(items)))


def test_an_empty_week() -> None:
    data = render([])["data"]
    assert data["near_misses"] == [] and data["omitted"] == 0
    assert data["summary"] == "No account came close to an alert this week."


def test_iso_weeks_in_utc() -> None:
    assert iso_week(datetime(2026, 11, 16, 0, 0, tzinfo=UTC)) == "2026-W47"
    assert iso_week(datetime(2026, 11, 22, 23, 59, 59, tzinfo=UTC)) == "2026-W47"
    assert iso_week(datetime(2026, 11, 23, 0, 0, tzinfo=UTC)) == "2026-W48"
    assert iso_week(datetime(2027, 1, 1, tzinfo=UTC)) == "2026-W53"  # ISO years straddle
    start, end = week_bounds("2026-W53")
    assert start == datetime(2026, 12, 28, tzinfo=UTC) and end == datetime(2027, 1, 4, tzinfo=UTC)
    with pytest.raises(ValueError, match="ISO week"):
        week_bounds("2026-47")


def test_owner_of_an_account() -> None:
    assert owner_of({"cs_owner": {"name": "Dana Reyes", "email": "dana@acme.io"}}) == "dana@acme.io"
    assert owner_of({"cs_owner": {"name": "Dana Reyes"}}) == "Dana Reyes"
    assert owner_of({"account_id": "acct_1"}) is None
    assert owner_of(None) is None
