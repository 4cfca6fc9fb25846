"""Governance and rule conditions a rules file turns on, through the whole flow.

A rules file of small rules (one signal each) and one replay in which each account
meets one decision: a reviewer's snooze, the daily cap's deferral, the
rules' account conditions, a holdout group, consent, the owner's own working hours.
"""

from __future__ import annotations

from typing import Any

import pytest

from operators.holdout import in_holdout
from tests.replay_world import (
    Line,
    Published,
    account,
    alerts,
    at,
    digest,
    feedback,
    reasons,
    replay,
    rules_file,
    track,
)

SALT = "governance-test"
UNTIL = "2099-01-01T00:00:00Z"
HOLDOUT_ACCOUNTS = [f"held_{i}" for i in range(16)]
RULES: list[dict[str, Any]] = [
    {"id": "pricing", "signal": "upgrade_intent", "promotional": True,
     "when": {"count": {"of": "upgrade_intent", "at_least": 2, "within": "7d"}}},
    {"id": "enterprise-seats", "signal": "upgrade_intent", "priority": "high",
     "account": [{"field": "plan", "equals": "enterprise"}, {"field": "mrr", "at_least": 1000}],
     "when": {"count": {"of": "seat_limit", "at_least": 1, "within": "1d"}}},
    {"id": "export-watch", "signal": "churn_risk", "holdout": "50%",
     "when": {"count": {"of": "data_export", "at_least": 1, "within": "1d"}}},
    *({"id": f"demo-{p}", "signal": "demo", "priority": p,
       "when": {"count": {"of": "demo", "at_least": 1, "within": "1d"}}} for p in ("high", "medium", "low")),
]
EVENTS = {"upgrade_intent": ["Pricing Page Viewed"], "seat_limit": ["Seat Limit Reached"],
          "data_export": ["Data Export Started"], "demo": ["Demo Requested"], "login": ["Signed In"]}


def pricing(account_id: str, day: float, hour: float = 10) -> list[Line]:
    return [track(account_id, "Pricing Page Viewed", day, hour),
            track(account_id, "Pricing Page Viewed", day, hour + 0.5)]


def history() -> list[Line]:
    lines = [account(a) for a in ("snoozed", "woken", "capped")]
    lines += [account("ent", mrr=5000, plan="enterprise"), account("entsmall", mrr=500, plan="enterprise"),
              account("smb", mrr=5000, plan="starter"), account("noplan", mrr=5000),
              account("noconsent", consent={"email": False}),
              account("tokyo", cs_owner={"name": "Aki", "email": "aki@vendor.test",
                                         "timezone": "Asia/Tokyo"})]
    lines += [account(a) for a in HOLDOUT_ACCOUNTS]
    # The console names the account and rule, so the flow needs no earlier alert to honour it.
    # Snoozes expire from Redis a day after they end, by the wall clock: this one ends
    # long after the test runs.
    lines += [feedback(alert_id="a-snoozed", decision="snoozed", until=UNTIL, account_id="snoozed",
                       rule="pricing", at=at(0, 8), by="riley@vendor.test"),
              feedback(alert_id="a-woken", decision="snoozed", until=at(1), account_id="woken",
                       rule="pricing", at=at(0, 8), by="riley@vendor.test")]
    # A replay hands each account's records to the patterns and governance at the end of
    # the input; feedback is learned in batches of 500 (or after 5 s): these fill the batch,
    # so the snoozes are kept before anything is governed.
    lines += [feedback(alert_id=f"a-pad-{i}", decision="snoozed", until=at(10), account_id=f"pad_{i}",
                       rule="pricing", at=at(0, 8)) for i in range(500)]
    lines += pricing("snoozed", 1) + pricing("woken", 1) + pricing("noconsent", 1) + pricing("tokyo", 1)
    lines += [track(a, "Seat Limit Reached", 1, 11) for a in ("ent", "entsmall", "smb", "noplan")]
    lines += [track(a, "Data Export Started", 1, 12) for a in HOLDOUT_ACCOUNTS]
    lines += [track("capped", "Demo Requested", 1, 13)]
    return lines


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Published:
    tmp = tmp_path_factory.mktemp("governance")
    rules = rules_file(tmp / "rules.yaml", RULES, EVENTS, daily_cap=2, holdout_salt=SALT)
    return replay(tmp, history(), rules)


def test_a_reviewers_snooze_silences_the_rule_until_it_ends(out: Published) -> None:
    assert alerts(out, "snoozed") == []
    assert reasons(out, "snoozed") == [
        "snoozed: riley@vendor.test snoozed rule pricing for snoozed until 2099-01-01T00:00Z "
        "(alert a-snoozed)"]
    assert len(alerts(out, "woken", "pricing")) == 1  # its snooze ended before the evidence
    assert reasons(out, "woken") == []


def test_a_rule_fires_only_for_accounts_its_conditions_hold_for(out: Published) -> None:
    [alert] = alerts(out, "ent", "enterprise-seats")
    assert alert["priority"] == "high"
    for other in ("entsmall", "smb", "noplan"):  # MRR too small, another plan, no plan at all
        assert alerts(out, other) == [] and reasons(out, other) == []


def test_the_holdout_group_is_governed_then_recorded_on_the_digest(out: Published) -> None:
    held = {a for a in HOLDOUT_ACCOUNTS if in_holdout("export-watch", a, 0.5, SALT)}
    assert 2 <= len(held) <= 14
    for a in HOLDOUT_ACCOUNTS:
        published, recorded = alerts(out, a, "export-watch"), digest(out, a, "holdout")
        if a in held:
            assert published == []
            [record] = recorded
            assert record["holdout"] is True and record["alert"]["rule"] == "export-watch"
        else:
            assert len(published) == 1 and recorded == []


def test_over_the_daily_cap_the_lowest_priority_is_deferred_to_the_next_day(out: Published) -> None:
    [deferred] = digest(out, "capped", "deferred")
    assert deferred["rule"] == "demo-low" and deferred["retry_at"] == "2026-11-04T00:00Z"
    assert deferred["reason"].startswith("daily cap: 2 alerts already published for capped on 2026-11-03")
    assert [a["rule"] for a in alerts(out, "capped")] == ["demo-high", "demo-medium"]


def test_no_consent_for_the_channel_suppresses(out: Published) -> None:
    assert alerts(out, "noconsent") == []
    assert reasons(out, "noconsent") == ["no consent: noconsent has not consented to the email channel"]


def test_working_hours_are_the_owners_own(out: Published) -> None:
    """10:30 UTC is 19:30 in Tokyo: marked for 09:00 there (00:00 UTC)."""
    [alert] = alerts(out, "tokyo", "pricing")
    assert (alert["queue"], alert["deliver_after"]) == ("next_morning", "2026-11-04T00:00:00Z")
