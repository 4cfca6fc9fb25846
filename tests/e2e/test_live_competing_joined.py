"""Accounts, tickets and events produced together to one live ``cuewire run``, in three
batches, with competing candidates arriving slightly out of event-time order: the alert
ids, their threads and what governance held back are those ``cuewire replay`` derives.

Each batch brings fresh accounts. For each, the CRM snapshot is produced a moment
before the account's tickets and events; two frustrated tickets a minute apart compete
for one cooldown (the second is the first's update), and six rules (the ticket's and
five event rules) compete for a daily cap of 3. The records that decide both contests,
the earlier ticket and the third alert in event time, are produced a second after the
rest, so the live flow reads them after later ones; a replay reads the same records
in the same order. The flow is never told an input is finished (it tails the topics).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from confluent_kafka import Producer

from tests.e2e.live_flow import Record, produce, replayed, running_flow, settled_difference, z
from tests.e2e.test_competing_kafka import midday_zone, outcome
from tests.e2e.test_joins_kafka import gated_texts, ticket

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]
BATCHES = 3
ACCOUNTS = 3
SETTLE_S = 120.0
LATE_S = 1.0
"""How much later the out-of-order records are produced than the rest of their batch."""
# (rule, event, priority) in the order the account's events happen, a minute apart.
RULES = [("r-low", "Low Thing Done", "low"), ("r-crit-a", "Crit A Done", "critical"),
         ("r-high", "High Thing Done", "high"), ("r-medium", "Medium Thing Done", "medium"),
         ("r-crit-b", "Crit B Done", "critical")]
TICKET_RULE = "ticket-frustration-gate"


def rules_file(path: Path) -> Path:
    shipped = yaml.safe_load((ROOT / "config" / "rules.yaml").read_text())
    gate = next(r for r in shipped["rules"] if r["id"] == TICKET_RULE)
    path.write_text(yaml.safe_dump({
        "version": 1,
        "signals": {"events": [{"signal": rule.replace("-", "_"), "events": [event]}
                               for rule, event, _ in RULES]},
        "rules": [gate, *({"id": rule, "signal": "churn_risk", "priority": priority,
                           "recommended_action": "Call", "message": "Hi",
                           "when": {"count": {"of": rule.replace("-", "_"), "at_least": 1, "within": "1d"}}}
                          for rule, _, priority in RULES)]}))
    return path


def batch_records(tag: str, now: datetime) -> tuple[list[Record], list[Record], list[Record]]:
    """(snapshots, the records on time, the records a second late) for one batch's accounts."""
    zone = midday_zone(now)
    text = gated_texts()[0]
    snaps: list[Record] = []
    on_time: list[Record] = []
    late: list[Record] = []
    for i in range(ACCOUNTS):
        acct, domain = f"acct_{tag}_{i}", f"{tag}-{i}.test"
        contact = f"dana@{domain}"
        snaps.append(("accounts", acct, {
            "account_id": acct, "name": f"Account {acct}", "domains": [domain], "mrr": 3200,
            "contacts": [contact], "consent": {"email": True},
            "cs_owner": {"name": "Riley Chen", "email": f"owner@{domain}", "timezone": zone},
            "updated_at": z(now - timedelta(minutes=2))}))
        # Two frustrated tickets a minute apart, joined by the contact: the later one first.
        first = ("tickets", acct, ticket(f"{acct}-1", now - timedelta(seconds=90), text, contact))
        second = ("tickets", acct, ticket(f"{acct}-2", now - timedelta(seconds=30), text, contact))
        events: list[Record] = [
            ("events", f"u-{acct}", {
                "type": "track", "event": event, "userId": f"u-{acct}", "messageId": f"m-{acct}-{n}",
                "timestamp": z(now + timedelta(minutes=n)), "context": {"groupId": acct}})
            for n, (_rule, event, _priority) in enumerate([*RULES, RULES[0]])]
        # The cap's third alert in event time (r-crit-a, after the ticket and r-low) is late.
        on_time += [second, events[0], *events[2:]]
        late += [first, events[1]]
    return snaps, on_time, late


@pytest.fixture(scope="module")
def live_flow(kafka_bootstrap: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    """One freshly started, unbounded ``cuewire run``; yields (topics, environment)."""
    rules = rules_file(tmp_path_factory.mktemp("live-competing") / "rules.yaml")
    with running_flow("livejoin", kafka_bootstrap, redis_url, {"CUEWIRE_RULES": str(rules)}) as flow:
        yield flow


def test_three_batches_with_competing_candidates_out_of_order_match_replay(
        live_flow: tuple[dict[str, str], dict[str, str]], kafka_bootstrap: str, tmp_path: Path) -> None:
    topics, env = live_flow
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "enable.idempotence": True})
    sent: list[Record] = []
    for n in range(BATCHES):
        now = datetime.now(UTC).replace(microsecond=0)
        snaps, on_time, late = batch_records(f"b{n}{now:%H%M%S}", now)
        produce(producer, topics, snaps)    # the CRM sync, a moment before ...
        produce(producer, topics, on_time)  # ... the helpdesk relay and the product events,
        time.sleep(LATE_S)
        produce(producer, topics, late)     # some of them a second late
        sent += snaps + on_time + late

        expected = replayed(sent, tmp_path / f"batch{n}.jsonl", env, outcome)
        mine = {k: v for k, v in expected.items() if v[1].startswith(f"acct_b{n}")}
        kinds = {(v[0], v[2]) for v in mine.values()}
        # The contests are real, and the replay decides them in event time: the earlier
        # ticket opens the alert the later one updates, and the cap takes the first three.
        assert ("io.cuewire.alert.updated", TICKET_RULE) in kinds, kinds
        assert ("io.cuewire.alert.updated", "r-low") in kinds, kinds
        assert ("io.cuewire.alert.churn_risk", "r-crit-a") in kinds, kinds
        assert {rule for kind, rule in kinds if kind == "io.cuewire.digest.deferred"} == {
            "r-high", "r-medium", "r-crit-b"}, kinds

        difference = settled_difference(kafka_bootstrap, topics, outcome, expected, SETTLE_S)
        assert difference is None, f"batch {n}: live differs from replay: {difference}"
