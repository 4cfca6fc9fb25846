"""Turn decisions into the records cuewire publishes: alerts and digest entries (dead
letters are :mod:`operators.dead_letter`'s, re-exported here).

Everything returned here is a plain ``dict`` ready for orjson; its shape is the
one ``contracts.alert`` validates (tests check that). ``alert_id`` is
deterministic — rule, account and the ids of the triggering evidence — so a
replay or a restart re-derives the same id and consumers can drop duplicates.

>>> first = alert_id("ticket-frustration-gate", "acct_42", ["evt-1", "evt-2"])
>>> first == alert_id("ticket-frustration-gate", "acct_42", ["evt-2", "evt-1", "evt-1"])
True
>>> first == alert_id("ticket-frustration-gate", "acct_43", ["evt-1", "evt-2"])
False
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from operators.dead_letter import render_dead_letter as render_dead_letter
from operators.gate import GateDecision, renewal_days
from operators.match import Match
from operators.records import Event, Ticket
from operators.records import iso as iso
from operators.sanitise import plain_text, plain_tree
from operators.score import Score
from operators.signals import Signal

ALERT_NAMESPACE = uuid.UUID("6f1d8a52-3c1e-4f7e-9a8b-2f6c1d0e9b47")
EVIDENCE_TEXT_LIMIT = 280
RENEWAL_RISK_DAYS = 90
"""A renewal further away than this is context, not a risk factor."""

_ACTIONS = {
    "critical": "Book a call within 24 hours",
    "high": "Send a proactive update today and offer a call",
    "medium": "Reach out personally about the question they asked",
    "low": "Review at the next account check-in",
}

_TOPIC_WORDS = {
    "integration": "an integration that stopped working",
    "data_integrity": "data that looks wrong or missing",
    "export": "getting your data exported",
    "billing": "a billing problem",
    "performance": "the product being slow",
    "login_access": "trouble signing in",
    "ui_bug": "something in the app not working",
    "how_to": "how to get something done",
    "plan_seats": "your plan and seats",
    "api": "our API",
    "cancellation": "your contract",
    "other": "an issue that is still not resolved",
}


def alert_id(rule: str, account_id: str, evidence_ids: Iterable[str]) -> str:
    """A stable id for (rule, account, triggering evidence), as a UUID string."""
    name = "\x1f".join([rule, account_id, *sorted(set(evidence_ids))])
    return str(uuid.uuid5(ALERT_NAMESPACE, name))


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


def account_risk_factors(account: dict[str, Any], renewal_in_days: int | None) -> list[str]:
    """What the CRM says that makes an alert more urgent, in words."""
    factors = []
    if renewal_in_days is not None and 0 <= renewal_in_days <= RENEWAL_RISK_DAYS:
        factors.append(f"renewal in {renewal_in_days} days")
    if account.get("mrr") is not None:
        factors.append(f"MRR {float(account['mrr']):,.0f} {account.get('currency') or ''}".rstrip())
    if account.get("health_score") is not None:
        factors.append(f"health score {float(account['health_score']):.0f}/100")
    return factors


def headline(ticket: Ticket, limit: int = 90) -> str:
    """The ticket's subject, or the first line of its body when the helpdesk has no subject."""
    line = ticket.subject.strip() or ticket.body.strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _first_name(ticket: Ticket) -> str:
    if ticket.requester_name:
        return ticket.requester_name.split()[0]
    if ticket.requester_email:
        return ticket.requester_email.split("@")[0].split(".")[0].capitalize()
    return "there"


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
    topic_words = _TOPIC_WORDS.get(score.topic or "", "a problem")
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
    owner = account.get("cs_owner") or {}
    owner_first = (owner.get("name") or "").split(" ")[0] or "[your name]"
    message = (
        f"Hi {_first_name(ticket)} — I saw your note about {topic_words} and wanted you to hear "
        f"from me directly: I'm following it with our support team and will update you today. "
        f"Would a short call help? {owner_first}"
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
        "owner": {"name": owner.get("name"), "email": owner.get("email")} if owner else None,
        "health_score": account.get("health_score"),
        "mrr": account.get("mrr"),
        "renewal_date": account.get("renewal_date"),
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
        event_id=str(uuid.uuid5(ALERT_NAMESPACE, f"digest\x1f{kind}\x1f{ticket.record_id}")),
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
        event_id=str(uuid.uuid5(ALERT_NAMESPACE, f"digest\x1fevent\x1f{event.message_id}")),
        type_="io.cuewire.digest.event.unattached", subject="unattached",
        time=detected_at, deployment=deployment, data=data,
    )


def cloud_event(
    *, event_id: str, type_: str, subject: str, time: datetime, deployment: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    """A CloudEvent around ``data``; the one place every alert and digest passes, so the
    one place their text is made plain (:mod:`operators.sanitise`)."""
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": f"cuewire/{deployment}",
        "type": type_,
        "subject": plain_text(subject),
        "time": iso(time),
        "datacontenttype": "application/json",
        "data": plain_tree(data),
    }


class _Placeholders(dict[str, str]):
    """Fills a message template; an unknown placeholder stays visible as ``{name}``."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def signal_evidence(signal: Signal) -> dict[str, Any]:
    return {
        "kind": signal.kind,
        "id": signal.source_id,
        "record_id": signal.record_id,
        "signal": signal.name,
        "at": iso(signal.at),
        "text": signal.text,
        "url": signal.url,
    }


def _describe_signal(signal: Signal) -> str:
    what = signal.name.replace("_", " ")
    when = signal.at.strftime("%b %d %H:%M")
    if signal.kind == "ticket":
        return f"{what} (ticket “{(signal.text or '').splitlines()[0][:60]}”, {when})"
    return f"{what} ({signal.text or 'event'}, {when})"


def _span_words(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:.0f} hours" if hours < 48 else f"{hours / 24:.0f} days"


def render_match_alert(
    *,
    match: Match,
    alert_id_: str,
    priority: str,
    account: dict[str, Any] | None,
    detected_at: datetime,
    deployment: str,
) -> dict[str, Any]:
    """The CloudEvent for a pattern rule's match, with its evidence spelled out."""
    account = account or {}
    rule = match.rule
    evidence = sorted(match.evidence, key=lambda s: (s.at, s.record_id))
    person_signal = next((s for s in reversed(evidence) if s.person or s.email), None)
    first_name = "there"
    if person_signal and person_signal.person and person_signal.kind == "ticket":
        first_name = person_signal.person.split()[0]
    elif person_signal and person_signal.email:
        first_name = person_signal.email.split("@")[0].split(".")[0].capitalize()
    question_signal = next((s for s in reversed(evidence) if s.kind == "ticket"), evidence[-1])
    topic = str(match.details.get("topic") or question_signal.topic or "this")
    owner = account.get("cs_owner") or {}
    placeholders = _Placeholders(
        first_name=first_name,
        topic=_TOPIC_WORDS.get(topic, topic.replace("_", " ")),
        question=(question_signal.text or question_signal.name.replace("_", " ")).splitlines()[0],
        count=str(match.details.get("count", len(evidence))),
        owner_first_name=(owner.get("name") or "").split(" ")[0] or "[your name]",
        account_name=account.get("name") or match.account_id,
    )
    name = account.get("name") or match.account_id
    summary = f"{name}: {rule.description.rstrip('.') or rule.id} — " + "; ".join(
        _describe_signal(s) for s in evidence[-4:]) + "."
    counts = Counter(s.name.replace("_", " ") for s in evidence)
    span = max(evidence[-1].at - evidence[0].at, timedelta(0))
    risk_factors = [
        ", ".join(f"{n}× {name}" if n > 1 else name for name, n in counts.items())
        + (f" within {_span_words(span)}" if len(evidence) > 1 else "")
        + (f" (about {topic.replace('_', ' ')})" if match.details.get("topic") else "")
    ]
    days = renewal_days(account, match.at)
    risk_factors += account_risk_factors(account, days)
    data = {
        "alert_id": alert_id_,
        "account_id": match.account_id,
        "account_name": account.get("name"),
        "signal": rule.signal,
        "rule": rule.id,
        "priority": priority,
        "score": max((s.score for s in evidence if s.score is not None), default=None),
        "status": "staged",
        "owner": {"name": owner.get("name"), "email": owner.get("email")} if owner else None,
        "health_score": account.get("health_score"),
        "mrr": account.get("mrr"),
        "renewal_date": account.get("renewal_date"),
        "summary": summary,
        "risk_factors": risk_factors,
        "recommended_action": rule.recommended_action,
        "suggested_message": " ".join(rule.message.split()).format_map(placeholders),
        "evidence": [signal_evidence(s) for s in evidence],
        "first_evidence_at": iso(evidence[0].at),
        "detected_at": iso(detected_at),
    }
    return cloud_event(event_id=alert_id_, type_=f"io.cuewire.alert.{rule.signal}",
                       subject=match.account_id, time=detected_at, deployment=deployment, data=data)
