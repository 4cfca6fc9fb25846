"""An updated or escalated alert (io.cuewire.alert.updated) shows in its thread, never as a new
alert in the inbox; an escalation raises the thread's priority there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from console import queries
from console.store import Viewer
from tests.console.helpers import ADMIN, RILEY, alert_event, console_client, produce, sign_in, wait_until

pytestmark = pytest.mark.integration


def update_event(update_id: str, thread: str, change: str, priority: str, previous: str,
                 evidence_text: str) -> dict[str, Any]:
    event = alert_event(update_id, priority=priority, detected_at="2026-11-20T12:00:00Z")
    data = {**event["data"], "alert_id": thread, "thread_id": thread, "update_id": update_id,
            "change": change, "previous_priority": previous,
            "update_reason": f"{change}: rule ticket-frustration-gate matched acct_42 again",
            "evidence": [{"kind": "ticket", "id": f"T-{update_id}", "at": "2026-11-20T11:59:00Z",
                          "text": evidence_text}]}
    return {**event, "type": "io.cuewire.alert.updated", "data": data}


def test_updates_join_their_thread_and_an_escalation_raises_its_priority(
        settings: Settings, database_url: str, tmp_path: Path) -> None:
    produce(settings, "alerts", [
        (b"acct_42", alert_event("al-thread", priority="medium")),
        (b"acct_42", update_event("up-1", "al-thread", "new_evidence", "medium", "medium",
                                  "still broken this morning")),
        (b"acct_42", update_event("up-2", "al-thread", "escalated", "critical", "medium",
                                  "we will cancel at renewal")),
        (b"acct_42", update_event("up-2", "al-thread", "escalated", "critical", "medium",
                                  "we will cancel at renewal")),  # a re-read copy: once
    ])
    admin = Viewer(ADMIN, admin=True)
    with console_client(settings, database_url, tmp_path) as (console, client):
        def thread() -> list[dict[str, Any]]:
            with console.store.read() as conn:
                return queries.thread(conn, "al-thread")

        wait_until(lambda: len(thread()) == 2, "both updates in the thread")
        with console.store.read() as conn:
            inbox = queries.inbox(conn, admin, queries.InboxFilter(scope="team", status="all"),
                                  console.clock())
        assert [(a["alert_id"], a["priority"]) for a in inbox] == [("al-thread", "critical")]
        assert [(u["update_id"], u["change"]) for u in thread()] == [("up-1", "new_evidence"),
                                                                     ("up-2", "escalated")]

        sign_in(client, RILEY)
        assert "up-1" not in client.get("/inbox").text
        page = client.get("/alerts/al-thread").text
        assert 'id="thread"' in page
        assert page.index("still broken this morning") < page.index("we will cancel at renewal")
        assert "<strong>escalated</strong> from" in page
        assert client.get("/alerts/up-2").status_code == 404  # an update is not an alert of its own
