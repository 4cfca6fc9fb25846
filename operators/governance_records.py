"""Governance decisions as records: the suppression log's entries and the deferred queue's codec.

``cuewire explain`` and the digest read :func:`explain_entry`; the deferred
queue stores candidates with :func:`candidate_to_dict` and resubmits them,
re-timed to their retry, with :func:`retry_candidate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from operators.governance_model import PRIORITY_RANK, Candidate, Verdict
from operators.owner_time import aware
from operators.records import iso_minutes as iso


def explain_entry(verdict: Verdict) -> dict[str, Any]:
    """A suppression or deferral as a JSON-ready record: what ``cuewire explain`` shows."""
    c = verdict.candidate
    return {
        "alert_id": c.alert_id,
        "account_id": c.account_id,
        "rule": c.rule_id,
        "signal": c.signal,
        "priority": c.priority,
        "outcome": verdict.outcome,
        "reason": verdict.reason,
        "at": iso(c.at),
        "retry_at": iso(verdict.retry_at) if verdict.retry_at else None,
    }


def candidate_to_dict(candidate: Candidate) -> dict[str, Any]:
    """A candidate as JSON-ready data (the deferred queue stores these)."""
    return {
        "alert_id": candidate.alert_id,
        "rule_id": candidate.rule_id,
        "account_id": candidate.account_id,
        "signal": candidate.signal,
        "priority": candidate.priority,
        "promotional": candidate.promotional,
        "at": aware(candidate.at).astimezone(UTC).isoformat(),
        "account": candidate.account,
        "contact_email": candidate.contact_email,
        "cooldown_s": candidate.cooldown.total_seconds() if candidate.cooldown is not None else None,
        "alert": candidate.alert,
    }


def candidate_from_dict(data: Mapping[str, Any]) -> Candidate:
    """The inverse of :func:`candidate_to_dict`; unknown fields are ignored."""
    cooldown = data.get("cooldown_s")
    priority = data["priority"]
    if priority not in PRIORITY_RANK:
        raise ValueError(f"unknown priority {priority!r}")
    return Candidate(
        alert_id=str(data["alert_id"]),
        rule_id=str(data["rule_id"]),
        account_id=str(data["account_id"]),
        signal=str(data["signal"]),
        priority=priority,
        promotional=bool(data["promotional"]),
        at=datetime.fromisoformat(str(data["at"])).astimezone(UTC),
        account=data.get("account"),
        contact_email=data.get("contact_email"),
        cooldown=timedelta(seconds=float(cooldown)) if cooldown is not None else None,
        alert=data.get("alert"),
    )


def retry_candidate(verdict: Verdict) -> Candidate:
    """The candidate a deferral resubmits: governed again as of its ``retry_at``.

    Re-timing it is what lets it pass: as of its original time the day's cap
    is still full. Its ``alert_id`` is unchanged, so it stays one alert.
    """
    if verdict.outcome != "deferred" or verdict.retry_at is None:
        raise ValueError("only a deferred verdict has a retry")
    return replace(verdict.candidate, at=verdict.retry_at)
