"""Decode one Kafka record's bytes into an internal record, or say why it cannot be.

Every failure is a :class:`PoisonRecord` whose message names the problem in
words, never the record's content: the flow turns it into a dead letter and
goes on. Each kind of problem has its own reason (invalid UTF-8, a lone
surrogate, NaN, nesting too deep, a time outside the accepted window …), so a
dead-letter topic can be read, and counted, by what went wrong.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import orjson
from pydantic import ValidationError

from contracts.account import AccountSnapshot
from contracts.errors import PoisonRecord
from contracts.feedback import FeedbackRecord
from operators.normalise_event import normalise_event
from operators.normalise_ticket import normalise_ticket
from operators.plain_account import plain_snapshot
from operators.records import AccountUpdate, Event, Feedback, Record, Ticket

InputKind = Literal["events", "tickets", "accounts", "feedback"]


YEAR = timedelta(days=365.25)
DEFAULT_DATE_WINDOW = timedelta(days=365.25 * 10)
"""Ten years either side of now: the times a record may carry and still be handled."""


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = 262_144
    max_depth: int = 32
    date_window: timedelta = DEFAULT_DATE_WINDOW
    """A ticket, event, feedback or snapshot dated further than this from now is poison:
    window, timer and cooldown arithmetic on it would overflow or never come due."""


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
        raise PoisonRecord(json_problem(value, exc, limits)) from None
    if not isinstance(body, dict):
        raise PoisonRecord(f"expected a JSON object, got {_json_type(body)}")
    # Counting brackets in C first spares nearly every record the walk: a value cannot
    # nest deeper than it has containers.
    containers = value.count(b"{") + value.count(b"[")
    if containers > limits.max_depth and json_depth_exceeds(body, limits.max_depth):
        raise PoisonRecord(f"JSON nests deeper than {limits.max_depth} levels")
    return body


def _json_type(value: object) -> str:
    if value is None:
        return "JSON null"
    if isinstance(value, bool):
        return "a JSON boolean"
    if isinstance(value, int | float):
        return "a JSON number"
    if isinstance(value, str):
        return "a JSON string"
    return "a JSON array" if isinstance(value, list) else "a JSON value"


_ORJSON_REASONS = (
    ("depth limit", None),
    ("surrogate in string", "JSON holds a lone UTF-16 surrogate escape (\\ud800-\\udfff)"),
    ("infinity when parsed", "number too large for a double"),
    ("empty document", "empty value (zero bytes)"),
    ("input data is empty", "empty value (only whitespace)"),
    ("byte order mark", "value starts with a UTF-8 byte order mark"),
    ("control character", "JSON has a raw control character inside a string"),
    ("content after document", "content after the JSON document"),
    ("unexpected end of data", "truncated JSON"),
)


def json_problem(value: bytes, exc: orjson.JSONDecodeError, limits: Limits) -> str:
    """Why orjson refused ``value``, in words of our own (never the input near the error).

    Only the failure path pays for this diagnosis.

    >>> json_problem(b'{"a": NaN}', _fails(b'{"a": NaN}'), Limits())
    'JSON holds NaN or Infinity, which JSON does not allow (at line 1 column 7)'
    """
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError as bad:
        return f"not valid UTF-8 ({_utf8_problem(value, bad.start)} at offset {bad.start})"
    where = f"at line {exc.lineno} column {exc.colno}"
    near = text[max(exc.pos - 1, 0): exc.pos + 9]
    if "NaN" in near or "Infinity" in near:
        return f"JSON holds NaN or Infinity, which JSON does not allow ({where})"
    for marker, words in _ORJSON_REASONS:
        if marker in exc.msg:
            if words is None:
                return f"JSON nests deeper than {limits.max_depth} levels"
            return f"{words} ({where})" if exc.pos else words
    return f"not valid JSON ({where})"


def _utf8_problem(value: bytes, start: int) -> str:
    # 0xED 0xA0-0xBF is how a UTF-16 surrogate looks when someone encoded one as UTF-8.
    if value[start] == 0xED and start + 1 < len(value) and 0xA0 <= value[start + 1] <= 0xBF:
        return "an encoded UTF-16 surrogate"
    return "invalid byte"


def _fails(value: bytes) -> orjson.JSONDecodeError:
    try:
        orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        return exc
    raise AssertionError("valid JSON")


def decode_record(
    kind: InputKind,
    key: bytes | None,
    value: bytes | None,
    record_time: datetime | None = None,
    limits: Limits = Limits(),
    *,
    now: datetime | None = None,
) -> Record:
    """Decode and validate one record of the given input kind, dated within
    ``limits.date_window`` of ``now`` (the caller's clock; ``record_time`` when not given,
    and no window at all when neither is)."""
    now = now or record_time
    try:
        record = _decode(kind, key, value, record_time or now, limits)
    except OverflowError:
        # A time pushed past year 1 or 9999 on its way to UTC, deep in validation.
        raise PoisonRecord("a time in the record is out of range (before year 1 or after "
                           "9999 once moved to UTC)") from None
    if now is not None:
        check_date_window(record, now, limits.date_window)
    return record


def _decode(kind: InputKind, key: bytes | None, value: bytes | None,
            record_time: datetime | None, limits: Limits) -> Record:
    if kind == "accounts":
        return _decode_account(key, value, limits)
    body = load_json_object(value, limits)
    if kind == "tickets":
        return normalise_ticket(body)
    if kind == "events":
        if record_time is None:
            raise PoisonRecord("event decoded without a record time to fall back on")
        return normalise_event(body, record_time)
    if kind == "feedback":
        return _decode_feedback(body)
    raise PoisonRecord(f"no decoder for input kind {kind!r}")


def check_date_window(record: Record, now: datetime, window: timedelta) -> None:
    """Raise :class:`PoisonRecord` if the record's own time is further than ``window`` from
    ``now``: such a record would overflow date arithmetic or hold windows for ever.

    >>> from datetime import UTC
    >>> now = datetime(2026, 11, 20, tzinfo=UTC)
    >>> try:
    ...     check_date_window(AccountUpdate("a", {"updated_at": "9999-01-01T00:00:00Z"}), now,
    ...                       DEFAULT_DATE_WINDOW)
    ... except PoisonRecord as exc:
    ...     print(exc)
    account snapshot updated_at 9999-01-01 is outside the accepted window (2016-11-19 to \
2036-11-19, 10 years either side of now)
    """
    what, at = _record_time(record)
    if at is None:
        return
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    earliest, latest = _window_bounds(now, window)
    if (earliest is not None and at < earliest) or (latest is not None and at > latest):
        lo = (earliest or datetime.min).date().isoformat()
        hi = (latest or datetime.max).date().isoformat()
        raise PoisonRecord(f"{what} {at.date().isoformat()} is outside the accepted window "
                           f"({lo} to {hi}, {window / YEAR:g} years either side of now)")


_EARLIEST_UTC = datetime.min.replace(tzinfo=UTC)
_LATEST_UTC = datetime.max.replace(tzinfo=UTC)


@functools.lru_cache(maxsize=8)
def _window_bounds(now: datetime, window: timedelta) -> tuple[datetime | None, datetime | None]:
    """``now`` ± ``window``, ``None`` where that passes year 1 or 9999; remembered for the
    last few ``now``: a replay's clock is pinned, so every record asks the same."""
    earliest = now - window if now - _EARLIEST_UTC > window else None
    latest = now + window if _LATEST_UTC - now > window else None
    return earliest, latest


def _record_time(record: Record) -> tuple[str, datetime | None]:
    if isinstance(record, Ticket):
        return "ticket created_at", record.created_at
    if isinstance(record, Event):
        return "event timestamp", record.timestamp
    if isinstance(record, Feedback):
        return "feedback at", record.at
    updated = (record.snapshot or {}).get("updated_at")  # JSON text: the snapshot's dump
    try:
        return "account snapshot updated_at", datetime.fromisoformat(updated) if updated else None
    except (TypeError, ValueError):
        return "account snapshot updated_at", None


def _decode_account(key: bytes | None, value: bytes | None, limits: Limits) -> AccountUpdate:
    if value is None:
        if not key:
            raise PoisonRecord("account tombstone without a key: cannot tell which account to delete")
        try:
            return AccountUpdate(key.decode("utf-8"), None)
        except UnicodeDecodeError:
            raise PoisonRecord("account tombstone key is not UTF-8") from None
    body = load_json_object(value, limits)
    plain = plain_snapshot(body)
    if plain is not None:
        return AccountUpdate(plain["account_id"], plain)
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
    return Feedback(fb.alert_id, fb.decision, dict(fb.labels), fb.by, fb.at, until=fb.until,
                    account_id=fb.account_id, rule=fb.rule, reason=fb.reason)


def describe_validation(exc: ValidationError, limit: int = 3) -> str:
    """Field paths and what was wrong with them, without echoing the values."""
    parts = []
    for err in exc.errors(include_input=False)[:limit]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    more = len(exc.errors()) - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
