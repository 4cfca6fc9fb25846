"""The flow's internal records: plain, immutable dataclasses that cross the hot loop.

Wire shapes (pydantic, validated) live in ``contracts``; once a record is
validated it is normalised into one of these, and everything downstream works
on them. Times are always timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from operators.value_class import value_class

TicketSource = Literal["zendesk", "intercom", "generic"]
CLOSED_STATUSES = frozenset({"solved", "closed", "resolved"})
"""Statuses that leave a ticket closed, lower-cased as the normalisers leave them: Zendesk's
``solved``/``closed``, Intercom's ``closed``, and the ``resolved`` generic relays send."""
EventType = Literal["track", "page", "identify", "group"]


@value_class
class Coordinates:
    """Where a record came from: enough to find it again, never its content."""

    topic: str
    partition: int
    offset: int
    key: bytes | None = None
    timestamp_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Ticket:
    """One helpdesk message (a new ticket or a reply), whatever helpdesk sent it.

    ``record_id`` is the idempotency key of the delivery (the webhook event's
    id, or the ticket id where the helpdesk has no event id); ``ticket_id`` is
    the conversation it belongs to, prefixed by its source so ids from two
    helpdesks never collide.
    """

    record_id: str
    ticket_id: str
    source: TicketSource
    kind: Literal["created", "replied", "updated"]
    subject: str
    body: str
    created_at: datetime
    requester_email: str | None = None
    requester_name: str | None = None
    account_id: str | None = None
    organization_id: str | None = None
    status: str | None = None
    priority: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def is_open(self) -> bool:
        """Whether its status leaves the ticket open (no status: still open).

        >>> [Ticket("r", "t", "generic", "updated", "", "", datetime(2026, 1, 1, tzinfo=UTC),
        ...         status=s).is_open for s in (None, "pending", "solved", "closed", "resolved")]
        [True, True, False, False, False]
        """
        return (self.status or "open").lower() not in CLOSED_STATUSES

    @property
    def raised_by_customer(self) -> bool:
        """Whether the customer wrote something: not a status change (which Zendesk sends with
        the ticket's first message in it) and not an empty message.

        >>> from dataclasses import replace
        >>> t = Ticket("r", "t", "zendesk", "updated", "Broken", "Nothing works",
        ...            datetime(2026, 1, 1, tzinfo=UTC))
        >>> t.raised_by_customer, replace(t, kind="replied").raised_by_customer
        (False, True)
        >>> replace(t, kind="created", subject="", body=" ").raised_by_customer
        False
        """
        return self.kind != "updated" and bool(self.text.strip())

    @property
    def text(self) -> str:
        """Subject and body together, as the scorer reads them."""
        if self.subject and self.body and not self.body.startswith(self.subject):
            return f"{self.subject}\n{self.body}"
        return self.body or self.subject


@value_class
class Event:
    """One Segment-spec message (track, page, identify or group)."""

    message_id: str
    type: EventType
    timestamp: datetime
    name: str | None = None
    user_id: str | None = None
    anonymous_id: str | None = None
    group_id: str | None = None
    email: str | None = None
    traits: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AccountUpdate:
    """A CRM snapshot (``snapshot`` is the validated JSON) or a tombstone (``None``)."""

    account_id: str
    snapshot: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Feedback:
    """A reviewer's decision on an alert."""

    alert_id: str
    decision: str
    labels: dict[str, Any]
    by: str | None
    at: datetime | None
    until: datetime | None = None
    """With ``snoozed``: the rule stays quiet for the alert's account until then."""
    account_id: str | None = None
    rule: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record that cannot be processed; becomes a dead letter."""

    error: str


Record = Ticket | Event | AccountUpdate | Feedback


def iso(at: datetime) -> str:
    """RFC 3339 with ``Z`` for UTC, as every published time is written.

    >>> iso(datetime(2026, 11, 20, 10, 15, tzinfo=UTC))
    '2026-11-20T10:15:00Z'
    """
    if at.tzinfo is not UTC:
        return at.isoformat().replace("+00:00", "Z")
    text = _ISO.get(at)
    if text is None:
        if len(_ISO) >= _WRITTEN_TIMES:
            _ISO.clear()
        text = _ISO[at] = at.isoformat().replace("+00:00", "Z")
    return text


def iso_minutes(at: datetime) -> str:
    """``2026-11-20T10:00Z``, in UTC: minutes are the precision people read reasons in
    (seconds are kept when there are any).

    >>> from zoneinfo import ZoneInfo
    >>> iso_minutes(datetime(2026, 11, 20, 11, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    '2026-11-20T10:00Z'
    >>> iso_minutes(datetime(2026, 11, 20, 10, 0, 30, tzinfo=UTC))
    '2026-11-20T10:00:30Z'
    """
    if at.tzinfo is UTC and (text := _ISO_MINUTES.get(at)) is not None:
        return text
    whole_minute = at.second == 0 == at.microsecond
    text = at.astimezone(UTC).isoformat(timespec="minutes" if whole_minute else "seconds")
    text = text.replace("+00:00", "Z")
    if at.tzinfo is UTC:
        if len(_ISO_MINUTES) >= _WRITTEN_TIMES:
            _ISO_MINUTES.clear()
        _ISO_MINUTES[at] = text
    return text


_WRITTEN_TIMES = 16_384
"""UTC times :func:`iso` and :func:`iso_minutes` each keep written (then start again): a
signal's time is written into every alert, reason and explanation it is evidence in, and
an aware datetime's ``isoformat`` costs several times this look-up. Only times in
:data:`~datetime.UTC` itself are kept: equal datetimes in two zones are one key but
are not written alike."""
_ISO: dict[datetime, str] = {}
_ISO_MINUTES: dict[datetime, str] = {}
