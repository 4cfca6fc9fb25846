"""The fixed world governance tests decide in: the default policy, a Thursday morning
inside working hours, one consenting account, and what the store returns after a batch.

    verdicts, writes = govern(batch, view, POLICY)
    view = stored(view, writes)      # what the next batch's fetch sees
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from config.rules import Governance
from operators.govern import GovernanceView, GovernanceWrites

POLICY = Governance()
THU_10 = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
"""A Thursday, 10:00 UTC: inside the default working hours."""
ACCOUNT: dict[str, Any] = {"account_id": "acct_42", "consent": {"email": True, "sms": False}}


def stored(view: GovernanceView, writes: GovernanceWrites) -> GovernanceView:
    """What the store's next fetch returns after keeping ``writes`` (cooldowns and the
    day's published ids; tickets and snoozes as they were)."""
    cooldowns = {k: list(v) for k, v in view.cooldowns.items()}
    for key, entries in writes.cooldowns.items():
        cooldowns.setdefault(key, []).extend(entries)
    published = dict(view.published)
    for day, ids in writes.published.items():
        published[day] = published.get(day, frozenset()) | frozenset(ids)
    return GovernanceView(cooldowns=cooldowns, published=published, tickets=view.tickets,
                          snoozes=view.snoozes)
