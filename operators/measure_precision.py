"""Per-rule precision and volume: how many of a rule's alerts reviewers found worth acting on.

Each staged alert's verdict is its reviewers' latest decision that says so:

* **useful**: ``approved``, ``sent``, ``converted``, ``saved``;
* **not useful**: ``dismissed`` (any reason; ``false_signal`` is counted apart too);
* ``snoozed`` and ``churned`` say nothing about whether the alert was right.

Precision is useful / (useful + not useful) over the reviewed alerts raised in
the window ``(now − window, now]``, with a Wilson interval; decisions later
than ``now`` are not yet known. Held-out alerts are never reviewed, so they are
left out of precision and volume (they have their own report, lift).

>>> from datetime import UTC, datetime, timedelta
>>> from operators.measure_records import Decision, RaisedAlert
>>> t = datetime(2026, 11, 20, tzinfo=UTC)
>>> alerts = [RaisedAlert(f"a{i}", "r", f"acct_{i}", "high", t) for i in range(4)]
>>> said = [Decision("a0", "approved", t), Decision("a1", "sent", t),
...         Decision("a2", "dismissed", t, "false_signal"), Decision("a3", "snoozed", t)]
>>> [row] = rule_precision(alerts, said, now=t + timedelta(days=1), window=timedelta(days=7))
>>> row.alerts, row.reviewed, row.useful, row.false_signal, round(row.precision or 0, 3)
(4, 3, 2, 1, 0.667)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from operators.measure_records import Decision, RaisedAlert
from operators.measure_stats import wilson_interval

USEFUL = frozenset({"approved", "sent", "converted", "saved"})
NOT_USEFUL = frozenset({"dismissed"})
FALSE_SIGNAL = "false_signal"
WINDOWS = (timedelta(days=7), timedelta(days=28))
UNVERSIONED = "-"
UNKNOWN_RULE = "unknown"
_RULE_ID = re.compile(r"^[a-z][a-z0-9-]{0,63}$")


def verdict_of(decision: str) -> str:
    """``useful``, ``not_useful`` or ``other`` (a decision that does not judge the alert).

    >>> verdict_of("sent"), verdict_of("dismissed"), verdict_of("snoozed")
    ('useful', 'not_useful', 'other')
    """
    return "useful" if decision in USEFUL else "not_useful" if decision in NOT_USEFUL else "other"


def feedback_rule(feedback: Any) -> str:
    """The rule a feedback record names in ``labels.rule`` (a well-formed rule id), else ``unknown``:
    feedback names only an alert id, so the running flow knows the rule only if the reviewer's
    tool says it; ``cuewire report`` joins the alerts and always knows."""
    rule = getattr(feedback, "labels", {}).get("rule")
    return rule if isinstance(rule, str) and _RULE_ID.match(rule) else UNKNOWN_RULE


@dataclass(frozen=True, slots=True)
class RulePrecision:
    """One rule (and rule version) over one window."""

    rule: str
    rule_version: str
    window: timedelta
    alerts: int
    """Alerts staged for reviewers in the window (volume)."""
    reviewed: int
    """Of those, alerts with a useful or not-useful verdict."""
    useful: int
    not_useful: int
    false_signal: int
    """Not-useful alerts whose dismissal said ``false_signal``."""
    decisions: dict[str, int] = field(default_factory=dict)
    """How many of the window's alerts got each decision at least once."""
    low: float = 0.0
    high: float = 1.0
    variant: str | None = None
    """The A/B arm of the rule (``variants:``), when it has them."""

    @property
    def precision(self) -> float | None:
        return self.useful / self.reviewed if self.reviewed else None


def verdicts(decisions: Iterable[Decision], now: datetime | None = None) -> dict[str, Decision]:
    """alert id → the latest useful/not-useful decision known at ``now`` (later input wins ties)."""
    latest: dict[str, Decision] = {}
    for d in decisions:
        if d.decision not in USEFUL and d.decision not in NOT_USEFUL:
            continue
        if now is not None and d.at is not None and d.at > now:
            continue
        held = latest.get(d.alert_id)
        if held is None or held.at is None or d.at is None or d.at >= held.at:
            latest[d.alert_id] = d
    return latest


def rule_precision(alerts: Sequence[RaisedAlert], decisions: Sequence[Decision], *,
                   now: datetime, window: timedelta) -> list[RulePrecision]:
    """Precision and volume per (rule, rule version, variant) of the alerts raised in
    ``(now − window, now]``, sorted by rule, version and variant. ``now`` is passed in: this
    reads no clock."""
    since = now - window
    staged: dict[str, RaisedAlert] = {}
    for a in alerts:
        if not a.holdout and since < a.at <= now:
            staged.setdefault(a.alert_id, a)
    verdict = verdicts(decisions, now)
    seen: dict[str, set[str]] = {}
    for d in decisions:
        if d.alert_id in staged and (d.at is None or d.at <= now):
            seen.setdefault(d.alert_id, set()).add(d.decision)
    groups: dict[tuple[str, str, str], list[RaisedAlert]] = {}
    for a in staged.values():
        groups.setdefault((a.rule, a.rule_version or UNVERSIONED, a.variant or ""), []).append(a)
    rows = []
    for (rule, version, variant), members in sorted(groups.items()):
        useful = not_useful = false_signal = 0
        counts: Counter[str] = Counter()
        for a in members:
            counts.update(seen.get(a.alert_id, ()))
            v = verdict.get(a.alert_id)
            if v is None:
                continue
            if v.decision in USEFUL:
                useful += 1
            else:
                not_useful += 1
                false_signal += v.reason == FALSE_SIGNAL
        reviewed = useful + not_useful
        low, high = wilson_interval(useful, reviewed)
        rows.append(RulePrecision(rule, version, window, len(members), reviewed, useful, not_useful,
                                  false_signal, dict(sorted(counts.items())), low, high, variant or None))
    return rows


def precision_report(alerts: Sequence[RaisedAlert], decisions: Sequence[Decision], *,
                     now: datetime, windows: Sequence[timedelta] = WINDOWS) -> list[RulePrecision]:
    """:func:`rule_precision` for each window (7 and 28 days by default), one list."""
    return [row for w in windows for row in rule_precision(alerts, decisions, now=now, window=w)]
