"""State the operators keep round-trips through its codec, and every decoder of state and
of input records tolerates fields it does not know (a newer writer, a richer producer).

The codecs are the ones the flow writes with: window members, the deferred queue's
candidates, near misses filed for the weekly digest, versioned table entries, the
governance members (cooldowns, snoozes), the alert ledger's outbox and the model state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.taxonomy import load_taxonomy
from flows.delivery import Unconfirmed, _unconfirmed, outbox_payload
from operators import problem
from operators.decode import decode_record
from operators.govern import CooldownEntry, Snooze, candidate_from_dict, candidate_to_dict
from operators.learned_score import LearnedScorer
from operators.model_state import apply_state, state_from_json, state_of, state_to_json
from operators.near_miss import NearMiss
from operators.signals import Signal
from state.governance_codec import cooldown_entry, cooldown_member, snooze_from, snooze_member
from state.identity import _decode as decode_versions
from state.model_store import FeedbackFence
from tests.conformance import strategies as s
from tests.conformance.registry import versions_of

CHECK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UNKNOWN = {"added_in_a_later_version": {"nested": [1, "two"]}}


@dataclass(frozen=True)
class Codec:
    """``decode(encode(value)) == value``; ``decode`` of the encoding with :data:`UNKNOWN`
    merged in (``extend``) gives the same value."""

    name: str
    values: st.SearchStrategy[Any]
    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]
    extend: Callable[[Any], Any] | None = None

    def __str__(self) -> str:
        return self.name


def _json_dict(encode: Callable[[Any], dict[str, Any]]) -> Callable[[Any], bytes]:
    """The dict codecs travel as JSON: round-trip them through orjson as the stores do."""
    return lambda value: orjson.dumps(encode(value))


def _merged(raw: bytes) -> bytes:
    return orjson.dumps({**orjson.loads(raw), **UNKNOWN})


near_misses = st.builds(NearMiss, st.sampled_from(s.ACCOUNTS), s.ids, s.short_text,
                        st.floats(0, 0.999).map(lambda c: round(c, 3)), s.times,
                        st.lists(s.ids, max_size=5).map(tuple))
cooldowns = st.builds(lambda a, t, h, p: CooldownEntry(a, t, t + timedelta(hours=h), p), s.ids,
                      s.times, st.integers(1, 96),
                      st.none() | st.sampled_from(["critical", "high", "medium", "low"]))
snoozes = st.builds(Snooze, s.ids, s.times, st.none() | st.just("riley@vendor.test"))
json_values = st.dictionaries(s.ids, st.integers(-(2**53), 2**53) | s.short_text, max_size=3)
outbox = st.builds(Unconfirmed, st.sampled_from(["alerts", "digest", "dlq"]),
                   st.none() | st.binary(max_size=8), json_values.map(orjson.dumps), st.integers(0, 2**42))

CODECS = [
    Codec("window member (Signal.to_member)", s.signals(),
          _json_dict(lambda sig: sig.to_member()),
          lambda raw: lambda sig: Signal.from_member(orjson.loads(raw), sig.account_id, sig.name), _merged),
    Codec("signal (Signal.to_json)", s.signals(), _json_dict(lambda sig: sig.to_json()),
          lambda raw: Signal.from_json(orjson.loads(raw)), _merged),
    Codec("deferred candidate (candidate_to_dict)", s.candidates(), _json_dict(candidate_to_dict),
          lambda raw: candidate_from_dict(orjson.loads(raw)), _merged),
    Codec("weekly near miss (NearMiss.to_json)", near_misses, _json_dict(lambda n: n.to_json()),
          lambda raw: NearMiss.from_json(orjson.loads(raw)), _merged),
    Codec("governance cooldown member", cooldowns, cooldown_member, cooldown_entry, _merged),
    Codec("governance snooze member", snoozes, snooze_member, snooze_from, _merged),
    Codec("table versions (state.identity)", versions_of, orjson.dumps, decode_versions),
    Codec("ledger outbox entry", outbox, lambda u: outbox_payload(u.kind, u.key, u.value, u.claimed_ms),
          _unconfirmed, _merged),
    Codec("feedback fence", st.dictionaries(st.integers(0, 63), st.integers(0, 2**40)).map(FeedbackFence),
          lambda f: orjson.dumps(f.to_json()), lambda raw: FeedbackFence.from_json(orjson.loads(raw))),
]


def _decoded(codec: Codec, value: Any, raw: Any) -> Any:
    decoded = codec.decode(raw)
    return decoded(value) if callable(decoded) and not isinstance(decoded, FeedbackFence) else decoded


@pytest.mark.parametrize("codec", CODECS, ids=str)
@CHECK
@given(data=st.data())
def test_state_round_trips_through_its_codec(codec: Codec, data: st.DataObject) -> None:
    value = data.draw(codec.values)
    assert _decoded(codec, value, codec.encode(value)) == value


@pytest.mark.parametrize("codec", [c for c in CODECS if c.extend], ids=str)
@CHECK
@given(data=st.data())
def test_state_decoders_tolerate_unknown_fields(codec: Codec, data: st.DataObject) -> None:
    assert codec.extend is not None
    value = data.draw(codec.values)
    assert _decoded(codec, value, codec.extend(codec.encode(value))) == value


@CHECK
@given(st.lists(st.floats(-1, 1, width=32), min_size=4, max_size=64)
       .filter(lambda v: any(abs(x) > 0.01 for x in v)))
def test_a_problem_fingerprint_keeps_its_direction(vector: list[float]) -> None:
    """Fingerprints are quantised (int8): what is kept is the direction, which same_problem reads."""
    original = np.array(vector, dtype=np.float32)
    unpacked = problem.unpack(problem.pack(original))
    assert unpacked is not None and unpacked.shape == original.shape
    cosine = float(unpacked @ original) / (float(np.linalg.norm(unpacked)) * float(np.linalg.norm(original)))
    assert cosine > 0.98
    assert problem.similarity(problem.pack(original), problem.pack(original)) > 0.999


@pytest.fixture(scope="module")
def scorer() -> LearnedScorer:
    return LearnedScorer.seeded(load_taxonomy())


def test_model_state_round_trips_through_json_and_into_a_fresh_scorer(scorer: LearnedScorer) -> None:
    learner = scorer.start_over()
    learner.learn("We were charged twice and nobody answers, this is unacceptable.",
                  {"frustration": 3, "signal": "billing_issue"})
    state = state_of(learner)
    assert state_from_json(state_to_json(state)) == state
    fresh = scorer.start_over()
    apply_state(fresh, state_from_json(state_to_json(state)))
    assert state_of(fresh) == state
    text = "The sync stopped again, third time this week."
    assert fresh.score(text) == learner.score(text)


def test_model_state_tolerates_unknown_fields(scorer: LearnedScorer) -> None:
    state = state_of(scorer)
    fresh = scorer.start_over()
    apply_state(fresh, {**state_from_json(state_to_json(state)), **UNKNOWN})
    assert state_of(fresh) == state


RECORDS: dict[str, tuple[dict[str, Any], Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "accounts": ({"account_id": "acct_1", "mrr": 1200, "contacts": ["pat@acme.test"],
                  "cs_owner": {"name": "Riley", "email": "riley@vendor.test"}},
                 lambda body: {**body, "cs_owner": {**body["cs_owner"], **UNKNOWN}}),
    "tickets": ({"source": "generic", "ticket_id": "T-1", "requester_email": "pat@acme.test",
                 "subject": "Export", "body": "How do I export?", "created_at": "2026-11-20T10:15:00Z"},
                lambda body: body),
    "events": ({"type": "track", "event": "Pricing Page Viewed", "userId": "u1", "messageId": "m1",
                "timestamp": "2026-11-20T10:15:00Z", "context": {"groupId": "acct_1"}},
               lambda body: {**body, "context": {**body["context"], **UNKNOWN}}),
    "feedback": ({"alert_id": "a1", "decision": "snoozed", "until": "2026-12-15T00:00:00Z",
                  "at": "2026-11-20T10:15:00Z"}, lambda body: body),
}


@pytest.mark.parametrize("kind", sorted(RECORDS))
def test_record_decoders_tolerate_unknown_fields(kind: str) -> None:
    """CONTRACTS.md: extend only. A producer a version ahead adds fields; the flow reads on."""
    body, deeper = RECORDS[kind]
    key = b"acct_1" if kind == "accounts" else None
    plain = decode_record(kind, key, orjson.dumps(body), s.T0)  # type: ignore[arg-type]
    extended = decode_record(kind, key, orjson.dumps({**deeper(body), **UNKNOWN}), s.T0)  # type: ignore[arg-type]
    assert extended == plain
