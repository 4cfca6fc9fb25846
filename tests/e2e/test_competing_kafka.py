"""Competing candidates of one account, against one live ``cuewire run``, decide as a replay does.

Five rules of different priorities fire for each account within minutes (the daily
cap is 3), and the first rule fires twice (the second match lands inside its
cooldown). The live flow sees the events a few seconds apart, one batch each; a
replay of the same records sees them all at once. Governance decides per account
in event-time order, so both publish the same alerts, the same update of the open
alert, and defer the same two alerts; ranking a batch by priority first would make
the replay publish the two critical ones and defer the first, low one instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from confluent_kafka import Producer

from tests.e2e.live_flow import (
    Record,
    produce,
    published,
    replayed,
    running_flow,
    settled_difference,
    wait_for,
    z,
)

pytestmark = pytest.mark.e2e

SETTLE_S = 90.0
ACCOUNTS = 3
# (rule, event, priority) in the order the account's events happen.
RULES = [("r-low", "Low Thing Done", "low"), ("r-crit-a", "Crit A Done", "critical"),
         ("r-high", "High Thing Done", "high"), ("r-medium", "Medium Thing Done", "medium"),
         ("r-crit-b", "Crit B Done", "critical")]


def rules_file(path: Path) -> Path:
    path.write_text(yaml.safe_dump({
        "version": 1,
        "signals": {"events": [{"signal": rule.replace("-", "_"), "events": [event]}
                               for rule, event, _ in RULES]},
        "rules": [{"id": rule, "signal": "churn_risk", "priority": priority, "recommended_action": "Call",
                   "message": "Hi", "when": {"count": {"of": rule.replace("-", "_"), "at_least": 1,
                                                       "within": "1d"}}}
                  for rule, _, priority in RULES]}))
    return path


def midday_zone(now: datetime) -> str:
    """A fixed-offset zone where ``now`` is near noon: the owner's day (and the daily cap's)
    does not turn over while the test runs, whenever it runs."""
    offset = (12 - now.hour + 12) % 24 - 12  # hours east of UTC, -12..11
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"


def account_records(tag: str, now: datetime) -> tuple[list[Record], list[list[Record]]]:
    """(snapshots, then each step's events: one event per account per step)."""
    zone = midday_zone(now)
    snaps: list[Record] = []
    steps: list[list[Record]] = [[] for _ in range(len(RULES) + 1)]
    for i in range(ACCOUNTS):
        acct = f"acct_{tag}_{i}"
        snaps.append(("accounts", acct, {
            "account_id": acct, "name": f"Account {acct}", "mrr": 3200, "consent": {"email": True},
            "cs_owner": {"name": "Riley Chen", "email": f"owner@{acct}.test", "timezone": zone},
            "updated_at": z(now - timedelta(seconds=5))}))
        # The first rule again last, a minute after the others: news for its open alert.
        order = [*RULES, RULES[0]]
        for n, (_rule, event, _priority) in enumerate(order):
            steps[n].append(("events", f"u-{acct}", {
                "type": "track", "event": event, "userId": f"u-{acct}", "messageId": f"m-{acct}-{n}",
                "timestamp": z(now + timedelta(minutes=n)), "context": {"groupId": acct}}))
    return snaps, steps


def outcome(records: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    """By output id: alerts and updates (type, account, rule, priority, thread), and what
    governance held back (type, account, rule)."""
    out: dict[str, tuple[Any, ...]] = {}
    for r in records:
        data = r["data"]
        if r["type"].startswith("io.cuewire.alert."):
            out[r["id"]] = (r["type"], data["account_id"], data["rule"], data["priority"],
                            data.get("thread_id"))
        elif r["type"] in ("io.cuewire.digest.deferred", "io.cuewire.digest.suppressed"):
            out[r["id"]] = (r["type"], data["account_id"], data["rule"])
    return out


@pytest.fixture(scope="module")
def live_flow(kafka_bootstrap: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    """One freshly started ``cuewire run`` with the five rules; yields (topics, environment)."""
    rules = rules_file(tmp_path_factory.mktemp("competing") / "rules.yaml")
    with running_flow("compete", kafka_bootstrap, redis_url, {"CUEWIRE_RULES": str(rules)}) as flow:
        yield flow


def seen(kafka: str, topics: dict[str, str]) -> dict[str, tuple[Any, ...]]:
    return published(kafka, topics, outcome)


def test_competing_candidates_decide_live_as_in_a_replay(
        live_flow: tuple[dict[str, str], dict[str, str]], kafka_bootstrap: str, tmp_path: Path) -> None:
    topics, env = live_flow
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "enable.idempotence": True})
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    snaps, steps = account_records(f"c{now:%H%M%S}", now)
    produce(producer, topics, snaps)
    sent: list[Record] = [*snaps]
    for step in steps:  # one at a time: each step's candidates reach govern on their own
        wanted = len(seen(kafka_bootstrap, topics)) + len(step)
        produce(producer, topics, step)
        sent += step
        wait_for(lambda n=wanted: len(seen(kafka_bootstrap, topics)) >= n,  # type: ignore[misc]
                 "the step's alerts or deferrals", SETTLE_S)

    expected = replayed(sent, tmp_path / "records.jsonl", env, outcome)
    by_kind: dict[str, set[str]] = {}
    for kind, _account, rule, *_ in expected.values():
        by_kind.setdefault(kind, set()).add(rule)
    # Per account: the first three rules in event time published, the last two deferred,
    # and the first rule's second match an update of its open alert.
    assert by_kind == {"io.cuewire.alert.churn_risk": {"r-low", "r-crit-a", "r-high"},
                       "io.cuewire.digest.deferred": {"r-medium", "r-crit-b"},
                       "io.cuewire.alert.updated": {"r-low"}}, by_kind
    assert len(expected) == ACCOUNTS * (len(RULES) + 1)

    difference = settled_difference(kafka_bootstrap, topics, outcome, expected, SETTLE_S)
    assert difference is None, f"live differs from replay: {difference}"
