"""Holdout control groups: which governed alerts are kept from reviewers, to measure lift.

A rule with ``holdout: 10%`` puts about a tenth of accounts in its control
group. Assignment is a hash of (salt, rule, account), so it is the same on
every worker, every restart and every replay, needs no state, and an account
stays in (or out of) a rule's control group for as long as the salt and the
share stay put. Raising the share only adds accounts to the group.

The decision is taken *after* governance, on the alerts governance would
publish: cooldowns, caps and suppressions act on both arms alike, so the two
arms differ only in whether a person saw the alert. A held-out alert becomes a
digest record (``io.cuewire.digest.holdout``, ``"holdout": true``) and never
reaches the alerts topic.

>>> in_holdout("repeat-unresolved", "acct_42", 0.0, "cuewire")
False
>>> in_holdout("repeat-unresolved", "acct_42", 0.999999, "cuewire")
True
>>> assignment_point("r", "acct_1", "s") == assignment_point("r", "acct_1", "s")
True
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from operators.govern import Verdict, explain_entry
from operators.render import ALERT_NAMESPACE, cloud_event

HOLDOUT_TYPE = "io.cuewire.digest.holdout"
_SCALE = float(1 << 64)


def assignment_point(rule_id: str, account_id: str, salt: str) -> float:
    """Where an account falls in ``[0, 1)`` for a rule: the first 8 bytes of a SHA-256."""
    digest = hashlib.sha256(f"{salt}\x1f{rule_id}\x1f{account_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def in_holdout(rule_id: str, account_id: str, share: float, salt: str) -> bool:
    """Whether ``account_id`` is in ``rule_id``'s control group of the given share."""
    return share > 0 and assignment_point(rule_id, account_id, salt) < share


def split_holdout(verdicts: Sequence[Verdict], share_of: Callable[[str], float],
                  salt: str) -> tuple[list[Verdict], list[Verdict]]:
    """(verdicts to act on as before, publish verdicts held out as the control group).

    ``share_of(rule_id)`` is the rule's holdout share (0 for none, or a rule no longer loaded).
    """
    kept: list[Verdict] = []
    held: list[Verdict] = []
    for v in verdicts:
        c = v.candidate
        if v.outcome == "publish" and in_holdout(c.rule_id, c.account_id, share_of(c.rule_id), salt):
            held.append(v)
        else:
            kept.append(v)
    return kept, held


def holdout_event(verdict: Verdict, *, now: datetime, deployment: str) -> dict[str, Any]:
    """The digest record of a held-out alert: its governance entry and the alert as rendered."""
    c = verdict.candidate
    data = {**explain_entry(verdict), "outcome": "holdout", "holdout": True,
            "reason": f"holdout: {c.account_id} is in the control group of rule {c.rule_id}",
            "alert": (c.alert or {}).get("data")}
    return cloud_event(
        event_id=str(uuid.uuid5(ALERT_NAMESPACE, f"holdout\x1f{c.alert_id}")),
        type_=HOLDOUT_TYPE, subject=c.account_id, time=now, deployment=deployment, data=data,
    )
