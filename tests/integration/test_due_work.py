"""Time-driven work runs on the clock's tick, whatever else arrives: deferred alerts.

The two steps are composed as the flow composes them (``match-patterns`` feeds
``govern``, and Bytewax calls a batch step only with a non-empty batch), over
the test session's Redis.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from config.settings import Settings
from cuewire.wiring import make_parts
from flows.pipeline import Parts
from flows.stages.items import Outgoing, PendingAlert, Tick
from operators.govern import Candidate
from state.redis_client import connect

pytestmark = pytest.mark.integration

THU_10 = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
ACCOUNT = {"account_id": "acct_42", "consent": {"email": True}}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def pending(i: int, priority: str = "high") -> PendingAlert:
    aid = f"alert-{i}"
    body = {"id": aid, "type": "io.cuewire.alert.churn_risk", "data": {"rule": f"rule-{i}"}}
    return PendingAlert(Candidate(aid, f"rule-{i}", "acct_42", "churn_risk", priority,  # type: ignore[arg-type]
                                  False, THU_10 + timedelta(minutes=i), ACCOUNT, "dana@acme.io", alert=body))


def flow_step(parts: Parts, batch: list[Tick]) -> list[Outgoing]:
    """``match-patterns`` then ``govern``, each called only with something to do."""
    matched = parts.patterns.match_patterns(list(batch))
    return parts.governor.govern(matched) if matched else []


def alert_ids(out: list[Outgoing]) -> list[str]:
    return [orjson.loads(o.value)["id"] for o in out if o.kind == "alerts"]


def test_an_alert_held_back_by_the_daily_cap_goes_out_on_the_tick_after_its_retry_time(
        redis_url: str, unique: str) -> None:
    clock = Clock(THU_10 + timedelta(minutes=10))
    parts = make_parts(Settings(redis_prefix=f"due{unique}:"), connect(redis_url), clock)
    first = parts.governor.govern([pending(i) for i in range(3)] + [pending(3, "low")])
    assert alert_ids(first) == ["alert-0", "alert-1", "alert-2"]  # the cap: three a day
    assert any(b"deferred" in o.value for o in first if o.kind == "digest")
    # No record arrives any more (a broker outage, a quiet night); the clock ticks on.
    clock.now = THU_10 + timedelta(days=1, hours=2)
    assert alert_ids(flow_step(parts, [Tick(clock.now)])) == ["alert-3"]
