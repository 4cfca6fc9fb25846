"""What a rules change would do: the difference between two runs' outputs over the same history.

Alert ids are deterministic in (rule, account, triggering evidence), so the
same alert in both runs has the same id: an id in one run only is an alert the
change removes or adds; the same id with another priority is a change of
priority. Governance decisions (``io.cuewire.digest.suppressed`` and
``…deferred``: cooldown, daily cap, promotional suppression, consent; and
``…holdout``) are compared by (alert id, outcome, kind of reason).

>>> a = [{"type": "io.cuewire.alert.churn_risk", "data": {"alert_id": "x", "priority": "high",
...       "rule": "r", "account_id": "acct_1"}}]
>>> b = [{"type": "io.cuewire.alert.churn_risk", "data": {"alert_id": "x", "priority": "low",
...       "rule": "r", "account_id": "acct_1"}}]
>>> d = diff_runs(a, b)
>>> d.only_a, d.only_b, [(c.alert_id, c.priority_a, c.priority_b) for c in d.reprioritised]
([], [], [('x', 'high', 'low')])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ALERT_PREFIX = "io.cuewire.alert."
UPDATED = "io.cuewire.alert.updated"
HELD_TYPES = {"io.cuewire.digest.suppressed": "suppressed", "io.cuewire.digest.deferred": "deferred",
              "io.cuewire.digest.holdout": "holdout"}


@dataclass(frozen=True, slots=True)
class BacktestAlert:
    alert_id: str
    rule: str
    account_id: str
    priority: str
    data: Mapping[str, Any]
    """The alert's ``data`` as published: summary, evidence and all."""


@dataclass(frozen=True, slots=True)
class Reprioritised:
    alert_id: str
    priority_a: str
    priority_b: str
    alert: BacktestAlert


@dataclass(frozen=True, slots=True)
class HeldBack:
    """A governance decision that kept an alert from reviewers (or put it off)."""

    alert_id: str
    rule: str
    account_id: str
    outcome: str
    """``suppressed``, ``deferred`` or ``holdout``."""
    why: str
    """The kind of reason: ``cooldown``, ``daily cap``, ``consent`` … (the text before the colon)."""
    reason: str


@dataclass
class RunOutput:
    """One run's alerts (by id) and governance decisions, from its output records."""

    alerts: dict[str, BacktestAlert] = field(default_factory=dict)
    held: dict[tuple[str, str, str], HeldBack] = field(default_factory=dict)

    def add(self, event: Mapping[str, Any]) -> None:
        kind, data = event.get("type"), event.get("data")
        if not isinstance(kind, str) or not isinstance(data, Mapping):
            return
        alert_id = data.get("alert_id")
        if not isinstance(alert_id, str):
            return
        if kind.startswith(ALERT_PREFIX) and kind != UPDATED:
            self.alerts.setdefault(alert_id, BacktestAlert(
                alert_id, str(data.get("rule", "")), str(data.get("account_id", "")),
                str(data.get("priority", "")), data))
        elif kind in HELD_TYPES:
            reason = str(data.get("reason", ""))
            why = reason.split(":", 1)[0].strip()
            entry = HeldBack(alert_id, str(data.get("rule", "")), str(data.get("account_id", "")),
                             HELD_TYPES[kind], why, reason)
            self.held.setdefault((alert_id, entry.outcome, why), entry)


@dataclass
class BacktestDiff:
    alerts_a: int
    alerts_b: int
    only_a: list[BacktestAlert]
    only_b: list[BacktestAlert]
    reprioritised: list[Reprioritised]
    held_only_a: list[HeldBack]
    held_only_b: list[HeldBack]

    def held_moves(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(outcome, kind of reason) → how many decisions only A made, only B made."""
        only_a = Counter((h.outcome, h.why) for h in self.held_only_a)
        only_b = Counter((h.outcome, h.why) for h in self.held_only_b)
        return {k: (only_a[k], only_b[k]) for k in sorted(only_a.keys() | only_b.keys())}

    @property
    def unchanged(self) -> bool:
        return not (self.only_a or self.only_b or self.reprioritised
                    or self.held_only_a or self.held_only_b)


def run_output(events: Iterable[Mapping[str, Any]]) -> RunOutput:
    out = RunOutput()
    for event in events:
        out.add(event)
    return out


def _order(alert: BacktestAlert) -> tuple[str, str, str, str]:
    return (alert.rule, alert.account_id, str(alert.data.get("first_evidence_at", "")), alert.alert_id)


def diff_runs(a: Iterable[Mapping[str, Any]], b: Iterable[Mapping[str, Any]]) -> BacktestDiff:
    """Compare two runs' output CloudEvents (alerts and digest records, in any order)."""
    ra, rb = run_output(a), run_output(b)
    only_a = sorted((x for k, x in ra.alerts.items() if k not in rb.alerts), key=_order)
    only_b = sorted((x for k, x in rb.alerts.items() if k not in ra.alerts), key=_order)
    changed = sorted(
        (Reprioritised(k, x.priority, rb.alerts[k].priority, rb.alerts[k])
         for k, x in ra.alerts.items() if k in rb.alerts and x.priority != rb.alerts[k].priority),
        key=lambda c: _order(c.alert))
    held_a = sorted((h for k, h in ra.held.items() if k not in rb.held),
                    key=lambda h: (h.outcome, h.why, h.rule, h.account_id, h.alert_id))
    held_b = sorted((h for k, h in rb.held.items() if k not in ra.held),
                    key=lambda h: (h.outcome, h.why, h.rule, h.account_id, h.alert_id))
    return BacktestDiff(len(ra.alerts), len(rb.alerts), only_a, only_b, changed, held_a, held_b)
