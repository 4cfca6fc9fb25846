"""Rule ``ticket-frustration-gate``: does a scored ticket deserve a person's attention now?

DESIGN.md, rule 1: a ticket alerts the CS owner when score ≥ 65 and MRR ≥ 1,000;
or score ≥ 80 whatever the MRR; or the renewal is within 60 days and score ≥ 50.
Everything else goes to the digest. The thresholds are the rules file's
(:class:`config.conditions.TicketGate`, whose defaults are these). Renewal days
are counted from the ticket's own time, so a replay of history gates exactly as
the live run did.

>>> from datetime import datetime, timezone
>>> from operators.score import Score
>>> s = Score(70, "churn_risk", "workflow", "high", 0.8)
>>> gate_ticket(s, {"mrr": 3200}, datetime(2026, 11, 20, tzinfo=timezone.utc)).passed
True
>>> gate_ticket(s, {"mrr": 300}, datetime(2026, 11, 20, tzinfo=timezone.utc)).passed
False
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from config.conditions import TicketGate
from operators.score import Score

Priority = Literal["critical", "high", "medium", "low"]
RULE_ID = "ticket-frustration-gate"


FrustrationGate = TicketGate
"""Rule 1's thresholds, as the rules file's ``ticket_gate`` holds them; defaults are DESIGN.md's."""
DESIGN_GATE = FrustrationGate()
"""DESIGN.md's thresholds, for callers without a rules file; the flow passes the file's own."""


@dataclass(frozen=True, slots=True)
class GateDecision:
    passed: bool
    reason: str
    priority: Priority
    renewal_days: int | None


def renewal_days(account: dict[str, Any] | None, at: datetime) -> int | None:
    """Days from ``at`` to the account's renewal date (negative once it has passed)."""
    if not account or not account.get("renewal_date"):
        return None
    renewal = account["renewal_date"]
    if isinstance(renewal, str):
        renewal = date.fromisoformat(renewal[:10])
    return int((renewal - at.date()).days)


def gate_ticket(
    score: Score,
    account: dict[str, Any] | None,
    at: datetime,
    gate: FrustrationGate = DESIGN_GATE,
) -> GateDecision:
    """Decide whether a scored ticket alerts (``passed``) or goes to the digest, and why."""
    mrr = float(account["mrr"]) if account and account.get("mrr") is not None else None
    days = renewal_days(account, at)
    near_renewal = days is not None and 0 <= days <= gate.renewal_within_days
    s = score.score
    if s >= gate.score_alone:
        reason = f"score {s} ≥ {gate.score_alone}"
    elif s >= gate.score_with_mrr and mrr is not None and mrr >= gate.mrr_floor:
        reason = f"score {s} ≥ {gate.score_with_mrr} and MRR {mrr:,.0f} ≥ {gate.mrr_floor:,.0f}"
    elif near_renewal and s >= gate.score_near_renewal:
        reason = f"renewal in {days} days and score {s} ≥ {gate.score_near_renewal}"
    else:
        return GateDecision(False, _miss_reason(s, mrr, days, gate), "low", days)
    return GateDecision(True, reason, _priority(score, days, gate), days)


def _priority(score: Score, days: int | None, gate: FrustrationGate) -> Priority:
    near = days is not None and 0 <= days <= gate.critical_renewal_days
    if score.risk == "critical" or (score.score >= gate.score_alone and near):
        return "critical"
    if score.signal == "churn_risk":
        return "high"
    if score.signal == "upgrade_intent":
        return "medium"
    return "low"


def _miss_reason(s: int, mrr: float | None, days: int | None, gate: FrustrationGate) -> str:
    mrr_text = "unknown MRR" if mrr is None else f"MRR {mrr:,.0f}"
    renewal_text = "no renewal date" if days is None else f"renewal in {days} days"
    return (
        f"score {s} below the gate ({gate.score_alone}; {gate.score_with_mrr} with MRR ≥ "
        f"{gate.mrr_floor:,.0f}; {gate.score_near_renewal} within {gate.renewal_within_days} "
        f"days of renewal) with {mrr_text}, {renewal_text}"
    )
