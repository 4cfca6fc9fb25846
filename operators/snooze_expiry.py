"""How long a reviewer's snooze is kept: judged in event time, never against the wall clock.

Governance asks whether a snooze silences a candidate by the candidate's own time
(:meth:`operators.governance_model.Snooze.silences`), so the store must still hold
the snooze whenever a candidate from before its end can arrive. Keeping it until a
*wall-clock* instant (``until`` plus a day) drops it at once in a replay of last
year's history, and the live flow and the replay then disagree on the same input.
Instead the snooze is kept for its span in event time, from the reviewer's decision
to a day past its end, and never less than ``at_least`` (the store's housekeeping
floor, which covers input read hours or days behind the reviewers).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

KEPT_PAST_END = timedelta(days=1)
"""A snooze stays this long after it ends, for candidates read a little late."""


def snooze_lifetime(until: datetime, decided_at: datetime | None, at_least: timedelta) -> timedelta:
    """How long the store keeps a snooze decided at ``decided_at`` (event time) that ends at
    ``until``: its span plus :data:`KEPT_PAST_END`, at least ``at_least``. A decision
    without its own time keeps the floor; a time without a zone is UTC, as the input's
    date window reads it.

    >>> from datetime import UTC
    >>> day = datetime(2025, 3, 1, tzinfo=UTC)
    >>> snooze_lifetime(day + timedelta(days=40), day, timedelta(days=30)).days
    41
    >>> snooze_lifetime(day + timedelta(days=2), day, timedelta(days=30)).days
    30
    >>> snooze_lifetime(day - timedelta(days=2), day, timedelta(0)) == KEPT_PAST_END
    True
    """
    if decided_at is None:
        return at_least
    span = max(_utc(until) - _utc(decided_at), timedelta(0))
    return max(at_least, span + KEPT_PAST_END)


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
