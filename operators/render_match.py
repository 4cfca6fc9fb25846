"""A pattern rule's match as the alert a CS owner reads: its evidence spelled out,
its risk factors, and the rule's message template filled in.

The alert's id is made by the flow (:func:`operators.alert_envelope.alert_id` over
the evidence); everything else here follows from the match and the account.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from operators.alert_account import (
    TOPIC_WORDS,
    account_fields,
    account_risk_factors,
    first_name,
    owner_first_name,
)
from operators.alert_envelope import cloud_event
from operators.gate import renewal_days
from operators.match import Match
from operators.records import iso
from operators.signals import Signal
from operators.words import span


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


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
"""``%b`` as the C locale writes it (the flow never sets a locale): formatted here, since
``strftime`` was most of describing a signal, four to a pattern alert."""


def _describe_signal(signal: Signal) -> str:
    what = signal.name.replace("_", " ")
    at = signal.at
    when = f"{_MONTHS[at.month - 1]} {at.day:02d} {at.hour:02d}:{at.minute:02d}"
    if signal.kind == "ticket":
        first_line = next(iter((signal.text or "").splitlines()), "")
        return f"{what} (ticket “{first_line[:60]}”, {when})"
    return f"{what} ({signal.text or 'event'}, {when})"


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
    greeting = "there"
    if person_signal:
        # An event's person is who was logged in, not necessarily who is written to.
        greeting = first_name(person_signal.person if person_signal.kind == "ticket" else None,
                              person_signal.email)
    question_signal = next((s for s in reversed(evidence) if s.kind == "ticket"), evidence[-1])
    topic = str(match.details.get("topic") or question_signal.topic or "this")
    placeholders = _Placeholders(
        first_name=greeting,
        topic=TOPIC_WORDS.get(topic, topic.replace("_", " ")),
        question=(question_signal.text or question_signal.name.replace("_", " ")).splitlines()[0],
        count=str(match.details.get("count", len(evidence))),
        owner_first_name=owner_first_name(account),
        account_name=account.get("name") or match.account_id,
    )
    name = account.get("name") or match.account_id
    summary = f"{name}: {rule.description.rstrip('.') or rule.id} — " + "; ".join(
        _describe_signal(s) for s in evidence[-4:]) + "."
    counts: dict[str, int] = {}  # a dict: a Counter costs more to make than these few signals
    for s in evidence:
        what = s.name.replace("_", " ")
        counts[what] = counts.get(what, 0) + 1
    between = max(evidence[-1].at - evidence[0].at, timedelta(0))
    risk_factors = [
        ", ".join(f"{n}× {name}" if n > 1 else name for name, n in counts.items())
        + (f" within {span(between)}" if len(evidence) > 1 else "")
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
        **account_fields(account),
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
