"""Turn a scored ticket into the records cuewire publishes: its alert when it passed the
gate, its digest entry when it did not or reached no account, and the digest entry of
an event that reached none.

Everything returned here is a plain ``dict`` ready for orjson; its shape is the
one ``contracts.alert`` validates (tests check that). The envelope and ids are
:mod:`operators.alert_envelope`'s, pattern alerts :mod:`operators.render_match`'s
and dead letters :mod:`operators.dead_letter`'s: all re-exported here, where the
flow has always found them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from operators.alert_account import (
    TOPIC_WORDS,
    account_fields,
    account_risk_factors,
    first_name,
    owner_first_name,
)
from operators.alert_envelope import ALERT_NAMESPACE as ALERT_NAMESPACE
from operators.alert_envelope import alert_id as alert_id
from operators.alert_envelope import cloud_event as cloud_event
from operators.alert_envelope import digest_id
from operators.dead_letter import render_dead_letter as render_dead_letter
from operators.gate import GateDecision
from operators.records import Event, Ticket
from operators.records import iso as iso
from operators.render_match import render_match_alert as render_match_alert
from operators.render_match import signal_evidence as signal_evidence
from operators.score import Score

__all__ = [
    "ALERT_NAMESPACE", "EVIDENCE_TEXT_LIMIT", "account_risk_factors", "alert_id", "cloud_event", "headline",
    "iso", "render_dead_letter", "render_event_unattached", "render_match_alert", "render_ticket_alert",
    "render_ticket_digest", "signal_evidence", "ticket_evidence",
]

EVIDENCE_TEXT_LIMIT = 280

_ACTIONS = {
    "critical": "Book a call within 24 hours",
    "high": "Send a proactive update today and offer a call",
    "medium": "Reach out personally about the question they asked",
    "low": "Review at the next account check-in",
}


def ticket_evidence(ticket: Ticket, score: Score, *, with_model: bool = False) -> dict[str, Any]:
    """The ticket as evidence; ``with_model`` adds what drove the model (alerts carry it)."""
    text = ticket.text
    if len(text) > EVIDENCE_TEXT_LIMIT:
        text = text[: EVIDENCE_TEXT_LIMIT - 1].rstrip() + "…"
    item: dict[str, Any] = {
        "kind": "ticket",
        "id": ticket.ticket_id,
        "record_id": ticket.record_id,
        "at": iso(ticket.created_at),
        "text": text,
        "url": ticket.url,
        "phrases": list(score.phrases),
    }
    evidence = score.evidence if with_model else None
    if evidence is not None:
        item["model"] = evidence.to_json() | {"topic": score.topic, "intents": list(score.intents)}
    return item


def headline(ticket: Ticket, limit: int = 90) -> str:
    """The ticket's subject, or the first line of its body when the helpdesk has no subject."""
    line = ticket.subject.strip() or ticket.body.strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def render_ticket_alert(
    *,
    ticket: Ticket,
    score: Score,
    decision: GateDecision,
    rule: str,
    account_id: str,
    account: dict[str, Any] | None,
    detected_at: datetime,
    deployment: str,
) -> dict[str, Any]:
    """The CloudEvent for a ticket that passed the frustration gate."""
    account = account or {}
    aid = alert_id(rule, account_id, [ticket.record_id])
    signal = score.signal or "churn_risk"
    topic_words = TOPIC_WORDS.get(score.topic or "", "a problem")
    who = ticket.requester_name or ticket.requester_email or "A contact"
    name = account.get("name") or account_id
    summary = (
        f"{who} at {name} raised {topic_words} (frustration {score.score}/100"
        f"{', ' + score.risk if score.risk else ''}): “{headline(ticket)}”."
    )
    risk_factors = [decision.reason]
    risk_factors += account_risk_factors(account, decision.renewal_days)
    if score.phrases:
        risk_factors.append("said: " + ", ".join(f"“{p}”" for p in score.phrases[:3]))
    greeting = first_name(ticket.requester_name, ticket.requester_email)
    message = (
        f"Hi {greeting} — I saw your note about {topic_words} and wanted you to hear "
        f"from me directly: I'm following it with our support team and will update you today. "
        f"Would a short call help? {owner_first_name(account)}"
    )
    data = {
        "alert_id": aid,
        "account_id": account_id,
        "account_name": account.get("name"),
        "signal": signal,
        "rule": rule,
        "priority": decision.priority,
        "score": score.score,
        "status": "staged",
        **account_fields(account),
        "summary": summary,
        "risk_factors": risk_factors,
        "recommended_action": _ACTIONS[decision.priority],
        "suggested_message": message,
        "evidence": [ticket_evidence(ticket, score, with_model=True)],
        "first_evidence_at": iso(ticket.created_at),
        "detected_at": iso(detected_at),
    }
    return cloud_event(
        event_id=aid, type_=f"io.cuewire.alert.{signal}", subject=account_id,
        time=detected_at, deployment=deployment, data=data,
    )


def render_ticket_digest(
    *,
    ticket: Ticket,
    score: Score,
    decision: GateDecision | None,
    account_id: str | None,
    detected_at: datetime,
    deployment: str,
) -> dict[str, Any]:
    """A below-gate ticket (``…digest.below_gate``) or one that reached no account
    (``…digest.ticket.unattached``): never silently dropped."""
    unattached = account_id is None
    kind = "ticket.unattached" if unattached else "ticket.below_gate"
    data = {
        "account_id": account_id,
        "rule": None if unattached else "ticket-frustration-gate",
        "reason": "no account matched the ticket" if unattached else (
            decision.reason if decision else "below gate"),
        "signal": score.signal,
        "score": score.score,
        "topic": score.topic,
        "requester_email": ticket.requester_email,
        "evidence": [ticket_evidence(ticket, score)],
        "detected_at": iso(detected_at),
    }
    return cloud_event(
        event_id=digest_id(kind, ticket.record_id),
        type_=f"io.cuewire.digest.{kind}", subject=account_id or "unattached",
        time=detected_at, deployment=deployment, data=data,
    )


def render_event_unattached(event: Event, detected_at: datetime, deployment: str) -> dict[str, Any]:
    data = {
        "account_id": None,
        "reason": "no account matched the event",
        "event": {"type": event.type, "name": event.name, "message_id": event.message_id,
                  "user_id": event.user_id, "anonymous_id": event.anonymous_id,
                  "at": iso(event.timestamp)},
        "detected_at": iso(detected_at),
    }
    return cloud_event(
        event_id=digest_id("event", event.message_id),
        type_="io.cuewire.digest.event.unattached", subject="unattached",
        time=detected_at, deployment=deployment, data=data,
    )
