"""The field types every inbound contract shares: ids, times, and a failure summary.

Ids arrive as JSON numbers or strings and are kept as stripped text; times as
RFC 3339 text or Unix seconds (milliseconds past the year 5000), always read
into aware UTC. :func:`validation_summary` reports a validation failure without
echoing the payload, which may hold ticket text. The helpdesk models
(``contracts/helpdesk.py``) and the Segment models (``contracts/segment.py``) use them.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainValidator, ValidationError

_MAX_ID_LENGTH = 256
# Above this a number cannot be Unix seconds (it would be past the year 5000),
# so it is read as milliseconds, which some relays write instead.
_MILLIS_THRESHOLD = 100_000_000_000
_fromisoformat = datetime.fromisoformat


def _required_id(value: object) -> str:
    text = _id_text(value)
    if text is None:
        raise ValueError("must be a non-empty id (string or integer)")
    return text


def _optional_id(value: object) -> str | None:
    return _id_text(value)


def _id_text(value: object) -> str | None:
    if value is None:
        return None
    # bool is an int subclass; true/false is never an id.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_ID_LENGTH:
            raise ValueError(f"id longer than {_MAX_ID_LENGTH} characters")
        return text or None
    raise ValueError("must be an id (string or integer)")


def parse_time(value: object) -> datetime:
    """An RFC 3339 / ISO 8601 time or Unix seconds, as a timezone-aware UTC datetime.

    A time without a zone is taken to be UTC. Digit-only strings are Unix
    seconds (some relays quote them); numbers past the year 5000 are read as
    milliseconds.

    >>> parse_time("2026-11-20T10:15:00Z")
    datetime.datetime(2026, 11, 20, 10, 15, tzinfo=datetime.timezone.utc)
    >>> parse_time("2026-11-20T12:15:00+02:00").hour
    10
    >>> parse_time(1795169700) == parse_time("2026-11-20T10:15:00Z")
    True
    >>> parse_time("2026-11-20T10:15:00").tzinfo
    datetime.timezone.utc
    """
    if type(value) is str and value[-1:] == "Z" and value[:1].isdigit():
        # The shape nearly every relay writes (Segment's, the helpdesks'): already UTC, so
        # no strip, no Unix-seconds test and no zone move; the same result as below.
        try:
            return _fromisoformat(value)
        except ValueError:
            raise ValueError("expected an RFC 3339 time or Unix seconds") from None
    if isinstance(value, datetime):
        return _as_utc(value)
    if isinstance(value, bool):
        raise ValueError("expected an RFC 3339 time or Unix seconds, got a boolean")
    if isinstance(value, int | float):
        return _from_epoch(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and text.isascii():
            return _from_epoch(int(text) if len(text) < 20 else math.inf)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("expected an RFC 3339 time or Unix seconds") from None
        return _as_utc(parsed)
    raise ValueError("expected an RFC 3339 time or Unix seconds")


def _from_epoch(value: float) -> datetime:
    if not math.isfinite(value) or value < 0:
        raise ValueError("Unix time out of range")
    seconds = value / 1000 if value >= _MILLIS_THRESHOLD else value
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError("Unix time out of range") from None


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, year 9999 west of it
        raise ValueError("time out of range once moved to UTC") from None


Id = Annotated[str, BeforeValidator(_required_id, json_schema_input_type=str | int)]
"""A required id: a JSON string or integer, kept as stripped text."""

OptionalId = Annotated[str | None, BeforeValidator(_optional_id, json_schema_input_type=str | int | None)]
"""An optional id; an empty string counts as absent."""

UtcTime = Annotated[datetime, PlainValidator(parse_time, json_schema_input_type=str | int)]
"""RFC 3339 text or Unix seconds, validated into a timezone-aware UTC datetime."""


def validation_summary(exc: ValidationError, limit: int = 3) -> str:
    """Which fields failed and why, never the values (they may hold ticket text)."""
    errors = exc.errors(include_input=False, include_url=False, include_context=False)
    parts = []
    for err in errors[:limit]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    if len(errors) > limit:
        parts.append(f"and {len(errors) - limit} more")
    return "; ".join(parts)


class Wire(BaseModel):
    """A vendor's payload: fields it does not name are ignored (vendors add fields without notice)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def _tag_list(value: object) -> object:
    # Zendesk's {{ticket.tags}} placeholder renders as one space-separated string.
    if isinstance(value, str):
        return value.split()
    if value is None:
        return []
    return value


Tags = Annotated[list[str], BeforeValidator(_tag_list, json_schema_input_type=list[str] | str | None)]
