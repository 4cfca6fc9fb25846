"""The demo's reviewers: what each account's owner decides about its staged alerts.

The sample knows what every account is really going through (its persona, see
:func:`cuewire_dev.sample.cast.persona_of`), so an owner who reads an alert can
tell whether it is right: an at-risk account alerted for churn risk is approved,
a healthy one alerted for anything is a false signal, and the rest were not
useful. The decisions are feedback records as the console writes them
(CONTRACTS.md, ``cuewire.feedback``), so ``cuewire report`` measures the rules
on them exactly as it would on a team's real reviews.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from contracts.feedback import FeedbackRecord
from cuewire_dev.sample.cast import persona_of

# What each persona's owner would call a fair reading of the account.
RIGHT_SIGNALS: Mapping[str, frozenset[str]] = {
    "frustrated": frozenset({"churn_risk", "billing_issue"}),
    "churn": frozenset({"churn_risk"}),
    "billing": frozenset({"churn_risk", "billing_issue"}),
    "upgrade": frozenset({"upgrade_intent"}),
    "abandon": frozenset({"abandonment", "churn_risk"}),
    "inactive": frozenset({"inactivity", "churn_risk"}),
}
HEALTHY = frozenset({"steady", "howto"})


def decide(alert: Mapping[str, Any], at: datetime) -> FeedbackRecord | None:
    """The owner's decision, made at ``at``, on one staged alert (a CloudEvent of
    ``cuewire.alerts``), or None when the alert names an account the sample does not know.

    >>> alert = {"data": {"alert_id": "a1", "account_id": "acct_1004", "signal": "churn_risk",
    ...                   "rule": "cancellation-intent"}}
    >>> from datetime import UTC
    >>> at = datetime(2026, 11, 4, 11, 0, tzinfo=UTC)
    >>> decide(alert, at).decision
    'approved'
    >>> alert["data"]["account_id"] = "acct_1001"         # a steady account
    >>> decide(alert, at).reason
    'false_signal'
    """
    data = alert["data"]
    persona = persona_of(str(data.get("account_id", "")))
    if persona is None:
        return None
    owner = (data.get("owner") or {}).get("email")
    common: dict[str, Any] = {"alert_id": data["alert_id"], "at": at, "by": owner,
                              "account_id": data["account_id"], "rule": data.get("rule")}
    if data.get("signal") in RIGHT_SIGNALS.get(persona, frozenset()):
        return FeedbackRecord(decision="approved", **common)
    if persona in HEALTHY:
        return FeedbackRecord(decision="dismissed", reason="false_signal", **common)
    return FeedbackRecord(decision="dismissed", reason="not_useful", **common)


def review(alerts: Iterable[Mapping[str, Any]], at: datetime, *, skip_owner: str | None = None
           ) -> list[FeedbackRecord]:
    """Every owner's decisions, made at ``at``, once per alert id; ``skip_owner``'s alerts stay
    undecided (the demo leaves them in the console's inbox for the person signing in)."""
    decided: dict[str, FeedbackRecord] = {}
    for alert in alerts:
        if skip_owner and (alert["data"].get("owner") or {}).get("email") == skip_owner:
            continue
        alert_id = alert["data"]["alert_id"]
        if alert_id not in decided and (record := decide(alert, at)) is not None:
            decided[alert_id] = record
    return list(decided.values())
