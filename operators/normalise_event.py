"""Turn one Segment-spec message into an :class:`~operators.records.Event`.

Accepted: ``track``, ``page``, ``identify`` and ``group`` calls, each validated
by its model in :mod:`contracts.segment`. What each field becomes:

* ``message_id``: the message's ``messageId``; else its ``id`` (some relays
  rename it); else ``sha256:`` and the first 32 hex digits of the SHA-256 of the
  message's canonical JSON (keys sorted, no whitespace, orjson). The same
  message delivered twice then gets the same id and still counts once; two
  messages that differ in any byte of content get different ids.
* ``timestamp``: the first of ``timestamp``, ``originalTimestamp``, ``sentAt``,
  ``receivedAt`` that is present, else ``fallback_time`` (the Kafka record's
  time); always timezone-aware UTC.
* ``name``: ``event`` for a track call; ``name`` for a page call (else
  ``properties.name``); none for identify and group.
* ``email``: ``traits.email``, else ``context.traits.email``; stripped and
  lower-cased, dropped unless it is a string holding an ``@``.
* ``group_id``: ``groupId``, else ``context.groupId``.

Anything else — another call type, no ``userId`` and no ``anonymousId``, a
field of the wrong type — raises :class:`~contracts.errors.PoisonRecord`,
whose message names fields, never values.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

import orjson
from pydantic import ValidationError

from contracts.errors import PoisonRecord
from contracts.segment import SEGMENT_MODELS, SegmentPage, SegmentTrack
from contracts.wire_types import parse_time, validation_summary
from operators.records import Event

__all__ = ["content_message_id", "normalise_event"]

_NAME = re.compile(r"[A-Za-z0-9_.:-]+")


def normalise_event(body: dict[str, Any], fallback_time: datetime) -> Event:
    """One Segment message as an :class:`Event`, or :class:`PoisonRecord`.

    >>> from datetime import datetime, timezone
    >>> e = normalise_event({"type": "track", "event": "Pricing Page Viewed", "userId": "u_1",
    ...     "messageId": "m-1", "timestamp": "2026-11-20T10:15:00Z",
    ...     "context": {"groupId": "acct_42", "traits": {"email": "Dana@Acme.io"}}},
    ...     datetime(2026, 1, 1, tzinfo=timezone.utc))
    >>> e.message_id, e.name, e.group_id, e.email, e.timestamp.isoformat()
    ('m-1', 'Pricing Page Viewed', 'acct_42', 'dana@acme.io', '2026-11-20T10:15:00+00:00')
    """
    if not isinstance(body, dict):
        raise PoisonRecord(f"Segment message is a JSON {type(body).__name__}, not an object")
    call = body.get("type")
    model = SEGMENT_MODELS.get(call) if isinstance(call, str) else None
    if model is None:
        if call is None:
            raise PoisonRecord("Segment message has no type")
        if isinstance(call, str):
            shown = repr(call) if len(call) <= 40 and _NAME.fullmatch(call) else "(not shown)"
        else:
            shown = f"of JSON type {type(call).__name__}"
        raise PoisonRecord(f"unsupported Segment message type {shown}")
    try:
        msg = model.model_validate(body)
    except ValidationError as exc:
        raise PoisonRecord(f"Segment {call} message invalid: {validation_summary(exc)}") from None

    context = msg.context
    context_traits = context.traits if context else None
    traits = msg.traits or {}
    properties = msg.properties or {}
    if isinstance(msg, SegmentTrack):
        name: str | None = msg.event
    elif isinstance(msg, SegmentPage):
        page_name = msg.name if msg.name is not None else properties.get("name")
        name = page_name if isinstance(page_name, str) else None
    else:
        name = None
    return Event(
        message_id=msg.message_id or _relay_id(body.get("id")) or content_message_id(body),
        type=msg.type,
        timestamp=msg.timestamp
        or msg.original_timestamp
        or msg.sent_at
        or msg.received_at
        or parse_time(fallback_time),
        name=name,
        user_id=msg.user_id,
        anonymous_id=msg.anonymous_id,
        group_id=msg.group_id or (context.group_id if context else None),
        email=_email(traits.get("email")) or _email((context_traits or {}).get("email")),
        traits=traits,
        properties=properties,
    )


def content_message_id(body: dict[str, Any]) -> str:
    """A deterministic id for a message that carries none: a hash of its canonical JSON.

    >>> content_message_id({"b": 1, "a": [2]}) == content_message_id({"a": [2], "b": 1})
    True
    >>> content_message_id({"a": 1})[:7]
    'sha256:'
    """
    try:
        canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        raise PoisonRecord("Segment message has no messageId and is not hashable JSON") from None
    return "sha256:" + hashlib.sha256(canonical).hexdigest()[:32]


def _relay_id(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()[:256]
    return None


def _email(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    email = value.strip().lower()
    return email if "@" in email else None
