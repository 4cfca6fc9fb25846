"""What governance decides about and with: candidates, verdicts, and the state it reads.

The pure :func:`operators.govern.govern` takes :class:`Candidate` s and a
:class:`GovernanceView` (what the store fetched for the keys
:func:`operators.govern.view_keys` names) and returns a :class:`Verdict` per
candidate with the :class:`GovernanceWrites` to store. The types are plain
frozen dataclasses: the state layer keeps them as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from operators.owner_time import aware
from operators.value_class import value_class

Priority = Literal["critical", "high", "medium", "low"]
Outcome = Literal["publish", "suppressed", "deferred"]
Change = Literal["escalated", "new_evidence"]
"""How new evidence changed an open alert: a higher priority, or only more evidence."""
CooldownKey = tuple[str, str]
"""(account_id, rule_id)."""
DayKey = tuple[str, date]
"""(account_id, the owner-local day)."""

PRIORITY_RANK: Mapping[str, int] = {"critical": 0, "high": 1, "medium": 2, "low": 3}
COOLDOWN_HISTORY = 16
"""Cooldown entries kept per account and rule: enough for a restart that re-reads
history to find the publication that silenced each candidate, and bounded."""
CLOSED_TICKET_KEEP = timedelta(days=30)
"""A frustrated ticket closed longer than this before a candidate is forgotten."""


@value_class
class Candidate:
    """An alert a rule wants to publish.

    ``at`` is the evidence (event) time, aware UTC: governance is evaluated as
    of this time. ``account`` is the CRM snapshot (CONTRACTS.md); ``cooldown``
    is the rule's own, else the policy's applies.
    """

    alert_id: str
    rule_id: str
    account_id: str
    signal: str
    priority: Priority
    promotional: bool
    at: datetime
    account: dict[str, Any] | None
    contact_email: str | None
    cooldown: timedelta | None = None
    alert: dict[str, Any] | None = None
    """The rendered alert, carried untouched so a deferred candidate publishes as rendered."""


@dataclass(frozen=True, slots=True)
class ThreadUpdate:
    """A candidate that is new evidence for an open alert of its account and rule.

    It is published as ``io.cuewire.alert.updated`` in the open alert's thread
    (``thread_id``: the alert that opened it) instead of being suppressed by
    that alert's cooldown; ``escalated`` when it raises the thread's priority.
    """

    thread_id: str
    change: Change
    priority: Priority
    """The thread's priority with this update: the highest any of its alerts had."""
    previous_priority: Priority | None
    """The thread's priority before (``None``: kept before priorities were)."""
    opened_at: datetime
    open_until: datetime


@value_class
class Verdict:
    """What governance decided for one candidate, and why in words."""

    candidate: Candidate
    outcome: Outcome
    reason: str
    queue_for_next_morning: bool = False
    next_morning_at: datetime | None = None
    retry_at: datetime | None = None
    update: ThreadUpdate | None = None
    """Set when the published candidate updates an open alert rather than opening one."""


@dataclass(frozen=True, slots=True)
class CooldownEntry:
    """One publication of a rule for an account: the rule is quiet in ``[since, until)``.

    The alert that opens a thread has no ``update``; each update of it is an
    entry of its own with the thread's window, so a restart that re-derives
    the update finds it, and the thread is found from any of its entries.
    """

    alert_id: str
    since: datetime
    until: datetime
    priority: Priority | None = None
    update: ThreadUpdate | None = None

    @property
    def thread_id(self) -> str:
        return self.update.thread_id if self.update is not None else self.alert_id


@dataclass(frozen=True, slots=True)
class Snooze:
    """A reviewer's snooze of a rule for an account: quiet for evidence before ``until``.

    A dismissal is kept the same way, with ``closes_thread``: it silences no new alert,
    only new evidence for the dismissed alert's own thread (kept until ``until``)."""

    alert_id: str
    until: datetime
    by: str | None = None
    closes_thread: bool = False

    def silences(self, at: datetime) -> bool:
        return not self.closes_thread and aware(at) < self.until


def snooze_of(alert_id: str, decision: str, until: datetime | None, by: str | None) -> Snooze | None:
    """The snooze a feedback decision asks for, if any.

    >>> from datetime import UTC, datetime
    >>> snooze_of("a1", "snoozed", datetime(2026, 12, 15, tzinfo=UTC), "riley@vendor.com").until.day
    15
    >>> snooze_of("a1", "dismissed", datetime(2026, 12, 15, tzinfo=UTC), None) is None
    True
    """
    if decision != "snoozed" or until is None:
        return None
    return Snooze(alert_id, aware(until).astimezone(UTC), by)


DISMISSAL_KEPT = timedelta(days=30)
"""How long a dismissal is kept: longer than any thread's cooldown."""


def dismissal_of(alert_id: str, decision: str, at: datetime | None, by: str | None) -> Snooze | None:
    """The thread a feedback decision closes, if any: a dismissed alert is no longer open
    (CONTRACTS.md: only "an alert that is still open" takes new evidence).

    >>> from datetime import UTC, datetime
    >>> closed = dismissal_of("a1", "dismissed", datetime(2026, 12, 1, tzinfo=UTC), "riley@vendor.com")
    >>> closed.closes_thread, closed.silences(datetime(2026, 12, 2, tzinfo=UTC))
    (True, False)
    >>> dismissal_of("a1", "approved", datetime(2026, 12, 1, tzinfo=UTC), None) is None
    True
    """
    if decision != "dismissed" or at is None:  # (a record without its time says not when)
        return None
    return Snooze(alert_id, aware(at).astimezone(UTC) + DISMISSAL_KEPT, by, closes_thread=True)


@dataclass(frozen=True, slots=True)
class TicketSpan:
    """A frustrated ticket of an account, open from ``opened_at`` until ``closed_at`` (or still)."""

    ticket_id: str
    opened_at: datetime | None
    closed_at: datetime | None = None

    def open_at(self, at: datetime) -> bool:
        return self.opened_at is not None and self.opened_at <= at and (
            self.closed_at is None or at < self.closed_at)


@dataclass(frozen=True, slots=True)
class ViewKeys:
    """The state a batch of candidates needs: what the store fetches into a view."""

    cooldowns: tuple[CooldownKey, ...]
    days: tuple[DayKey, ...]
    accounts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GovernanceView:
    """State fetched for the candidates' accounts; a key not present reads as empty."""

    cooldowns: Mapping[CooldownKey, Sequence[CooldownEntry]] = field(default_factory=dict)
    published: Mapping[DayKey, frozenset[str]] = field(default_factory=dict)
    """The alert ids published per account and owner-local day."""
    tickets: Mapping[str, Sequence[TicketSpan]] = field(default_factory=dict)
    """The frustrated tickets tracked per account."""
    snoozes: Mapping[CooldownKey, Sequence[Snooze]] = field(default_factory=dict)
    """Reviewers' snoozes per account and rule."""


@dataclass(slots=True)
class GovernanceWrites:
    """What to store after a call: new cooldown entries, publications per day, tickets to forget."""

    cooldowns: dict[CooldownKey, list[CooldownEntry]] = field(default_factory=dict)
    published: dict[DayKey, list[str]] = field(default_factory=dict)
    forget_tickets: dict[str, list[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.cooldowns or self.published or self.forget_tickets)

