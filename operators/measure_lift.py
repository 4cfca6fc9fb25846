"""Holdout lift: do accounts whose alerts reached a person fare better than the control group?

For each rule the unit is an account: its first alert of the rule (staged, or
held out) opens a horizon (30 days by default). Only accounts whose horizon
has ended by ``now`` are counted, so both arms have had the same time for
things to go wrong. An account had a **bad outcome** when, inside its horizon:

* a reviewer recorded ``churned`` on one of its alerts of the rule;
* its CRM record was deleted (a tombstone);
* its MRR fell below the MRR on the alert;
* its renewal date (on the alert) passed and the CRM never moved it later: lapsed.

Lift is the control group's bad-outcome rate minus the treated arm's, with
Newcombe's interval: above zero, alerts help. With fewer than ``min_arm``
accounts in either arm the sample is too small to conclude anything.

>>> verdict_text(Lift("r", 10, 1, 100, 15, difference=None, min_arm=30))
'too small to conclude: 10 held out, 100 treated (need at least 30 in each arm)'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from operators.measure_records import AccountChange, Decision, RaisedAlert
from operators.measure_stats import Difference, difference_interval

DEFAULT_HORIZON = timedelta(days=30)
MIN_ARM = 30
BAD_DECISIONS = frozenset({"churned"})


@dataclass(frozen=True, slots=True)
class Lift:
    """One rule's two arms and, when both have accounts, the difference of their rates."""

    rule: str
    held_out: int
    held_out_bad: int
    treated: int
    treated_bad: int
    difference: Difference | None
    """control rate − treated rate, with its interval; ``None`` when an arm is empty."""
    min_arm: int = MIN_ARM
    held_out_waiting: int = 0
    treated_waiting: int = 0
    """Accounts of each arm whose horizon has not ended yet: counted once it has."""

    @property
    def too_small(self) -> bool:
        return min(self.held_out, self.treated) < self.min_arm


def verdict_text(lift: Lift) -> str:
    """What the numbers allow one to say, in words."""
    if lift.too_small or lift.difference is None:
        waiting = (f"; {lift.held_out_waiting} held out and {lift.treated_waiting} treated are "
                   "still inside their horizon") if lift.held_out_waiting or lift.treated_waiting else ""
        return (f"too small to conclude: {lift.held_out} held out, {lift.treated} treated "
                f"(need at least {lift.min_arm} in each arm){waiting}")
    d = lift.difference
    if d.low > 0:
        return "alerts help: fewer bad outcomes when a person saw the alert"
    if d.high < 0:
        return "alerts hurt: more bad outcomes when a person saw the alert"
    return "no clear difference: the interval includes zero"


def _bad_outcome(first: RaisedAlert, alert_ids: set[str], horizon_end: datetime,
                 decisions: Sequence[Decision], changes: Sequence[AccountChange], now: datetime) -> bool:
    def inside(at: datetime | None) -> bool:
        return at is None or first.at <= at <= horizon_end

    if any(d.alert_id in alert_ids and d.decision in BAD_DECISIONS and inside(d.at) for d in decisions):
        return True
    for c in changes:
        if not inside(c.at):
            continue
        if c.deleted or (first.mrr is not None and c.mrr is not None and c.mrr < first.mrr):
            return True
    due = first.renewal_date
    if due is not None and first.at.date() <= due <= horizon_end.date() and due < now.date():
        renewed = any(c.renewal_date is not None and c.renewal_date > due for c in changes
                      if not c.deleted)
        if not renewed:
            return True
    return False


def holdout_lift(alerts: Sequence[RaisedAlert], decisions: Sequence[Decision],
                 changes: Sequence[AccountChange], *, now: datetime,
                 horizon: timedelta = DEFAULT_HORIZON, min_arm: int = MIN_ARM,
                 rules: Sequence[str] | None = None) -> list[Lift]:
    """Per rule (those with at least one held-out alert, or ``rules``), both arms and the lift."""
    firsts: dict[tuple[str, str], RaisedAlert] = {}
    ids: dict[tuple[str, str], set[str]] = {}
    for a in sorted(alerts, key=lambda a: a.at):
        key = (a.rule, a.account_id)
        firsts.setdefault(key, a)
        ids.setdefault(key, set()).add(a.alert_id)
    by_account: dict[str, list[AccountChange]] = {}
    for c in changes:
        by_account.setdefault(c.account_id, []).append(c)
    wanted = sorted(set(rules) if rules is not None else {a.rule for a in alerts if a.holdout})
    out = []
    for rule in wanted:
        arms = {True: [0, 0], False: [0, 0]}  # holdout → [accounts, bad outcomes]
        waiting = {True: 0, False: 0}
        for (r, account), first in firsts.items():
            end = first.at + horizon
            if r != rule:
                continue
            if end > now:
                waiting[first.holdout] += 1
                continue
            arm = arms[first.holdout]
            arm[0] += 1
            arm[1] += _bad_outcome(first, ids[(r, account)], end, decisions,
                                   by_account.get(account, []), now)
        (h, hb), (t, tb) = arms[True], arms[False]
        diff = difference_interval(hb, h, tb, t) if h and t else None
        out.append(Lift(rule, h, hb, t, tb, diff, min_arm, waiting[True], waiting[False]))
    return out
