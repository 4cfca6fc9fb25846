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


def test_an_account_that_never_alerted_is_its_owners_with_its_below_gate_and_lookalike_tickets(
        database_url: str) -> None:
    from console import queries
    from console.store import Viewer

    store = ViewStore(connect(database_url))
    crm = {"account_id": "acct_x", "name": "Xylo", "domains": ["xylo.io"], "contacts": ["Kim@Other.io"],
           "cs_owner": {"name": "Riley Chen", "email": "Riley@V.test"}, "mrr": 900}
    below = {"id": "d1", "type": "io.cuewire.digest.ticket.below_gate", "time": "2026-11-20T10:00:00Z",
             "data": {"account_id": "acct_x", "score": 30, "reason": "score 30 below the gate",
                      "evidence": [{"id": "zendesk:1", "at": "2026-11-19T09:00:00Z"}]}}

    def unattached(n: int, email: str) -> dict[str, Any]:
        return {"id": f"u{n}", "type": "io.cuewire.digest.ticket.unattached", "time": "2026-11-20T10:00:00Z",
                "data": {"account_id": None, "requester_email": email,
                         "evidence": [{"id": f"generic:{n}", "at": "2026-11-18T09:00:00Z"}]}}

    store.apply([TopicRecord("accounts", "t.accounts", 0, 0, crm),
                 TopicRecord("digest", "t.digest", 0, 0, below),
                 TopicRecord("digest", "t.digest", 0, 1, unattached(1, "new@xylo.io")),
                 TopicRecord("digest", "t.digest", 0, 2, unattached(2, "kim@other.io")),
                 TopicRecord("digest", "t.digest", 0, 3, unattached(3, "who@elsewhere.io"))])
    # An alert later says less about the account: what it does not say stays.
    event = alert_event("a9", account_id="acct_x", owner="riley@v.test")
    del event["data"]["renewal_date"]
    store.apply([TopicRecord("alerts", "t.alerts", 0, 0, event)])
    with store.read() as conn:
        page = queries.account(conn, Viewer("riley@v.test"), "acct_x")
        assert queries.account(conn, Viewer("sam@v.test"), "acct_x") is None
    assert page is not None
    assert [r["id"] for r in page["below_gate"]] == ["d1"]
    assert sorted(r["id"] for r in page["unattached"]) == ["u1", "u2"]
    assert page["info"]["domains"] == ["xylo.io"] and page["info"]["mrr"] == 3200
