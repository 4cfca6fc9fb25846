"""Governance against a real redis-server: cooldown, cap with deferral and the deferred queue,
suppression during an open frustrated ticket, consent, the explain log, round trips and TTLs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis

from operators.govern import Candidate, Verdict, candidate_from_dict, govern
from operators.records import Feedback
from state.governance import GovernanceStore, TicketStatus
from state.keys import Keyspace, TTLs
from state.redis_client import ROUND_TRIPS, connect
from tests.governance_world import ACCOUNT, POLICY, THU_10

pytestmark = pytest.mark.integration


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    return connect(redis_url)


@pytest.fixture
def store(client: redis.Redis, unique: str) -> GovernanceStore:
    return GovernanceStore(client, Keyspace(f"t{unique}:"), TTLs())


def cand(alert_id: str, *, rule: str = "upgrade-intent", at: datetime = THU_10, priority: str = "medium",
         promotional: bool = False, account: dict[str, Any] | None = None) -> Candidate:
    return Candidate(alert_id, rule, "acct_42", "upgrade_intent" if promotional else "churn_risk",
                     priority, promotional, at, ACCOUNT if account is None else account,  # type: ignore[arg-type]
                     None)


def run(store: GovernanceStore, candidates: list[Candidate]) -> list[Verdict]:
    """One batch as the flow runs it: fetch, govern, commit."""
    verdicts, writes = govern(candidates, store.fetch(candidates, POLICY), POLICY)
    store.commit(writes, verdicts)
    return verdicts


def outcomes(verdicts: list[Verdict]) -> dict[str, str]:
    return {v.candidate.alert_id: v.outcome for v in verdicts}


def threads(verdicts: list[Verdict]) -> dict[str, str | None]:
    return {v.candidate.alert_id: v.update.thread_id if v.update else None for v in verdicts}


def test_an_open_alert_gathers_updates_across_batches_for_48h(store: GovernanceStore) -> None:
    assert threads(run(store, [cand("a1")])) == {"a1": None}
    assert threads(run(store, [cand("a2", at=THU_10 + timedelta(hours=47))])) == {"a2": "a1"}
    assert threads(run(store, [cand("a3", at=THU_10 + timedelta(hours=48))])) == {"a3": None}
    # A redelivered batch re-derives a1: published again (the ledger drops the copy), not silenced.
    assert outcomes(run(store, [cand("a1")])) == {"a1": "publish"}


def test_an_escalation_survives_the_store_and_a_re_derived_update_is_the_same(
        store: GovernanceStore) -> None:
    run(store, [cand("a1", priority="low")])
    [escalated] = run(store, [cand("a2", priority="critical", at=THU_10 + timedelta(hours=1))])
    assert escalated.update is not None and escalated.update.change == "escalated"
    [again] = run(store, [cand("a2", priority="critical", at=THU_10 + timedelta(hours=1))])
    assert again == escalated
    [later] = run(store, [cand("a3", priority="high", at=THU_10 + timedelta(hours=2))])
    assert later.update is not None and (later.update.change, later.update.priority) == (
        "new_evidence", "critical")


def test_a_cooldown_kept_before_threads_reads_as_a_thread_without_priority(
        store: GovernanceStore, client: redis.Redis, unique: str) -> None:
    key = Keyspace(f"t{unique}:").governance_cooldown("acct_42", "upgrade-intent")
    client.zadd(key, {b'{"alert_id":"old","since":"2026-11-19T10:00:00+00:00",'
                      b'"until":"2026-11-21T10:00:00+00:00"}': THU_10.timestamp()})
    [v] = run(store, [cand("a2", priority="critical", at=THU_10 + timedelta(hours=1))])
    assert v.update is not None and (v.update.thread_id, v.update.change) == ("old", "new_evidence")


def test_cap_defers_the_latest_in_event_time_and_due_resubmits_it(store: GovernanceStore) -> None:
    batch = [cand("crit", rule="r-crit", priority="critical"),
             cand("high", rule="r-high", priority="high", at=THU_10 + timedelta(minutes=5)),
             cand("med", rule="r-med", priority="medium", at=THU_10 + timedelta(minutes=6)),
             cand("low", rule="r-low", priority="low", at=THU_10 + timedelta(minutes=7))]
    assert outcomes(run(store, batch)) == {
        "low": "deferred", "crit": "publish", "high": "publish", "med": "publish"}
    # A fifth alert later that day is deferred too: the cap is kept across batches.
    assert outcomes(run(store, [cand("late", rule="r-late", at=THU_10 + timedelta(hours=3))])) == {
        "late": "deferred"}

    assert store.due(THU_10 + timedelta(hours=12)) == []
    midnight = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    due = [candidate_from_dict(d) for d in store.due(midnight)]
    assert sorted(c.alert_id for c in due) == ["late", "low"]
    assert all(c.at == midnight for c in due)
    # Leased, not lost: until settled they come back after the lease.
    assert store.due(midnight + timedelta(minutes=1)) == []
    assert len(store.due(midnight + timedelta(minutes=11))) == 2
    # Governed again as of the retry, they are published and leave the queue.
    assert outcomes(run(store, due)) == {"late": "publish", "low": "publish"}
    assert store.due(midnight + timedelta(days=2)) == []


def test_promotional_alert_waits_for_the_frustrated_ticket_to_be_solved(store: GovernanceStore) -> None:
    store.track_tickets([TicketStatus("acct_42", "zendesk:35436", True, True, THU_10 - timedelta(hours=2)),
                         TicketStatus("acct_42", "zendesk:99", False, True, THU_10 - timedelta(hours=2))])
    held = run(store, [cand("up1", promotional=True)])
    assert outcomes(held) == {"up1": "suppressed"}
    assert "zendesk:35436" in held[0].reason and "zendesk:99" not in held[0].reason
    # A churn alert is not held back by the same ticket.
    assert outcomes(run(store, [cand("churn", rule="cancellation-intent", priority="high")])) == {
        "churn": "publish"}

    store.track_tickets([TicketStatus("acct_42", "zendesk:35436", False, False, THU_10 + timedelta(hours=1))])
    assert outcomes(run(store, [cand("up2", promotional=True, at=THU_10 + timedelta(hours=2))])) == {
        "up2": "publish"}
    # As of a time the ticket was still open, the verdict is the same as it was then.
    assert outcomes(run(store, [cand("up3", rule="r2", promotional=True,
                                     at=THU_10 + timedelta(minutes=30))])) == {"up3": "suppressed"}


def test_a_reopened_ticket_suppresses_again(store: GovernanceStore) -> None:
    t = "intercom:7"
    store.track_tickets([TicketStatus("acct_42", t, True, True, THU_10 - timedelta(hours=5)),
                         TicketStatus("acct_42", t, False, False, THU_10 - timedelta(hours=4))])
    assert outcomes(run(store, [cand("up1", promotional=True)])) == {"up1": "publish"}
    store.track_tickets([TicketStatus("acct_42", t, False, True, THU_10 + timedelta(hours=1))])
    later = THU_10 + timedelta(days=3)
    assert outcomes(run(store, [cand("up2", promotional=True, at=later)])) == {"up2": "suppressed"}


def test_consent_false_suppresses(store: GovernanceStore) -> None:
    verdicts = run(store, [cand("a1", account={"consent": {"email": False}})])
    assert outcomes(verdicts) == {"a1": "suppressed"}
    # Suppressed alerts start no cooldown.
    assert outcomes(run(store, [cand("a2", at=THU_10 + timedelta(hours=1))])) == {"a2": "publish"}


def test_explain_returns_every_suppression_and_deferral_with_its_reason(store: GovernanceStore) -> None:
    run(store, [cand("a1")])
    run(store, [cand("a2", at=THU_10 + timedelta(hours=1))])                       # an update: not held
    run(store, [cand("a3", rule="r3", account={"consent": {"email": False}})])    # consent
    run(store, [cand("a3", rule="r3", account={"consent": {"email": False}})])    # redelivered
    run(store, [cand("a4", rule="r4", promotional=True, account={"consent": {"email": False}},
                     at=THU_10 + timedelta(hours=2))])
    entries = store.explain("acct_42")
    assert [(e["alert_id"], e["outcome"]) for e in entries] == [("a4", "suppressed"), ("a3", "suppressed")]
    assert entries[1]["reason"].startswith("no consent")
    assert entries[1]["rule"] == "r3" and entries[0]["at"] == "2026-11-19T12:00Z"
    assert store.explain("acct_42", limit=1) == entries[:1]
    assert store.explain("acct_nobody") == []


def test_one_round_trip_per_fetch_and_per_commit(store: GovernanceStore) -> None:
    batch = [cand(f"a{i}", rule=f"r{i % 7}", at=THU_10 + timedelta(minutes=i), priority="low")
             for i in range(300)]
    before = ROUND_TRIPS.value
    view = store.fetch(batch, POLICY)
    assert ROUND_TRIPS.value - before == 1
    verdicts, writes = govern(batch, view, POLICY)
    store.commit(writes, verdicts)
    assert ROUND_TRIPS.value - before == 2


def test_every_key_has_a_ttl(store: GovernanceStore, client: redis.Redis, unique: str) -> None:
    store.track_tickets([TicketStatus("acct_42", "t1", True, True, THU_10 - timedelta(hours=1)),
                         TicketStatus("acct_42", "t2", True, True, THU_10 - timedelta(hours=1)),
                         TicketStatus("acct_42", "t2", False, False, THU_10 - timedelta(minutes=30))])
    run(store, [cand(f"a{i}", rule=f"r{i}", priority="high") for i in range(5)]
        + [cand("up", rule="up", promotional=True)])
    store.due(datetime(2026, 11, 20, 0, 0, tzinfo=UTC))
    store.honour_snoozes([Feedback("a0", "snoozed", {}, None, THU_10,
                                    until=datetime.now(UTC) + timedelta(days=3))])
    keys = client.keys(f"t{unique}:*")
    kinds = {k.decode().split(":")[2] for k in keys}
    assert kinds == {"cool", "day", "tickets", "log", "deferred", "alert", "snooze"}
    assert all(client.ttl(k) > 0 for k in keys), [k for k in keys if client.ttl(k) <= 0]
