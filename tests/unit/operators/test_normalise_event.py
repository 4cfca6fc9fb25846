"""normalise_event: Segment track/page/identify/group messages become the right Event."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.errors import PoisonRecord
from operators.normalise_event import content_message_id, normalise_event
from operators.records import Event

EVENTS = Path(__file__).parents[2] / "fixtures" / "events"
FIXTURE_NAMES = sorted(p.name for p in EVENTS.glob("*.json"))
FALLBACK = datetime(2026, 11, 20, 23, 59, tzinfo=UTC)


def load(name: str) -> dict[str, Any]:
    body = orjson.loads((EVENTS / name).read_bytes())
    assert isinstance(body, dict)
    return body


def poison(body: Any) -> str:
    with pytest.raises(PoisonRecord) as info:
        normalise_event(body, FALLBACK)
    return str(info.value)


def test_fixture_set_covers_every_call() -> None:
    assert set(FIXTURE_NAMES) >= {"track.json", "page.json", "identify.json", "group.json"}


def test_track() -> None:
    e = normalise_event(load("track.json"), FALLBACK)
    assert e == Event(
        message_id="ajs-next-5b0e9c7f1d2a4e6b8c3f0a1d2e4b6c8f",
        type="track",
        timestamp=datetime(2026, 11, 20, 14, 20, 31, 767000, tzinfo=UTC),
        name="Pricing Page Viewed",
        user_id="u_3b91e7",
        anonymous_id="3f6c2a1e-8b4d-4c7a-9e15-2d0b7f4a6c83",
        group_id="acct_1003",
        email="lena.fischer@silverforge.io",
        traits={},
        properties={"plan": "team", "billing_period": "annual", "seats": 18},
    )


def test_page() -> None:
    e = normalise_event(load("page.json"), FALLBACK)
    assert e.message_id == "ajs-next-9d4f1a3c5e7b2d6f8a0c1e3b5d7f9a2c"
    assert (e.type, e.name) == ("page", "Cancellation Terms")
    assert e.timestamp == datetime(2026, 11, 20, 14, 22, 5, 489000, tzinfo=UTC)
    assert (e.user_id, e.group_id, e.email) == ("u_3b91e7", None, None)
    assert e.properties["path"] == "/legal/cancel"


def test_identify() -> None:
    e = normalise_event(load("identify.json"), FALLBACK)
    assert e.message_id == "6c1d9e2f-4a7b-4c3e-8f5a-0b2d4e6f8a1c"
    assert (e.type, e.name, e.user_id) == ("identify", None, "u_3b91e7")
    assert e.email == "lena.fischer@silverforge.io"
    assert e.traits["name"] == "Lena Fischer"
    assert e.timestamp == datetime(2026, 11, 20, 9, 1, 12, 909000, tzinfo=UTC)


def test_group() -> None:
    e = normalise_event(load("group.json"), FALLBACK)
    assert e.message_id == "0a8e3c5f-7b1d-4e9a-a2c4-6e8f0b2d4a6c"
    assert (e.type, e.group_id, e.user_id, e.email) == ("group", "acct_1003", "u_3b91e7", None)
    assert e.traits["name"] == "Silver Forge"


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_input_is_not_mutated_and_output_does_not_alias_it(name: str) -> None:
    body = load(name)
    before = copy.deepcopy(body)
    event = normalise_event(body, FALLBACK)
    assert body == before
    event.properties["added"] = 1
    event.traits["added"] = 1
    assert body == before


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_unknown_fields_are_tolerated(name: str) -> None:
    body = load(name)
    expected = normalise_event(body, FALLBACK)
    body["x_relay"] = {"batch": 7}
    body["context"]["x_device"] = {"model": "kiosk"}
    body["_metadata"] = {"bundled": ["Segment.io"]}
    assert normalise_event(body, FALLBACK) == expected


def test_the_contracts_minimal_examples() -> None:
    track = normalise_event({
        "type": "track", "event": "Pricing Page Viewed", "userId": "u_123", "messageId": "m-1",
        "timestamp": "2026-11-20T10:15:00Z",
        "context": {"groupId": "acct_42", "traits": {"email": "dana@acme.io"}},
        "properties": {"plan": "pro"}}, FALLBACK)
    assert (track.group_id, track.email, track.name) == ("acct_42", "dana@acme.io",
                                                          "Pricing Page Viewed")
    identify = normalise_event({"type": "identify", "userId": "u_123", "messageId": "m-2",
                                "traits": {"email": "dana@acme.io", "name": "Dana Lee"}}, FALLBACK)
    assert identify.email == "dana@acme.io"
    group = normalise_event({"type": "group", "userId": "u_123", "groupId": "acct_42",
                             "messageId": "m-3", "traits": {"name": "Acme"}}, FALLBACK)
    assert group.group_id == "acct_42"


# --- time ----------------------------------------------------------------------------

TIME_FIELDS = ["timestamp", "originalTimestamp", "sentAt", "receivedAt"]


@pytest.mark.parametrize("present", range(len(TIME_FIELDS) + 1))
def test_timestamp_falls_back_in_order(present: int) -> None:
    body = load("track.json")
    for field in TIME_FIELDS[:present]:
        del body[field]
    expected = {
        0: datetime(2026, 11, 20, 14, 20, 31, 767000, tzinfo=UTC),
        1: datetime(2026, 11, 20, 14, 20, 31, 406000, tzinfo=UTC),
        2: datetime(2026, 11, 20, 14, 20, 31, 511000, tzinfo=UTC),
        3: datetime(2026, 11, 20, 14, 20, 31, 872000, tzinfo=UTC),
        4: FALLBACK,
    }[present]
    assert normalise_event(body, FALLBACK).timestamp == expected


def test_times_become_aware_utc() -> None:
    body = load("track.json")
    body["timestamp"] = "2026-11-20T15:20:31+01:00"
    assert normalise_event(body, FALLBACK).timestamp == datetime(2026, 11, 20, 14, 20, 31,
                                                                 tzinfo=UTC)
    body["timestamp"] = "2026-11-20T14:20:31"
    assert normalise_event(body, FALLBACK).timestamp.tzinfo is UTC
    body["timestamp"] = 1795184431
    assert normalise_event(body, FALLBACK).timestamp == datetime(2026, 11, 20, 14, 20, 31,
                                                                 tzinfo=UTC)


def test_fallback_time_is_made_utc() -> None:
    body = {"type": "track", "event": "Signed In", "userId": "u_1", "messageId": "m"}
    cet = timezone(timedelta(hours=1))
    e = normalise_event(body, datetime(2026, 11, 20, 11, 0, tzinfo=cet))
    assert e.timestamp == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert e.timestamp.tzinfo is UTC


# --- ids, names, e-mails -------------------------------------------------------------


def test_message_without_message_id_gets_a_content_hash() -> None:
    body = load("track.json")
    del body["messageId"]
    first = normalise_event(body, FALLBACK).message_id
    assert first.startswith("sha256:") and len(first) == len("sha256:") + 32
    reordered = dict(reversed(list(body.items())))
    assert normalise_event(reordered, FALLBACK).message_id == first
    body["properties"]["seats"] = 19
    assert normalise_event(body, FALLBACK).message_id != first
    assert first == content_message_id({k: v for k, v in load("track.json").items()
                                        if k != "messageId"})


def test_message_id_falls_back_to_a_relays_id() -> None:
    body = load("track.json")
    del body["messageId"]
    body["id"] = 991
    assert normalise_event(body, FALLBACK).message_id == "991"


def test_ids_may_be_numbers() -> None:
    body = {"type": "group", "userId": 123, "groupId": 42, "messageId": 7}
    e = normalise_event(body, FALLBACK)
    assert (e.user_id, e.group_id, e.message_id) == ("123", "42", "7")


def test_anonymous_only_is_fine() -> None:
    body = load("page.json")
    del body["userId"]
    e = normalise_event(body, FALLBACK)
    assert (e.user_id, e.anonymous_id) == (None, "3f6c2a1e-8b4d-4c7a-9e15-2d0b7f4a6c83")


def test_email_from_traits_wins_over_context_and_is_normalised() -> None:
    body = load("track.json")
    body["traits"] = {"email": "  Lena@SilverForge.IO "}
    assert normalise_event(body, FALLBACK).email == "lena@silverforge.io"
    body["traits"] = {"email": 42}
    assert normalise_event(body, FALLBACK).email == "lena.fischer@silverforge.io"
    body["context"]["traits"] = {"email": "not an address"}
    assert normalise_event(body, FALLBACK).email is None


def test_group_id_top_level_wins_over_context() -> None:
    body = load("track.json")
    body["groupId"] = "acct_9"
    assert normalise_event(body, FALLBACK).group_id == "acct_9"


def test_page_name_falls_back_to_properties() -> None:
    body = load("page.json")
    del body["name"]
    assert normalise_event(body, FALLBACK).name is None
    body["properties"]["name"] = "Pricing"
    assert normalise_event(body, FALLBACK).name == "Pricing"


# --- malformed -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "mentions"),
    [
        (lambda b: b.update(type="screen"), "unsupported Segment message type 'screen'"),
        (lambda b: b.update(type="alias"), "unsupported"),
        (lambda b: b.update(type=5), "of JSON type int"),
        (lambda b: b.update(type="Our numbers are wrong again"), "(not shown)"),
        (lambda b: b.pop("type"), "no type"),
        (lambda b: (b.pop("userId"), b.pop("anonymousId")), "userId or anonymousId"),
        (lambda b: b.update(userId="", anonymousId=None), "userId or anonymousId"),
        (lambda b: b.pop("event"), "event"),
        (lambda b: b.update(event=["Signed In"]), "event"),
        (lambda b: b.update(userId=["u_1"]), "userId"),
        (lambda b: b.update(properties=["a", "list"]), "properties"),
        (lambda b: b.update(context="web"), "context"),
        (lambda b: b.update(timestamp="last Tuesday at noon"), "timestamp"),
        (lambda b: b.update(messageId={"id": 1}), "messageId"),
    ],
)
def test_malformed_track_is_poison(edit: Any, mentions: str) -> None:
    body = load("track.json")
    edit(body)
    message = poison(body)
    assert mentions in message
    assert "Pricing Page Viewed" not in message
    assert "Our numbers" not in message


def test_group_without_group_id_is_poison() -> None:
    body = load("group.json")
    del body["groupId"]
    assert "groupId" in poison(body)


def test_wrongly_typed_traits_are_poison() -> None:
    body = load("identify.json")
    body["traits"] = "Lena Fischer"
    message = poison(body)
    assert "traits" in message and "Lena" not in message


@pytest.mark.parametrize("body", [{}, [], None, "track", 3, [load("track.json")]])
def test_not_a_message_at_all(body: Any) -> None:
    poison(body)


# --- property ------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=25,
)
KEYS = st.sampled_from([
    "type", "messageId", "userId", "anonymousId", "timestamp", "originalTimestamp", "sentAt",
    "receivedAt", "context", "properties", "traits", "event", "name", "groupId", "id",
]) | st.text(max_size=8)
messages = st.builds(
    lambda call, extra: {**extra, "type": call},
    st.sampled_from(["track", "page", "identify", "group", "screen"]),
    st.dictionaries(KEYS, json_values, max_size=8),
)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(messages | st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_arbitrary_messages_give_an_event_or_poison(body: dict[str, Any]) -> None:
    try:
        event = normalise_event(body, FALLBACK)
    except PoisonRecord:
        return
    assert isinstance(event, Event)
    assert event.timestamp.tzinfo is not None
    assert event.message_id
    assert event.user_id or event.anonymous_id
