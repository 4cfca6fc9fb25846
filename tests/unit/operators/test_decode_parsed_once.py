"""A value its reader already parsed decodes exactly as its bytes do: same record, same reason."""

from datetime import UTC, datetime
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.errors import PoisonRecord
from flows.replay_io import read_replay_file
from operators.decode import InputKind, Limits, decode_record
from tests.unit.operators.test_decode_property import json_values, ticket_like

AT = datetime(2026, 11, 20, tzinfo=UTC)
LIMITS = Limits(max_bytes=600, max_depth=4)
INTS = st.integers(-(2**63), 2**63 - 1)
KINDS: tuple[InputKind, ...] = ("events", "tickets", "accounts", "feedback")
segment_like = st.fixed_dictionaries(
    {"type": st.sampled_from(["track", "page", "identify", "group", "alias"])},
    optional={"userId": st.text(max_size=5) | INTS, "event": st.text(max_size=5),
              "messageId": st.text(max_size=5), "timestamp": st.text(max_size=8) | INTS,
              "groupId": st.text(max_size=5), "context": json_values, "traits": json_values},
)
account_like = st.fixed_dictionaries(
    {"account_id": st.text(max_size=5) | INTS},
    optional={"name": st.text(max_size=5), "mrr": INTS | st.floats(allow_nan=False),
              "updated_at": st.text(max_size=8), "domains": json_values},
)
values = json_values | ticket_like | segment_like | account_like


def outcome(kind: InputKind, value: bytes, parsed: object) -> object:
    try:
        return decode_record(kind, b"k", value, AT, LIMITS, now=AT, parsed=parsed)
    except PoisonRecord as exc:
        return f"poison: {exc}"


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(KINDS), values)
def test_parsed_once_decodes_as_the_bytes_do(kind: InputKind, value: object) -> None:
    raw = orjson.dumps(value)
    assert outcome(kind, raw, orjson.loads(raw)) == outcome(kind, raw, None)


def test_a_replay_line_is_read_with_its_value_parsed_unless_given_as_text_or_base64(
        tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_bytes(b'{"topic": "events", "value": {"type": "track", "n": 1.5e300}}\n'
                     b'{"topic": "events", "value": "{\\"type\\": \\"track\\"}"}\n'
                     b'{"topic": "events", "value": {"a": 1}, "raw_b64": "e30="}\n'
                     b'{"topic": "events", "value": [1, {"b": null}]}\n')
    read = list(read_replay_file(path))
    assert [r.parsed for r in read] == [{"type": "track", "n": 1.5e300}, None, None, [1, {"b": None}]]
    assert [r.value for r in read] == [b'{"type":"track","n":1.5e+300}', b'{"type": "track"}', b"{}",
                                       b'[1,{"b":null}]']
    for r in read:
        if r.parsed is not None:
            assert orjson.loads(r.value or b"") == r.parsed


def test_decoding_drops_the_parsed_value_and_keeps_the_bytes_for_dead_letters(tmp_path: Path) -> None:
    from flows.event_clock import EventClock
    from flows.stages.ingest import Decoder
    from operators.ordering import OrderPolicy

    path = tmp_path / "h.jsonl"
    path.write_bytes(b'{"topic": "events", "value": {"type": "track", "event": "E", "userId": "u",'
                     b' "messageId": "m", "timestamp": "2026-11-20T10:00:00Z"}}\n'
                     b'{"topic": "events", "value": {"type": "track"}}\n')
    decoder = Decoder(limits=Limits(), event_time=EventClock(), follower=None, clock=lambda: AT,
                      order_policy=OrderPolicy())
    good, bad = decoder.decode_batch(list(read_replay_file(path)))
    assert good.record is not None and good.record.message_id == "m"  # type: ignore[union-attr]
    assert bad.record is None and bad.error is not None and "invalid" in bad.error
    assert bad.incoming.value == b'{"type":"track"}'
    assert good.incoming.parsed is None and bad.incoming.parsed is None
