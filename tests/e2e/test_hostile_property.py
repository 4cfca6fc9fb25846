"""Property: generated hostile records, anywhere among good traffic, through the whole flow
(the real stages, the embedded flow of `cuewire replay`): the flow completes, each surely bad
record is one dead letter with a reason, nothing else is dead-lettered twice, everything
published is plain text, and the good traffic alerts as it does alone."""

from __future__ import annotations

import functools
import json
import os
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import fakeredis
import orjson
from bytewax.testing import run_main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.settings import Settings
from cuewire.wiring import make_parts
from flows.pipeline import build_flow
from flows.replay_io import CallbackSink, file_inputs
from flows.stages.items import Outgoing
from operators.sanitise import TAG_SHAPE
from tests.chaos.poison import Kind, Record, good_traffic, replay_line
from tests.published import assert_published, text_fields

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
GOOD = good_traffic(accounts=4)
UNSAFE = set(map(chr, [*range(0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0)])) | set(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# HOSTILE_EXAMPLES=150 for a longer search than the 15 examples make test affords.
EXAMPLES = settings(max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "15")), deadline=None,
                    derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def templates(at: str) -> dict[Kind, dict[str, Any]]:
    """A valid record of each kind, for nobody's account (so it cannot touch good alerts)."""
    return {
        "tickets": {"source": "generic", "ticket_id": "H-1", "requester_email": "eve@hostile.example",
                    "subject": "help", "body": "Our numbers are wrong", "created_at": at},
        "events": {"type": "track", "event": "Pricing Page Viewed", "userId": "u-hostile",
                   "messageId": "h-1", "timestamp": at, "context": {"groupId": "acct-nobody"}},
        "accounts": {"account_id": "acct-nobody", "name": "Nobody", "mrr": 5000,
                     "contacts": ["eve@hostile.example"], "updated_at": at,
                     "renewal_date": "2027-01-05", "domains": ["hostile.example"],
                     "cs_owner": {"name": "Owner", "email": "o@vendor.example",
                                  "timezone": "Europe/Paris"}},
        "feedback": {"alert_id": "x", "decision": "approved", "at": at},
    }


TIME_FIELD: dict[Kind, str] = {"tickets": "created_at", "events": "timestamp",
                               "accounts": "updated_at", "feedback": "at"}
TEXT_FIELDS: dict[Kind, tuple[str, ...]] = {"tickets": ("subject", "body"), "events": ("event",),
                                            "accounts": ("name",), "feedback": ()}
kinds = st.sampled_from(["tickets", "events", "accounts", "feedback"])
hostile_text = st.lists(st.text(st.characters(codec="utf-8"), max_size=8) | st.sampled_from(
    ["<script>", "</script>", "<img src=x onerror=alert(1)>", "&lt;b&gt;", "\x00", "\x07",
     "\x1b[31m", "\u202e", "\u2066", "\x9b", "<!--", "<"]), max_size=6).map("".join)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False,
                                                                      allow_infinity=False)
    | hostile_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=12)
far_dates = st.one_of(
    st.datetimes(datetime(1, 1, 2), datetime(2016, 11, 1)),
    st.datetimes(datetime(2036, 12, 1), datetime(9999, 12, 30)),
).map(lambda d: d.replace(tzinfo=UTC).isoformat())
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@st.composite
def surely_poison(draw: st.DrawFn) -> Record:
    """A record no reading can accept."""
    kind: Kind = draw(kinds)
    body = templates(NOW.isoformat())[kind]
    choice = draw(st.integers(0, 6))
    if choice == 0:  # bytes that are not UTF-8
        value = draw(st.binary(min_size=1, max_size=300).filter(_not_utf8))
    elif choice == 1:  # a JSON value that is not an object
        value = dumps(draw(json_values.filter(lambda v: not isinstance(v, dict))))
    elif choice == 2:  # NaN or an infinity somewhere
        body = {**body, draw(st.sampled_from(sorted(body))): "__X__"}
        literal = draw(st.sampled_from([b"NaN", b"Infinity", b"-Infinity"]))
        value = dumps(body).replace(b'"__X__"', literal)
    elif choice == 3:  # nested past the limit
        depth = draw(st.integers(33, 3000))
        value = dumps({**body, "extra": "__X__"}).replace(
            b'"__X__"', b"[" * depth + b"]" * depth)
    elif choice == 4:  # dated outside the window (years 1 to 9999), in any zone
        value = dumps({**body, TIME_FIELD[kind]: draw(far_dates)})
    elif choice == 5:  # a lone surrogate escape
        value = dumps({**body, "extra": "__X__"}).replace(
            b'"__X__"', b'"\\u' + draw(st.sampled_from([b"d800", b"dbff", b"dc00", b"dfff"])) + b'"')
    else:  # the field that says what it is, of the wrong type
        field = {"tickets": "ticket_id", "events": "type", "accounts": "account_id",
                 "feedback": "decision"}[kind]
        value = dumps({**body, field: draw(st.lists(st.integers(), max_size=2)
                                                  | st.dictionaries(st.text(max_size=3),
                                                                    st.integers(), max_size=2))})
    return kind, None, value


@st.composite
def perhaps_poison(draw: st.DrawFn) -> Record:
    """A valid record with fields replaced by anything: poison or not, it must not hurt."""
    kind: Kind = draw(kinds)
    at = draw(st.datetimes(datetime(2016, 12, 1), datetime(2036, 11, 1), timezones=offsets))
    body = templates(at.isoformat())[kind]
    for field in TEXT_FIELDS[kind]:  # what people read, written by anyone
        body[field] = draw(hostile_text) + body[field] + draw(hostile_text)
    for field in draw(st.lists(st.sampled_from(sorted(body)), max_size=2, unique=True)):
        body[field] = draw(json_values)
    body |= draw(st.dictionaries(hostile_text, json_values, max_size=2))
    return kind, draw(st.none() | st.binary(max_size=20)), dumps(body)


def dumps(value: object) -> bytes:
    # The json module, not orjson: it writes integers past 64 bits, as producers may.
    return json.dumps(value, ensure_ascii=False).encode()


def _not_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def run_flow(tmp: Path, records: list[Record]) -> list[Outgoing]:
    path = tmp / "in.jsonl"
    path.write_bytes(b"\n".join(replay_line(r) for r in records) + b"\n")
    parts = make_parts(Settings(), fakeredis.FakeRedis(), clock=lambda: NOW)
    out: list[Outgoing] = []
    run_main(build_flow(parts, file_inputs(path), CallbackSink(out.extend, parts.publisher.published),
                        live=False))
    return out


@functools.cache
def good_alone(tmp: Path) -> list[str]:
    return alert_ids(run_flow(tmp, GOOD), "good-")


def alert_ids(out: list[Outgoing], prefix: str) -> list[str]:
    bodies = [orjson.loads(o.value) for o in out if o.kind == "alerts"]
    return sorted(b["id"] for b in bodies if b["subject"].startswith(prefix))


def mixed(good: list[Record], hostile: list[Record], places: list[int]) -> tuple[list[Record], set[int]]:
    records = list(good)
    for record, place in zip(hostile, places, strict=False):
        records.insert(place % (len(records) + 1), record)
    lines = {n for n, r in enumerate(records, start=1) if r in hostile}
    return records, lines


def check(out: list[Outgoing], hostile_lines: set[int], surely: bool, tmp: Path) -> None:
    dead = [orjson.loads(o.value) for o in out if o.kind == "dlq"]
    per_line = Counter(d["offset"] for d in dead)
    assert all(n == 1 for n in per_line.values()), per_line
    assert set(per_line) <= hostile_lines
    if surely:
        assert set(per_line) == hostile_lines
    assert all(d["error"] and d["error"] != "unknown error" for d in dead)
    for kind in ("alerts", "digest", "dlq"):
        assert_published(kind, [o.value for o in out if o.kind == kind])
    for o in out:
        if o.kind != "dlq":
            for text in text_fields(orjson.loads(o.value)):
                assert not TAG_SHAPE.search(text) and not set(text) & UNSAFE, repr(text)
    assert alert_ids(out, "good-") == good_alone(tmp)


places = st.lists(st.integers(0, 100), min_size=6, max_size=6)


@EXAMPLES
@given(hostile=st.lists(surely_poison(), min_size=1, max_size=6), where=places)
def test_surely_bad_records_are_each_one_dead_letter(tmp_path: Path, hostile: list[Record],
                                                     where: list[int]) -> None:
    records, lines = mixed(GOOD, hostile, where)
    check(run_flow(tmp_path, records), lines, surely=True, tmp=tmp_path)


@EXAMPLES
@given(hostile=st.lists(perhaps_poison(), min_size=1, max_size=6), where=places)
def test_records_with_anything_in_their_fields_never_hurt(tmp_path: Path, hostile: list[Record],
                                                          where: list[int]) -> None:
    records, lines = mixed(GOOD, hostile, where)
    check(run_flow(tmp_path, records), lines, surely=False, tmp=tmp_path)
