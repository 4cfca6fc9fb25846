"""Decode one Kafka record's bytes into an internal record, or say why it cannot be.

Every failure is a :class:`PoisonRecord` whose message names the problem in
words, never the record's content: the flow turns it into a dead letter and
goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from pydantic import ValidationError

from contracts.account import AccountSnapshot
from contracts.errors import PoisonRecord
from contracts.feedback import FeedbackRecord
from operators.normalise_event import normalise_event
from operators.normalise_ticket import normalise_ticket
from operators.records import AccountUpdate, Feedback, Record

InputKind = Literal["events", "tickets", "accounts", "feedback"]


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = 262_144
    max_depth: int = 32


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """True when containers nest deeper than ``limit`` (checked without recursion).

    >>> json_depth_exceeds({"a": [{"b": 1}]}, 3)
    False
    >>> json_depth_exceeds({"a": [{"b": [1]}]}, 3)
    True
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def load_json_object(value: bytes | None, limits: Limits) -> dict[str, Any]:
    if value is None:
        raise PoisonRecord("empty value (null)")
    if len(value) > limits.max_bytes:
        raise PoisonRecord(f"value of {len(value)} bytes exceeds the {limits.max_bytes}-byte limit")
    try:
        body = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise PoisonRecord(f"not valid UTF-8 JSON ({_json_error(exc)})") from None
    if not isinstance(body, dict):
        raise PoisonRecord(f"expected a JSON object, got a JSON {type(body).__name__}")
    # Counting brackets in C first spares nearly every record the walk: a value cannot
    # nest deeper than it has containers.
    containers = value.count(b"{") + value.count(b"[")
    if containers > limits.max_depth and json_depth_exceeds(body, limits.max_depth):
        raise PoisonRecord(f"JSON nests deeper than {limits.max_depth} levels")
    return body


def _json_error(exc: orjson.JSONDecodeError) -> str:
    # orjson's message quotes the input near the error; keep only its position.
    return f"at line {exc.lineno} column {exc.colno}"


def decode_record(
    kind: InputKind,
    key: bytes | None,
    value: bytes | None,
    record_time: datetime | None = None,
    limits: Limits = Limits(),
) -> Record:
    """Decode and validate one record of the given input kind."""
    if kind == "accounts":
        return _decode_account(key, value, limits)
    body = load_json_object(value, limits)
    if kind == "tickets":
        return normalise_ticket(body)
    if kind == "events":
        return normalise_event(body, record_time or datetime.now(UTC))
    if kind == "feedback":
        return _decode_feedback(body)
    raise PoisonRecord(f"no decoder for input kind {kind!r}")


def _decode_account(key: bytes | None, value: bytes | None, limits: Limits) -> AccountUpdate:
    if value is None:
        if not key:
            raise PoisonRecord("account tombstone without a key: cannot tell which account to delete")
        try:
            return AccountUpdate(key.decode("utf-8"), None)
        except UnicodeDecodeError:
            raise PoisonRecord("account tombstone key is not UTF-8") from None
    body = load_json_object(value, limits)
    try:
        snapshot = AccountSnapshot.model_validate(body)
    except ValidationError as exc:
        raise PoisonRecord(f"account snapshot invalid: {describe_validation(exc)}") from None
    return AccountUpdate(snapshot.account_id, snapshot.model_dump(mode="json"))


def _decode_feedback(body: dict[str, Any]) -> Feedback:
    try:
        fb = FeedbackRecord.model_validate(body)
    except ValidationError as exc:
        raise PoisonRecord(f"feedback invalid: {describe_validation(exc)}") from None
    return Feedback(fb.alert_id, fb.decision, dict(fb.labels), fb.by, fb.at)


def describe_validation(exc: ValidationError, limit: int = 3) -> str:
    """Field paths and what was wrong with them, without echoing the values."""
    parts = []
    for err in exc.errors(include_input=False)[:limit]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    more = len(exc.errors()) - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
