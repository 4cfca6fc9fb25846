"""Every kind of bad record gets a reason of its own, in words, without its content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from contracts.errors import PoisonRecord
from operators.decode import InputKind, Limits, decode_record

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LIMITS = Limits(max_bytes=4096, max_depth=8)


def reason(value: bytes | None, kind: InputKind = "tickets", limits: Limits = LIMITS,
           now: datetime = NOW) -> str:
    with pytest.raises(PoisonRecord) as caught:
        decode_record(kind, b"k", value, now, limits, now=now)
    return str(caught.value)


def generic(created_at: str) -> bytes:
    return orjson.dumps({"source": "generic", "ticket_id": "T-1", "requester_email": "a@b.io",
                         "subject": "s", "body": "b", "created_at": created_at})


def track(timestamp: str) -> bytes:
    return orjson.dumps({"type": "track", "event": "Signed In", "userId": "u1",
                         "messageId": "m1", "timestamp": timestamp})


@pytest.mark.parametrize(("value", "expected"), [
    (b'{"a": NaN}', "NaN or Infinity"),
    (b'{"a": Infinity}', "NaN or Infinity"),
    (b'{"a": -Infinity}', "NaN or Infinity"),
    (b'{"a": 1e999}', "number too large"),
    (b'{"a": "\\ud800"}', "lone UTF-16 surrogate"),
    (b'{"a": "\\udc00x"}', "lone UTF-16 surrogate"),
    (b'{"a": "\xff\xfe"}', "not valid UTF-8 (invalid byte at offset 7)"),
    (b'{"a": "\xed\xa0\x80"}', "not valid UTF-8 (an encoded UTF-16 surrogate at offset 7)"),
    (b"[" * 2000 + b"]" * 2000, "nests deeper than 8 levels"),
    (b'{"a": ' + b"[" * 20 + b"]" * 20 + b"}", "nests deeper than 8 levels"),
    (b"[1, 2]", "expected a JSON object, got a JSON array"),
    (b'"text"', "expected a JSON object, got a JSON string"),
    (b"42", "expected a JSON object, got a JSON number"),
    (b"true", "expected a JSON object, got a JSON boolean"),
    (b"null", "expected a JSON object, got JSON null"),
    (b"", "empty value (zero bytes)"),
    (b"   \n", "empty value (only whitespace)"),
    (b'\xef\xbb\xbf{"a": 1}', "byte order mark"),
    (b'{"a": "\x00"}', "raw control character inside a string"),
    (b'{"a": 1} tail', "content after the JSON document"),
    (b'{"a": ', "truncated JSON"),
    (b"{'a': 1}", "not valid JSON"),
    (b"x" * 5000, "value of 5000 bytes exceeds the 4096-byte limit"),
    (None, "empty value (null)"),
])
def test_each_decode_failure_names_its_own_problem(value: bytes | None, expected: str) -> None:
    assert expected in reason(value)


def test_reasons_never_quote_the_record() -> None:
    secret = "Hunter2Secret"
    for value in (f'{{"a": NaN, "b": "{secret}"}}', f'{{"{secret}": "\\ud800"}}',
                  f'{{"a": 1}} {secret}', f"['{secret}']"):
        assert secret not in reason(value.encode())


def test_a_binary_blob_says_it_is_not_utf8() -> None:
    assert "not valid UTF-8" in reason(bytes(range(256)) * 4)


@pytest.mark.parametrize("created_at", [
    "9999-12-31T23:00:00Z", "0001-01-01T00:00:00Z", "1900-01-01T00:00:00Z", "2100-06-01T00:00:00Z",
])
def test_a_ticket_dated_outside_the_window_is_poison_of_its_own(created_at: str) -> None:
    text = reason(generic(created_at))
    assert "outside the accepted window" in text
    assert "2016-11-20" in text and "2036-11-20" in text


@pytest.mark.parametrize("timestamp", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"])
def test_an_event_dated_outside_the_window_is_poison(timestamp: str) -> None:
    assert "outside the accepted window" in reason(track(timestamp), "events")


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+02:00", "9999-12-31T23:30:00-05:00"])
def test_a_time_that_overflows_when_moved_to_utc_is_poison_not_overflow(stamp: str) -> None:
    assert "time" in reason(generic(stamp))
    assert "time" in reason(track(stamp), "events")


def test_the_window_is_a_setting_and_now_is_injected() -> None:
    ten_days_ago = (NOW - timedelta(days=10)).isoformat()
    narrow = Limits(max_bytes=4096, max_depth=8, date_window=timedelta(days=5))
    assert "outside the accepted window" in reason(generic(ten_days_ago), limits=narrow)
    record = decode_record("tickets", None, generic(ten_days_ago), NOW, LIMITS, now=NOW)
    assert record.created_at == NOW - timedelta(days=10)  # type: ignore[union-attr]
    # The same record is out of the window once "now" is 11 years later.
    later = NOW + timedelta(days=11 * 365)
    assert "outside the accepted window" in reason(generic(ten_days_ago), now=later)


def test_feedback_dated_outside_the_window_is_poison() -> None:
    body = orjson.dumps({"alert_id": "x", "decision": "approved", "at": "9999-01-01T00:00:00Z"})
    assert "outside the accepted window" in reason(body, "feedback")


def test_good_records_still_decode() -> None:
    assert decode_record("tickets", None, generic(NOW.isoformat()), NOW, LIMITS, now=NOW)
    assert decode_record("events", None, track(NOW.isoformat()), NOW, LIMITS, now=NOW)
