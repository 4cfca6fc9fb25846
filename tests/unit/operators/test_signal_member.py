"""Window members: what a signal stores in Redis, and reading it back."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from hypothesis import given
from hypothesis import strategies as st

from operators.signals import Signal

AT = datetime(2026, 11, 20, 10, 15, 30, 123456, tzinfo=UTC)
optional_text = st.none() | st.text(max_size=30)


@given(
    key=st.text(min_size=1, max_size=20), kind=st.sampled_from(["ticket", "event"]),
    source=st.none() | st.text(min_size=1, max_size=20), record=st.none() | st.text(min_size=1, max_size=20),
    topic=optional_text, score=st.none() | st.integers(0, 100), text=optional_text, url=optional_text,
    person=optional_text, email=optional_text, open_=st.booleans(), problem=optional_text,
    at=st.datetimes(timezones=st.just(UTC)),
)
def test_a_member_reads_back_as_the_signal_it_was(
        key: str, kind: str, source: str | None, record: str | None, topic: str | None,
        score: int | None, text: str | None, url: str | None, person: str | None,
        email: str | None, open_: bool, problem: str | None, at: datetime) -> None:
    """Every field, and a UTC time to the microsecond: ``state/windows.py`` hands a batch its
    own signals for the members they wrote, as if read back."""
    signal = Signal("acct_1", "ticket", key, at, kind, source or key, record or key,  # type: ignore[arg-type]
                    topic, score, text, url, person, email, open_, problem)
    stored = orjson.loads(orjson.dumps(signal.to_member()))
    assert Signal.from_member(stored, "acct_1", "ticket") == signal


def test_a_member_leaves_out_what_its_window_key_and_defaults_say() -> None:
    signal = Signal("acct_000123", "upgrade_intent", "seg:m-1", AT, "event", "seg:m-1", "seg:m-1",
                    url="https://app.example.com/pricing")
    member = signal.to_member()
    assert set(member) == {"key", "at", "kind", "url"}
    assert len(orjson.dumps(member)) < len(orjson.dumps(signal.to_json())) / 2


def test_members_written_in_the_full_form_still_read() -> None:
    signal = Signal("acct_1", "ticket", "zendesk:1", AT, "ticket", "zendesk:1", "zendesk:e-9",
                    topic="billing", score=72)
    assert Signal.from_member(signal.to_json(), "acct_1", "ticket") == signal
