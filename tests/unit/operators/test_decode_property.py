"""No byte string on an input topic can crash the flow's per-record steps."""

from datetime import UTC, datetime

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.taxonomy import load_taxonomy
from contracts.errors import PoisonRecord
from operators.decode import Limits, decode_record
from operators.gate import gate_ticket
from operators.learned_score import LearnedScorer
from operators.records import Coordinates, Ticket
from operators.render import render_dead_letter, render_ticket_alert

SCORER = LearnedScorer.seeded(load_taxonomy())
AT = datetime(2026, 11, 20, tzinfo=UTC)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)
ticket_like = st.fixed_dictionaries(
    {"source": st.just("generic")},
    optional={"ticket_id": st.text() | st.integers(0, 2**63 - 1), "requester_email": st.text(),
              "subject": st.text(), "body": st.text(),
              "created_at": st.text() | st.integers(-(2**40), 2**40),
              "account_id": st.text() | st.none()},
)


def survive(value: bytes | None) -> None:
    try:
        record = decode_record("tickets", None, value, AT, Limits(max_bytes=4096, max_depth=8))
    except PoisonRecord as exc:
        dead = render_dead_letter(Coordinates("t", 0, 1), value, str(exc), AT, "decode")
        orjson.dumps(dead)
        return
    assert isinstance(record, Ticket)
    score = SCORER.score(record.text)
    decision = gate_ticket(score, {"mrr": 5000, "renewal_date": "2027-01-01"}, record.created_at)
    orjson.dumps(render_ticket_alert(
        ticket=record, score=score, decision=decision, rule="r", account_id="a", account=None,
        detected_at=AT, deployment="d"))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=5000))
def test_any_bytes(value: bytes) -> None:
    survive(value)


@settings(max_examples=300)
@given(json_values)
def test_any_json(value: object) -> None:
    survive(orjson.dumps(value))


@settings(max_examples=300)
@given(ticket_like)
def test_anything_shaped_like_a_generic_ticket(value: dict) -> None:
    survive(orjson.dumps(value))


def test_deep_nesting_and_oversize_are_poison_not_crashes() -> None:
    deep = b"[" * 5000 + b"]" * 5000
    for value in (deep, b"{" + b'"a":' * 3 + b"1}", b"x" * 10_000, None):
        survive(value)
