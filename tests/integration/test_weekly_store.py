"""The weekly digest store against a real redis-server: closest per account and rule,
weeks due once they end, taken once, every key with a TTL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis

from operators.near_miss import NearMiss
from state.keys import Keyspace, TTLs
from state.redis_client import ROUND_TRIPS, connect
from state.weekly import UNASSIGNED, WeeklyDigestStore

pytestmark = pytest.mark.integration

WED = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)      # 2026-W47
WEEK_END = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # Monday of W48
OWNERS: dict[str, str | None] = {"acct_1": "dana@acme.io", "acct_2": "dana@acme.io", "acct_3": "lee@acme.io"}


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    return connect(redis_url)


@pytest.fixture
def keyspace(unique: str) -> Keyspace:
    return Keyspace(f"t{unique}:")


@pytest.fixture
def store(client: redis.Redis, keyspace: Keyspace) -> WeeklyDigestStore:
    return WeeklyDigestStore(client, keyspace, TTLs())


def nm(account: str, rule: str, closeness: float, at: datetime = WED, missing: str = "x") -> NearMiss:
    return NearMiss(account, rule, missing, closeness, at, (f"ev-{account}-{closeness}",))


def test_record_then_take_the_closest_once(store: WeeklyDigestStore) -> None:
    before = ROUND_TRIPS.value
    store.record([nm("acct_1", "upgrade-intent", 0.5), nm("acct_1", "repeat-unresolved", 0.667),
                  nm("acct_3", "upgrade-intent", 0.5)], OWNERS)
    assert ROUND_TRIPS.value - before == 1
    # a later batch: a closer miss for acct_1, a less close one for acct_3, a redelivered one
    store.record([nm("acct_1", "upgrade-intent", 0.75, WED + timedelta(days=1)),
                  nm("acct_3", "upgrade-intent", 0.25), nm("acct_1", "repeat-unresolved", 0.667)], OWNERS)
    assert store.due_weeks(WEEK_END - timedelta(seconds=1)) == []  # the week has not ended
    assert store.due_weeks(WEEK_END) == [("dana@acme.io", "2026-W47"), ("lee@acme.io", "2026-W47")]

    taken = store.take("dana@acme.io", "2026-W47")
    assert [(t["account_id"], t["rule_id"], t["closeness"]) for t in taken] == [
        ("acct_1", "upgrade-intent", 0.75), ("acct_1", "repeat-unresolved", 0.667)]
    assert NearMiss.from_json(taken[0]) == nm("acct_1", "upgrade-intent", 0.75, WED + timedelta(days=1))
    assert store.take("dana@acme.io", "2026-W47") == []           # taken once
    assert store.due_weeks(WEEK_END) == [("lee@acme.io", "2026-W47")]
    assert [t["closeness"] for t in store.take("lee@acme.io", "2026-W47")] == [0.5]
    assert store.due_weeks(WEEK_END + timedelta(days=30)) == []


def test_a_late_near_miss_does_not_reopen_a_published_week(store: WeeklyDigestStore) -> None:
    store.record([nm("acct_1", "upgrade-intent", 0.5)], OWNERS)
    assert store.take("dana@acme.io", "2026-W47") != []
    store.record([nm("acct_2", "upgrade-intent", 0.9)], OWNERS)
    assert store.due_weeks(WEEK_END) == []
    assert store.take("dana@acme.io", "2026-W47") == []


def test_weeks_by_evidence_time_and_unowned_accounts(store: WeeklyDigestStore) -> None:
    sunday_night = datetime(2026, 11, 22, 23, 59, tzinfo=UTC)
    monday = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    store.record([nm("acct_1", "upgrade-intent", 0.5, sunday_night),
                  nm("acct_1", "upgrade-intent", 0.6, monday), nm("acct_9", "abandonment", 0.9)], OWNERS)
    assert store.due_weeks(WEEK_END) == [("dana@acme.io", "2026-W47"), (UNASSIGNED, "2026-W47")]
    assert store.due_weeks(WEEK_END + timedelta(days=7)) == [
        ("dana@acme.io", "2026-W47"), (UNASSIGNED, "2026-W47"), ("dana@acme.io", "2026-W48")]
    assert [t["closeness"] for t in store.take("dana@acme.io", "2026-W47")] == [0.5]
    assert [t["account_id"] for t in store.take(UNASSIGNED, "2026-W47")] == ["acct_9"]


def test_concurrent_takers_get_the_week_once(client: redis.Redis, keyspace: Keyspace) -> None:
    a, b = WeeklyDigestStore(client, keyspace, TTLs()), WeeklyDigestStore(client, keyspace, TTLs())
    a.record([nm("acct_1", "upgrade-intent", 0.5)], OWNERS)
    results = [a.take("dana@acme.io", "2026-W47"), b.take("dana@acme.io", "2026-W47")]
    assert sorted(len(r) for r in results) == [0, 1]


def test_bounded_and_every_key_expires(client: redis.Redis, keyspace: Keyspace) -> None:
    ttls = TTLs(weekly_digest=1000, weekly_digest_sent=2000)
    store = WeeklyDigestStore(client, keyspace, ttls, cap=3)
    store.record([nm(f"acct_{i}", "upgrade-intent", 0.5 + i / 100) for i in range(10)],
                 dict.fromkeys((f"acct_{i}" for i in range(10)), "dana@acme.io"))
    assert client.zcard(keyspace.weekly_digest("dana@acme.io", "2026-W47")) == 3
    before = set(client.scan_iter(match=keyspace.pattern()))
    assert len(before) == 2  # the owner-week and the index
    store.take("dana@acme.io", "2026-W47")
    after = set(client.scan_iter(match=keyspace.pattern()))
    # the index is empty now (gone); the owner-week stays until its TTL, beside the published marker
    assert len(after) == 2
    for key in before | after:
        if client.exists(key):
            assert 0 < client.ttl(key) <= 2000, key
    assert 1000 < client.ttl(keyspace.weekly_digest_sent("dana@acme.io", "2026-W47")) <= 2000
    # owners' addresses never appear in key names
    assert not any(b"dana" in k for k in before | after)
