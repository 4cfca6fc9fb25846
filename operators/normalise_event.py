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

A message in the plain shape (camelCase names, fields of their JSON types) is read
by :func:`_plain_fields`, which checks what its model would with the same field
validators (``contracts/wire_types.py``) without building the model; anything it is not
sure of goes through the model, which also words the errors.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any, NamedTuple, cast

import orjson
from pydantic import ValidationError

from contracts.errors import PoisonRecord
from contracts.segment import SEGMENT_MODELS, SegmentMessage, SegmentPage, SegmentTrack
from contracts.wire_types import _optional_id, _required_id, parse_time, validation_summary
from operators.records import Event, EventType

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
    kind = cast(EventType, call)  # one of SEGMENT_MODELS' keys
    fields = _plain_fields(body, kind)
    if fields is None:
        try:
            msg = model.model_validate(body)
        except ValidationError as exc:
            raise PoisonRecord(f"Segment {call} message invalid: {validation_summary(exc)}") from None
        fields = _model_fields(msg)
    return Event(
        message_id=fields.message_id or _relay_id(body.get("id")) or content_message_id(body),
        type=kind,
        timestamp=fields.timestamp or parse_time(fallback_time),
        name=fields.name,
        user_id=fields.user_id,
        anonymous_id=fields.anonymous_id,
        group_id=fields.group_id,
        email=_email(fields.traits.get("email")) or _email(fields.context_email),
        traits=fields.traits,
        properties=fields.properties,
    )


class _Fields(NamedTuple):
    """What an :class:`Event` takes from a validated message."""

    message_id: str | None
    timestamp: datetime | None
    """The first time present of ``timestamp``, ``originalTimestamp``, ``sentAt``, ``receivedAt``."""
    name: str | None
    user_id: str | None
    anonymous_id: str | None
    group_id: str | None
    """``groupId``, else ``context.groupId``."""
    context_email: object
    traits: dict[str, Any]
    properties: dict[str, Any]


def _model_fields(msg: SegmentMessage) -> _Fields:
    context = msg.context
    context_traits = context.traits if context else None
    properties = msg.properties or {}
    if isinstance(msg, SegmentTrack):
        name: str | None = msg.event
    elif isinstance(msg, SegmentPage):
        page_name = msg.name if msg.name is not None else properties.get("name")
        name = page_name if isinstance(page_name, str) else None
    else:
        name = None
    return _Fields(
        message_id=msg.message_id,
        timestamp=msg.timestamp or msg.original_timestamp or msg.sent_at or msg.received_at,
        name=name,
        user_id=msg.user_id,
        anonymous_id=msg.anonymous_id,
        group_id=msg.group_id or (context.group_id if context else None),
        context_email=(context_traits or {}).get("email"),
        traits=msg.traits or {},
        properties=properties,
    )


_SNAKE_NAMES = frozenset({"message_id", "user_id", "anonymous_id", "group_id", "original_timestamp",
                          "sent_at", "received_at"})
"""Field names the models also accept (``populate_by_name``): a message using one goes
through its model, which decides between it and the camelCase name."""
_TIMES = ("timestamp", "originalTimestamp", "sentAt", "receivedAt")


def _plain_fields(body: dict[str, Any], call: str) -> _Fields | None:
    """The fields of a plain-shaped message, validated as its model validates them; ``None``
    when the message is not plain or anything in it would fail (the model then says what)."""
    if not _SNAKE_NAMES.isdisjoint(body):
        return None
    get = body.get
    context, traits, properties = get("context"), get("traits"), get("properties")
    if not (_dict_or_none(context) and _dict_or_none(traits) and _dict_or_none(properties)):
        return None
    context_group = context_email = None
    if context is not None:
        context_traits = context.get("traits")
        if "group_id" in context or not _dict_or_none(context_traits):
            return None
        context_email = (context_traits or {}).get("email")
    try:
        if context is not None:
            context_group = _optional_id(context.get("groupId"))
        group = _required_id(get("groupId")) if call == "group" else _optional_id(get("groupId"))
        message_id, user_id = _optional_id(get("messageId")), _optional_id(get("userId"))
        anonymous_id = _optional_id(get("anonymousId"))
        times = [None if (t := get(k)) is None else parse_time(t) for k in _TIMES]
    except Exception:
        return None
    if user_id is None and anonymous_id is None:
        return None
    properties = properties or {}
    name: str | None = None
    if call == "track":
        name = get("event")
        if not isinstance(name, str):
            return None
    elif call == "page":
        page_name, category = get("name"), get("category")
        if not (_str_or_none(page_name) and _str_or_none(category)):
            return None
        page_name = page_name if page_name is not None else properties.get("name")
        name = page_name if isinstance(page_name, str) else None
    return _Fields(
        message_id=message_id,
        timestamp=times[0] or times[1] or times[2] or times[3],
        name=name,
        user_id=user_id,
        anonymous_id=anonymous_id,
        group_id=group or context_group,
        context_email=context_email,
        traits=dict(traits) if traits else {},
        properties=dict(properties),
    )


def _dict_or_none(value: object) -> bool:
    return value is None or type(value) is dict


def _str_or_none(value: object) -> bool:
    return value is None or type(value) is str


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
