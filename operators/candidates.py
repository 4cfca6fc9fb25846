"""Candidate alerts: what a passed gate or a completed pattern asks governance to publish.

Both kinds are built here, so they carry the same fields the same way: the rendered
alert (``operators/render.py``), its id, the CRM snapshot, the contact, and whether
the alert is promotional (held while the account has a frustrated ticket open).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from operators.gate import RULE_ID, GateDecision
from operators.govern import Candidate
from operators.match import Match, account_conditions_hold, match_alert_id
from operators.records import Ticket
from operators.render import render_match_alert, render_ticket_alert
from operators.score import Score
from operators.versions import Versions, as_of

PROMOTIONAL_TICKET_SIGNAL = "upgrade_intent"
"""A ticket alert is promotional when what it signals is an upgrade: the gate's rule has no
``promotional:`` of its own, so its alert's signal says."""


def is_promotional_ticket_alert(signal: str) -> bool:
    """Whether a ticket alert of ``signal`` is held like a promotional rule's.

    >>> is_promotional_ticket_alert("upgrade_intent"), is_promotional_ticket_alert("churn_risk")
    (True, False)
    """
    return signal == PROMOTIONAL_TICKET_SIGNAL


def ticket_candidate(*, ticket: Ticket, score: Score, decision: GateDecision, account_id: str,
                     account: dict[str, Any] | None, detected_at: datetime, deployment: str) -> Candidate:
    """The candidate of a ticket that passed the gate (rule ``ticket-frustration-gate``)."""
    body = render_ticket_alert(
        ticket=ticket, score=score, decision=decision, rule=RULE_ID, account_id=account_id,
        account=account, detected_at=detected_at, deployment=deployment,
    )
    signal = body["data"]["signal"]
    return Candidate(
        alert_id=body["id"], rule_id=RULE_ID, account_id=account_id, signal=signal,
        priority=decision.priority, promotional=is_promotional_ticket_alert(signal),
        at=ticket.created_at, account=account, contact_email=ticket.requester_email, alert=body,
    )


def snapshot_at(accounts: Mapping[tuple[str, str], Versions], account_id: str,
                at: datetime) -> dict[str, Any] | None:
    """The account's CRM snapshot (and so its consent) in force at ``at``."""
    found: dict[str, Any] | None = as_of(accounts.get(("account", account_id), ()),
                                         int(at.timestamp() * 1000))
    return found


def match_candidate(match: Match, account: dict[str, Any] | None, *, detected_at: datetime,
                    deployment: str) -> Candidate | None:
    """The candidate of a completed pattern, or ``None`` when the rule's ``account:``
    conditions do not hold for the snapshot in force when the pattern completed."""
    if not account_conditions_hold(match.rule, account, match.at):
        return None
    rule = match.rule
    aid = match_alert_id(match)
    body = render_match_alert(match=match, alert_id_=aid, priority=rule.priority, account=account,
                              detected_at=detected_at, deployment=deployment)
    contact = next((s.email for s in reversed(match.evidence) if s.email), None)
    return Candidate(
        alert_id=aid, rule_id=rule.id, account_id=match.account_id, signal=rule.signal,
        priority=rule.priority, promotional=rule.promotional, at=match.at, account=account,
        contact_email=contact, cooldown=rule.cooldown, alert=body,
    )
