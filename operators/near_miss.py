"""Near misses: how close a rule came for an account when it did not fire, in words.

The weekly digest tells each owner which accounts *almost* alerted: the
missing signal and how close the account came (0..1). A near miss is judged
as of an evidence time, exactly as :func:`operators.match.evaluate` judges a
match, so a replay of history finds the same near misses.

How close each kind of condition came is :mod:`operators.rule_progress`'s reading of the
rule, the same one that finds matches.

Rule 1 (``ticket-frustration-gate``) is judged per ticket by
:func:`near_miss_ticket`: the closest of its three ways through the gate
(score 58 with MRR 3,200 → 58 / 65 → "7 more points of frustration").

>>> from datetime import UTC, datetime
>>> from operators.gate import GateDecision
>>> t = datetime(2026, 11, 20, tzinfo=UTC)
>>> miss = near_miss_ticket(GateDecision(False, "below", "low", None), 58, {"mrr": 3200},
...                         account_id="acct_42", at=t, ticket_id="t-1")
>>> (miss.closeness, miss.missing)
(0.892, '7 more points of frustration (score 58 of 65 needed with MRR 3,200)')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from config.rules import Absence, Rule
from operators import rule_progress as progress
from operators.gate import DESIGN_GATE, RULE_ID, FrustrationGate, GateDecision
from operators.rule_progress import MET, Window
from operators.signals import Signal

MIN_CLOSENESS = 0.5
"""Below this a miss is not close: it is left out of the digest."""
EVIDENCE_LIMIT = 5
"""Evidence ids kept per near miss (the most recent)."""
_NOT_MET_CAP = 0.999
"""A near miss never rounds up to 1: that would read as a match."""




@dataclass(frozen=True, slots=True)
class NearMiss:
    """A rule that did not fire for an account, and how close it came."""

    account_id: str
    rule_id: str
    missing: str
    """What was missing, in words a person reads ("1 more ticket about integration …")."""
    closeness: float
    """0..1, rounded to 3 places; never 1 (that would have been a match)."""
    at: datetime
    """The evidence time it was judged at: it files the near miss under its ISO week."""
    evidence: tuple[str, ...] = ()
    """Ids of the signals that were there (ticket ids, message ids), oldest first."""

    def to_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id, "rule_id": self.rule_id, "missing": self.missing,
            "closeness": self.closeness, "at": self.at.isoformat(), "evidence": list(self.evidence),
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> NearMiss:
        return NearMiss(
            account_id=data["account_id"], rule_id=data["rule_id"], missing=data["missing"],
            closeness=float(data["closeness"]), at=datetime.fromisoformat(data["at"]),
            evidence=tuple(data.get("evidence", ())),
        )


def near_miss(
    rule: Rule,
    trigger: Signal,
    window: Window,
    at: datetime,
    *,
    absence: Absence | None = None,
    min_closeness: float = MIN_CLOSENESS,
    evidence_limit: int = EVIDENCE_LIMIT,
) -> NearMiss | None:
    """How close ``rule`` came for ``trigger``'s account as of ``at``, when it did not match.

    Call it where :func:`operators.match.evaluate` returned None, with the same
    arguments (``at`` is the trigger's time, or the timer's due time with
    ``absence`` set). None when the rule matched, when it cannot be judged yet
    (a sequence's first step, an absence before its timer), or when it came
    less than ``min_closeness`` close.
    """
    if rule.when.ticket_gate is not None:
        return None  # rule 1 is judged per ticket: near_miss_ticket
    got = progress.evaluate(rule, trigger, window, due=at, absence=absence)
    return near_miss_of(rule, trigger, got, at, min_closeness=min_closeness,
                        evidence_limit=evidence_limit)


def near_miss_of(rule: Rule, trigger: Signal, got: progress.Progress | None, at: datetime, *,
                 min_closeness: float = MIN_CLOSENESS,
                 evidence_limit: int = EVIDENCE_LIMIT) -> NearMiss | None:
    """:func:`near_miss` from a progress already read (the one
    :func:`operators.match.match_of` found no match in)."""
    if rule.when.ticket_gate is not None:
        return None
    if got is None or got.match is not None or got.closeness >= MET or got.closeness < min_closeness:
        return None
    return NearMiss(
        account_id=trigger.account_id, rule_id=rule.id,
        missing="; and ".join(phrase() for phrase in got.missing), closeness=_round(got.closeness),
        at=at, evidence=_evidence_ids(got.evidence, evidence_limit),
    )


def near_miss_ticket(
    decision: GateDecision,
    score: int,
    account: dict[str, Any] | None,
    *,
    account_id: str,
    at: datetime,
    ticket_id: str,
    gate: FrustrationGate = DESIGN_GATE,
    min_closeness: float = MIN_CLOSENESS,
) -> NearMiss | None:
    """How close a below-gate ticket came to rule 1: the closest of its three ways through.

    ``at`` is the ticket's own time (renewal days are counted from it, as the
    gate does). None when the ticket passed or came less than ``min_closeness``
    close.
    """
    if decision.passed:
        return None
    mrr = float(account["mrr"]) if account and account.get("mrr") is not None else None
    days = decision.renewal_days
    ways: list[tuple[float, list[str]]] = []

    # Score with MRR: the headline way, so it is tried first and wins a tie.
    parts = [_points(score, gate.score_with_mrr,
                     "with MRR " + (f"{mrr:,.0f}" if mrr is not None else "unknown"))]
    if mrr is None:
        parts.append((0.0, f"an MRR of at least {gate.mrr_floor:,.0f} (MRR unknown)"))
    elif mrr < gate.mrr_floor:
        parts.append((max(mrr, 0.0) / gate.mrr_floor,
                      f"an MRR of at least {gate.mrr_floor:,.0f} (it is {mrr:,.0f})"))
    ways.append(_all(parts))

    # Near renewal: a renewal further away is closer the nearer it is.
    parts = [_points(score, gate.score_near_renewal, f"with renewal within {gate.renewal_within_days} days")]
    if days is None or days < 0:
        why = "no renewal date" if days is None else f"renewal passed {-days} days ago"
        parts.append((0.0, f"a renewal within {gate.renewal_within_days} days ({why})"))
    elif days > gate.renewal_within_days:
        parts.append((gate.renewal_within_days / days,
                      f"a renewal within {gate.renewal_within_days} days (it is in {days})"))
    ways.append(_all(parts))

    ways.append(_all([_points(score, gate.score_alone, "whatever the MRR")]))

    closeness, missing = max(ways, key=lambda w: w[0])  # max keeps the first of equals
    if closeness >= MET or closeness < min_closeness:
        return None
    return NearMiss(account_id, RULE_ID, "; and ".join(missing), _round(closeness), at, (ticket_id,))


# -- rule 1 -------------------------------------------------------------------------------------


def _points(score: int, needed: int, context: str) -> tuple[float, str]:
    if score >= needed:
        return MET, ""
    return (max(score, 0) / needed,
            f"{needed - score} more points of frustration (score {score} of {needed} needed {context})")


def _all(parts: Sequence[tuple[float, str]]) -> tuple[float, list[str]]:
    closeness = 1.0
    for c, _ in parts:
        closeness *= c
    return closeness, [words for c, words in parts if c < MET]


# -- helpers ------------------------------------------------------------------------------------


def _evidence_ids(signals: Iterable[Signal], limit: int) -> tuple[str, ...]:
    ordered = sorted(signals, key=lambda s: (s.at, s.record_id))
    ids = list(dict.fromkeys(s.source_id for s in ordered))
    return tuple(ids[-limit:]) if limit > 0 else ()


def _round(closeness: float) -> float:
    return round(min(max(closeness, 0.0), _NOT_MET_CAP), 3)
