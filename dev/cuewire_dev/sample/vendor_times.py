"""Time formats, each as one vendor writes it: Zendesk, Segment, the generic form."""

from __future__ import annotations

from datetime import UTC, datetime


def iso_seconds(at: datetime) -> str:
    """RFC 3339, whole seconds, ``Z`` (Zendesk ``detail`` times, the generic form)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_nanos(at: datetime, nanos: int) -> str:
    """Zendesk's event ``time``: nanosecond precision."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


def iso_minutes(at: datetime) -> str:
    """``{{ticket.created_at_with_timestamp}}``: ISO 8601 to the minute."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def iso_millis(at: datetime) -> str:
    """Segment's timestamps: milliseconds, ``Z``."""
    at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S") + f".{at.microsecond // 1000:03d}Z"


def unix_seconds(at: datetime) -> int:
    return int(at.timestamp())
