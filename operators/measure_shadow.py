"""Shadow comparison: what a candidate rules file raised beside the live one, on the same records.

Alert ids are deterministic in (rule, account, triggering evidence), so an
alert both files raised has one id. Per rule: the live and shadow volumes,
their overlap, and the reviewers' precision on the live alerts the candidate
would keep and on those it would drop. Alerts only the candidate raised were
never shown to anyone, so they have no precision yet: that is what promoting
the candidate would find out.

>>> from datetime import UTC, datetime
>>> t = datetime(2026, 11, 20, tzinfo=UTC)
>>> live = [RaisedAlert("a", "r", "x", "high", t), RaisedAlert("b", "r", "y", "high", t)]
>>> shadow = [RaisedAlert("a", "r", "x", "high", t), RaisedAlert("c", "r", "z", "high", t)]
>>> [row] = compare_shadow(live, shadow, [Decision("b", "dismissed", t)])
>>> row.live, row.shadow, row.both, row.dropped_not_useful
(2, 2, 1, 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from operators.measure_precision import USEFUL, verdicts
from operators.measure_records import Decision, RaisedAlert


@dataclass(frozen=True, slots=True)
class ShadowRow:
    rule: str
    live: int
    shadow: int
    both: int
    kept_useful: int
    """Live alerts the candidate also raised, judged useful by reviewers …"""
    kept_not_useful: int
    dropped_useful: int
    """… and live alerts the candidate would not have raised."""
    dropped_not_useful: int

    @property
    def only_live(self) -> int:
        return self.live - self.both

    @property
    def only_shadow(self) -> int:
        return self.shadow - self.both


def compare_shadow(live: Sequence[RaisedAlert], shadow: Sequence[RaisedAlert],
                   decisions: Sequence[Decision]) -> list[ShadowRow]:
    """Per rule, sorted by rule id; held-out alerts are left out of both sides."""
    live_ids = {a.alert_id: a for a in live if not a.holdout}
    shadow_ids = {a.alert_id: a for a in shadow if not a.holdout}
    verdict = verdicts(decisions)
    rules = sorted({a.rule for a in live_ids.values()} | {a.rule for a in shadow_ids.values()})
    rows = []
    for rule in rules:
        mine = {k for k, a in live_ids.items() if a.rule == rule}
        theirs = {k for k, a in shadow_ids.items() if a.rule == rule}
        tally = {(kept, useful): 0 for kept in (True, False) for useful in (True, False)}
        for alert_id in mine:
            v = verdict.get(alert_id)
            if v is not None:
                tally[(alert_id in theirs, v.decision in USEFUL)] += 1
        rows.append(ShadowRow(rule, len(mine), len(theirs), len(mine & theirs),
                              tally[(True, True)], tally[(True, False)],
                              tally[(False, True)], tally[(False, False)]))
    return rows
