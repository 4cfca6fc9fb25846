"""The owner's clock: their timezone, their day, their working hours, as governance reads them.

Governance decides as of the evidence time, on the account owner's calendar
(``cs_owner.timezone``, else the policy's default): the daily cap counts per
owner-local day, and an alert outside working hours is marked for the next
morning's queue.

>>> from datetime import UTC, datetime
>>> from config.rules import Governance
>>> from operators.records import iso_minutes as iso
>>> zone = owner_zone({"cs_owner": {"timezone": "Asia/Tokyo"}}, Governance())
>>> local_day(datetime(2026, 11, 19, 20, 0, tzinfo=UTC), zone).isoformat()
'2026-11-20'
>>> iso(next_day_start(datetime(2026, 11, 19, 20, 0, tzinfo=UTC), zone))
'2026-11-20T15:00Z'
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.rules import Governance
from contracts.errors import ConfigurationError


def aware(at: datetime) -> datetime:
    """``at`` itself; a naive time is refused, since governance compares instants."""
    if at.tzinfo is None:
        raise ValueError("governance needs timezone-aware times (UTC)")
    return at


def owner_zone(account: Mapping[str, Any] | None, policy: Governance) -> ZoneInfo:
    """The account owner's timezone (``cs_owner.timezone``), else the policy's default.

    An owner timezone that is not a valid IANA name falls back to the default
    rather than failing the batch: it is CRM data, not configuration.
    """
    owner = (account or {}).get("cs_owner")
    name = owner.get("timezone") if isinstance(owner, Mapping) else None
    if isinstance(name, str) and name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        return ZoneInfo(policy.default_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"governance.default_timezone: {policy.default_timezone!r} is not an IANA timezone "
            "such as UTC or Europe/Berlin") from None


def local_day(at: datetime, zone: ZoneInfo) -> date:
    return aware(at).astimezone(zone).date()


def next_day_start(at: datetime, zone: ZoneInfo) -> datetime:
    """Midnight at the start of the owner-local day after ``at``, in UTC."""
    day = local_day(at, zone) + timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def next_working_start(at: datetime, zone: ZoneInfo, policy: Governance) -> datetime | None:
    """The next start of working hours at or after ``at`` on a working day, in UTC."""
    if not policy.working_days:
        return None
    local = aware(at).astimezone(zone)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        start = datetime.combine(day, time(policy.working_hours[0]), tzinfo=zone)
        if day.weekday() in policy.working_days and start >= local:
            return start.astimezone(UTC)
    return None


def in_working_hours(at: datetime, zone: ZoneInfo, policy: Governance) -> bool:
    """Whether ``at`` falls in the owner's working hours (start inclusive, end exclusive).

    No working days configured means no marking at all: every time is working time.
    """
    if not policy.working_days:
        return True
    local = aware(at).astimezone(zone)
    start, end = policy.working_hours
    return local.weekday() in policy.working_days and start <= local.hour < end
