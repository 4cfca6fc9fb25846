"""What the measurements read: alerts raised (or held out), reviewers' decisions, CRM changes.

Each comes from a topic's JSON as published (CONTRACTS.md); these functions
turn one decoded value into a small record, or ``None`` when the value is not
of that kind, so callers can feed whole topics or mixed files through them.

>>> a = raised_alert({"type": "io.cuewire.alert.churn_risk", "time": "2026-11-20T10:00:00Z",
...                   "data": {"alert_id": "a1", "rule": "r", "account_id": "acct_1",
...                            "priority": "high", "detected_at": "2026-11-20T10:00:02Z"}})
>>> a.alert_id, a.rule, a.holdout, a.at.isoformat()
('a1', 'r', False, '2026-11-20T10:00:02+00:00')
>>> raised_alert({"type": "io.cuewire.digest.suppressed", "data": {}}) is None
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

ALERT_TYPE = "io.cuewire.alert."
ALERT_UPDATED = "io.cuewire.alert.updated"
HOLDOUT_TYPE = "io.cuewire.digest.holdout"
"""A governed alert kept from reviewers because its account is in the rule's control group."""


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    """An alert a rule raised: staged for reviewers, or held out as the control arm."""

    alert_id: str
    rule: str
    account_id: str
    priority: str
    at: datetime
    holdout: bool = False
    rule_version: str | None = None
    variant: str | None = None
    mrr: float | None = None
    renewal_date: date | None = None
    signal: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """One feedback record: a reviewer's decision or a later outcome on an alert."""

    alert_id: str
    decision: str
    at: datetime | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class AccountChange:
    """A CRM snapshot (or a tombstone: ``deleted``) of an account, at ``at`` if known."""

    account_id: str
    at: datetime | None
    mrr: float | None = None
    renewal_date: date | None = None
    deleted: bool = False


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp (``Z`` or an offset) as aware UTC, else ``None``."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def raised_alert(event: Mapping[str, Any]) -> RaisedAlert | None:
    """An alert CloudEvent (``cuewire.alerts``) or a held-out one (``cuewire.digest``)."""
    kind = event.get("type")
    if not isinstance(kind, str) or kind == ALERT_UPDATED:
        return None
    data = event.get("data")
    if not isinstance(data, Mapping):
        return None
    if kind == HOLDOUT_TYPE:
        held = data.get("alert")
        data = {**(held if isinstance(held, Mapping) else {}), **data}
    elif not kind.startswith(ALERT_TYPE):
        return None
    alert_id, rule, account = _str(data.get("alert_id")), _str(data.get("rule")), _str(data.get("account_id"))
    at = parse_time(data.get("detected_at")) or parse_time(event.get("time"))
    if alert_id is None or rule is None or account is None or at is None:
        return None
    return RaisedAlert(
        alert_id=alert_id, rule=rule, account_id=account, priority=_str(data.get("priority")) or "",
        at=at, holdout=kind == HOLDOUT_TYPE or data.get("holdout") is True,
        rule_version=_str(data.get("rule_version")), variant=_str(data.get("variant")),
        mrr=_number(data.get("mrr")), renewal_date=_date(data.get("renewal_date")),
        signal=_str(data.get("signal")),
    )


def decision(value: Mapping[str, Any]) -> Decision | None:
    """A feedback record (``cuewire.feedback``)."""
    alert_id, kind = _str(value.get("alert_id")), _str(value.get("decision"))
    if alert_id is None or kind is None:
        return None
    return Decision(alert_id, kind, parse_time(value.get("at")), _str(value.get("reason")))


def account_change(key: str | None, value: Mapping[str, Any] | None,
                   timestamp: datetime | None = None) -> AccountChange | None:
    """A CRM snapshot, or a tombstone (``value is None``: the record's key names the account)."""
    if value is None:
        return AccountChange(key, timestamp, deleted=True) if key else None
    account = _str(value.get("account_id")) or key
    if account is None:
        return None
    return AccountChange(account, parse_time(value.get("updated_at")) or timestamp,
                         mrr=_number(value.get("mrr")), renewal_date=_date(value.get("renewal_date")))
