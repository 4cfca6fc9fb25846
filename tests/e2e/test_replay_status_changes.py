"""A helpdesk status change is not the customer writing: it closes or reopens its ticket and
raises nothing else, however angry the ticket's first message was.

Zendesk's ``ticket.status_changed`` webhook carries the ticket's description (its first
message) beside the new status. Read as a ticket, solving a frustrated ticket three days
after it was raised (past its alert's 48-hour cooldown) would raise a second frustration
alert for a problem that has just been solved, and every status change would add a
below-gate line to the digest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.replay_world import FURIOUS, account, alerts, replay, zendesk


def with_description(line: dict[str, Any], text: str) -> dict[str, Any]:
    """The webhook as Zendesk sends it: the description is there on a status change too."""
    line["value"]["detail"]["description"] = text
    line["value"]["detail"]["subject"] = "Everything is broken"
    return line


def test_solving_a_frustrated_ticket_raises_no_second_alert_and_no_digest_line(tmp_path: Path) -> None:
    out = replay(tmp_path, [
        # Renewal within 60 days: the gate opens at 50, as it does for the accounts that matter most.
        account("solver", zendesk_organization_id="801", renewal_date="2026-12-01"),
        zendesk("801", "6001", 0, 10, body=FURIOUS),
        with_description(zendesk("801", "6001", 3, 10, status="SOLVED"), FURIOUS),
        with_description(zendesk("801", "6001", 4, 10, status="OPEN"), FURIOUS),
    ])
    raised = alerts(out, "solver")
    assert [a["rule"] for a in raised] == ["ticket-frustration-gate"], raised
    assert [e["type"] for kind, e in out if kind == "digest"] == []
