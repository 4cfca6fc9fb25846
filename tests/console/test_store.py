"""The view on both databases: records apply once, in topic order, whoever applies them."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from console.store import TopicRecord, ViewStore, alerts, connect, feedback
from tests.console.helpers import alert_event

pytestmark = pytest.mark.integration


def records() -> list[TopicRecord]:
    fb: dict[str, Any] = {"alert_id": "a1", "decision": "approved", "by": "riley@v.test",
                          "at": "2026-11-20T11:00:00Z"}
    return [TopicRecord("alerts", "t.alerts", 0, 0, alert_event("a1")),
            TopicRecord("feedback", "t.feedback", 1, 7, fb),
            TopicRecord("feedback", "t.feedback", 1, 8, {**fb, "decision": "dismissed"}),
            TopicRecord("feedback", "t.feedback", 1, 9, None)]  # not JSON: skipped, offset kept


def status(store: ViewStore) -> tuple[str, int]:
    with store.read() as conn:
        s = conn.execute(sa.select(alerts.c.status).where(alerts.c.alert_id == "a1")).scalar_one()
        n = conn.execute(sa.select(sa.func.count()).select_from(feedback)).scalar_one()
    return str(s), int(n)


def test_two_consoles_on_one_database_apply_each_record_once(database_url: str) -> None:
    one, two = ViewStore(connect(database_url)), ViewStore(connect(database_url))
    assert one.apply(records()) == 3
    # The other console read its offsets before the first committed: its insert hits
    # the same keys, and it tries again past what is already there.
    stale = two.next_offsets
    calls = iter([{}])
    two.next_offsets = lambda: next(calls, None) or stale()  # type: ignore[method-assign]
    assert two.apply(records()) == 0
    assert status(one) == ("approved", 2)
    assert one.next_offsets() == {("t.alerts", 0): 1, ("t.feedback", 1): 10}


def test_feedback_before_its_alert_still_settles_it(database_url: str) -> None:
    store = ViewStore(connect(database_url))
    alert, *rest = records()
    store.apply(rest)
    store.apply([alert])
    assert status(store) == ("approved", 2)
    store.reset()
    assert store.next_offsets() == {}
