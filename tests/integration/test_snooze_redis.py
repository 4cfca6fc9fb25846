"""Snoozes against a real redis-server: kept from feedback, found by governance, expiring after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis

from operators.records import Feedback
from state.governance import GovernanceStore
from state.keys import DAY, Keyspace
from tests.integration.test_governance_redis import THU_10, cand, client, outcomes, run, store

pytestmark = pytest.mark.integration
__all__ = ["client", "store"]  # the fixtures, shared with the governance tests

UNTIL = THU_10 + timedelta(days=14)


def snoozed(alert_id: str, *, account_id: str | None = None, rule: str | None = None,
            until: datetime = UNTIL) -> Feedback:
    return Feedback(alert_id, "snoozed", {}, "riley@vendor.com", THU_10 + timedelta(hours=1),
                    until=until, account_id=account_id, rule=rule)


def test_a_snooze_naming_only_the_alert_silences_its_rule_for_its_account(store: GovernanceStore) -> None:
    assert outcomes(run(store, [cand("a1")])) == {"a1": "publish"}
    assert store.honour_snoozes([snoozed("a1")]) == []
    later = THU_10 + timedelta(days=3)  # past the cooldown: only the snooze holds it back
    [verdict] = run(store, [cand("a2", at=later)])
    assert verdict.outcome == "suppressed"
    assert verdict.reason.startswith("snoozed: riley@vendor.com snoozed rule upgrade-intent for acct_42")
    assert outcomes(run(store, [cand("a3", at=UNTIL + timedelta(hours=1))])) == {"a3": "publish"}
    assert outcomes(run(store, [cand("a4", rule="other", at=later)])) == {"a4": "publish"}


def test_a_snooze_carrying_its_account_and_rule_needs_no_earlier_alert(store: GovernanceStore) -> None:
    assert store.honour_snoozes([snoozed("elsewhere", account_id="acct_42", rule="upgrade-intent")]) == []
    assert outcomes(run(store, [cand("a1", at=THU_10 + timedelta(days=1))])) == {"a1": "suppressed"}


def test_a_snooze_of_an_unknown_alert_is_returned_and_dismissals_are_ignored(store: GovernanceStore) -> None:
    lost = snoozed("never-published")
    dismissed = Feedback("a1", "dismissed", {}, None, THU_10)
    assert store.honour_snoozes([lost, dismissed]) == [lost]
    assert outcomes(run(store, [cand("a1", at=THU_10 + timedelta(days=1))])) == {"a1": "publish"}


def test_a_snooze_is_kept_for_its_span_in_event_time_and_a_redelivery_adds_nothing(
        store: GovernanceStore, client: redis.Redis, unique: str) -> None:
    run(store, [cand("a1")])
    decided = THU_10 + timedelta(hours=1)
    far = decided + timedelta(days=40)
    store.honour_snoozes([snoozed("a1", until=far), snoozed("a1", until=far)])
    store.honour_snoozes([snoozed("a1", until=far - timedelta(days=30))])  # an earlier end keeps the later
    key = Keyspace(f"t{unique}:").governance_snooze("acct_42", "upgrade-intent")
    assert client.zcard(key) == 2
    ttl = client.ttl(key)
    assert 40 * DAY < ttl <= 41 * DAY


def test_a_snooze_in_older_history_still_silences_as_of_its_own_time(store: GovernanceStore) -> None:
    """A replay of last year's input: the snooze ended long ago by the wall clock, yet
    candidates before its end in event time are silenced, as they were live."""
    then = datetime(2025, 3, 6, 10, 0, tzinfo=UTC)
    assert outcomes(run(store, [cand("old-1", at=then)])) == {"old-1": "publish"}
    snooze = Feedback("old-1", "snoozed", {}, "riley@vendor.com", then + timedelta(hours=1),
                      until=then + timedelta(days=14))
    assert store.honour_snoozes([snooze]) == []
    assert outcomes(run(store, [cand("old-2", at=then + timedelta(days=3))])) == {"old-2": "suppressed"}
    assert outcomes(run(store, [cand("old-3", at=then + timedelta(days=15))])) == {"old-3": "publish"}
