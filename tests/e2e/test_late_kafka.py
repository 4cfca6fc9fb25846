"""Records read late, across batches: what only a live flow sees, through real Kafka and Redis.

A replay hands each account's records on in one batch at the end of its input, so
records read out of time order there are evaluated together. Over Kafka each run of
the flow reads what was produced since the last (it resumes from its recovery store),
so a record produced after later ones arrives in a later batch, against windows that
already hold the later records, and deferred alerts are retried on the clock.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
import pytest

from config.settings import Settings
from cuewire.app import run_kafka
from flows.kafka_io import ensure_topics
from tests.e2e.test_flow_kafka import produce, read
from tests.replay_world import Line, account, at, rules_file, track

pytestmark = pytest.mark.e2e

RULES = [
    {"id": "pricing", "signal": "upgrade_intent",
     "when": {"count": {"of": "upgrade_intent", "at_least": 2, "within": "7d"}}},
    *({"id": f"demo-{p}", "signal": "demo", "priority": p,
       "when": {"count": {"of": "demo", "at_least": 1, "within": "1d"}}} for p in ("high", "medium", "low")),
]
EVENTS = {"upgrade_intent": ["Pricing Page Viewed"], "demo": ["Demo Requested"]}
PRICING = "Pricing Page Viewed"


def wire(lines: list[Line]) -> list[tuple[str, bytes | None, bytes | None]]:
    return [(line["topic"], line.get("key", "").encode() or None, orjson.dumps(line["value"]))
            for line in lines]


def published(flow_settings: Settings, account_id: str) -> list[dict[str, Any]]:
    return [a["data"] for a in read(flow_settings, "alerts") if a["data"]["account_id"] == account_id]


@pytest.fixture(scope="module")
def flow(kafka_bootstrap: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Three runs of the flow: the accounts; records in time order; records produced late."""
    tmp, suffix = tmp_path_factory.mktemp("late"), uuid.uuid4().hex[:10]
    flow_settings = Settings(
        kafka_bootstrap=kafka_bootstrap, redis_url=redis_url,  # type: ignore[arg-type]
        redis_prefix=f"late{suffix}:", deployment="test", kafka_partitions=2,
        rules=rules_file(tmp / "rules.yaml", RULES, EVENTS, daily_cap=2),
        **{f"topic_{k}": f"cuewire.{k}.{suffix}" for k in
           ("events", "tickets", "accounts", "feedback", "alerts", "digest", "dlq")},
    )
    ensure_topics(flow_settings)
    recovery = tmp / "recovery"
    produce(flow_settings, wire([account(a) for a in ("late", "gap", "capped")]))
    run_kafka(flow_settings, exit_at_end=True, epoch_seconds=1, recovery_dir=recovery)
    produce(flow_settings, wire([
        track("late", PRICING, 1, 12),
        track("gap", PRICING, 1, 12), track("gap", PRICING, 9, 12),  # 8 days apart: no match
        track("capped", "Demo Requested", 1, 13),
    ]))
    run_kafka(flow_settings, exit_at_end=True, epoch_seconds=1, recovery_dir=recovery)
    assert published(flow_settings, "late") == [] and published(flow_settings, "gap") == []
    produce(flow_settings, wire([track("late", PRICING, 1, 10), track("gap", PRICING, 3, 12)]))
    run_kafka(flow_settings, exit_at_end=True, epoch_seconds=1, recovery_dir=recovery)
    return flow_settings


def test_a_late_record_completes_the_pattern_as_of_the_stored_later_one(flow: Settings) -> None:
    [late] = published(flow, "late")
    assert [e["at"] for e in late["evidence"]] == [at(1, 10), at(1, 12)]


def test_a_late_record_is_evaluated_as_of_every_later_record(flow: Settings) -> None:
    """Read in time order, day 3 completes day 1's view and day 9 completes day 3's (outside
    the cooldown); read late, the day-3 view must give the same two alerts."""
    gap = [[e["at"] for e in a["evidence"]] for a in published(flow, "gap")]
    assert gap == [[at(1, 12), at(3, 12)], [at(3, 12), at(9, 12)]]


def test_an_alert_deferred_by_the_daily_cap_is_published_the_next_day(flow: Settings) -> None:
    """The flow's clock (the wall clock) has long passed the retry time, so a later run
    governs demo-low again, as of the next day's start, and publishes it."""
    assert [a["rule"] for a in published(flow, "capped")] == ["demo-high", "demo-medium", "demo-low"]
    [retried] = [a for a in published(flow, "capped") if a["rule"] == "demo-low"]
    assert retried["deliver_after"] == "2026-11-04T09:00:00Z"  # retried at midnight: next morning
