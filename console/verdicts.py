"""What an alert's feedback adds up to: its status, who decided first, its outcome.

Pure: the store calls :func:`settle` with an alert's feedback records in topic
order (one alert's records share a partition, keyed by alert id, so the order is
the same for every console reading the topic), whenever one arrives.

The first verdict (approved, sent, dismissed, snoozed) is the alert's; an
approved alert may then be marked sent. Any other later verdict is kept in the
history as *late*: the reviewer who sent it was second. Outcomes (converted,
churned, saved) are recorded whenever they come; the latest counts.

>>> rows = [FeedbackRow("approved", "riley@vendor.com", "2026-11-20T11:00:00Z"),
...         FeedbackRow("dismissed", "sam@vendor.com", "2026-11-20T11:01:00Z", reason="not_useful"),
...         FeedbackRow("sent", "riley@vendor.com", "2026-11-20T11:05:00Z")]
>>> s = settle(rows)
>>> s.status, s.decided_by, s.late
('sent', 'riley@vendor.com', (1,))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contracts.feedback import DECISIONS, OUTCOMES
from operators.measure_precision import verdict_of


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    decision: str
    by: str | None
    at: str | None
    reason: str | None = None
    until: str | None = None


@dataclass(frozen=True, slots=True)
class Settled:
    status: str = "staged"
    decided_by: str | None = None
    decided_at: str | None = None
    reason: str | None = None
    until: str | None = None
    outcome: str | None = None
    late: tuple[int, ...] = ()
    """Indexes of verdicts that came after the alert was already decided."""
    judged: str | None = None
    """``useful`` or ``not_useful`` by the latest decision that judges the alert, as
    ``cuewire report`` counts precision (operators/measure_precision.py), so the
    console's rules page and the report agree."""
    false_signal: bool = False


def settle(rows: Sequence[FeedbackRow]) -> Settled:
    status, by, at, reason, until, outcome = "staged", None, None, None, None, None
    late: list[int] = []
    judged, false_signal = None, False
    for i, row in enumerate(rows):
        if verdict_of(row.decision) != "other":
            judged = verdict_of(row.decision)
            false_signal = row.decision == "dismissed" and row.reason == "false_signal"
        if row.decision in OUTCOMES:
            outcome = row.decision
        elif row.decision in DECISIONS:
            if status == "staged":
                status, by, at, reason, until = row.decision, row.by, row.at, row.reason, row.until
            elif status == "approved" and row.decision == "sent":
                status = "sent"
            else:
                late.append(i)
    return Settled(status, by, at, reason, until, outcome, tuple(late), judged, false_signal)


def precision(useful: int, not_useful: int) -> float | None:
    """Useful verdicts over useful and not useful ones; ``None`` before any.

    >>> precision(3, 1), precision(0, 0)
    (0.75, None)
    """
    judged = useful + not_useful
    return useful / judged if judged else None


def refused(status: str, decision: str) -> bool:
    """Whether a new verdict comes too late: the alert is decided already (approved may
    still be marked sent). Outcomes are never refused.

    >>> refused("staged", "dismissed"), refused("approved", "sent"), refused("dismissed", "approved")
    (False, False, True)
    """
    if decision in OUTCOMES:
        return False
    return status != "staged" and not (status == "approved" and decision == "sent")
