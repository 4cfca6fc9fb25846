"""parse_time's shortcut for UTC stamps written with ``Z`` reads every time as the full path does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.wire_types import parse_time


def _full_path(text: str) -> datetime | str:
    # A leading space keeps a stamp off the shortcut: the general path strips it.
    try:
        return parse_time(" " + text)
    except ValueError as exc:
        return str(exc)


def _shortcut(text: str) -> datetime | str:
    try:
        return parse_time(text)
    except ValueError as exc:
        return str(exc)


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
       st.sampled_from(["seconds", "milliseconds", "microseconds", "minutes"]))
def test_z_stamps_read_as_the_full_path_reads_them(at: datetime, spec: str) -> None:
    text = at.isoformat(timespec=spec) + "Z"
    written = datetime.fromisoformat(at.isoformat(timespec=spec)).replace(tzinfo=UTC)
    assert _shortcut(text) == _full_path(text) == written
    assert parse_time(text).tzinfo is UTC


@given(st.text(alphabet="0123456789-T:.,+ WZ", min_size=1, max_size=30).map(lambda t: t + "Z"))
def test_anything_ending_in_z_is_read_or_refused_alike(text: str) -> None:
    assert _shortcut(text) == _full_path(text.lstrip())


@pytest.mark.parametrize("text", ["2026-13-01T00:00:00Z", "2026-11-20T24:00:00Z", "2026-W01Z", "1Z"])
def test_a_malformed_z_stamp_is_refused_in_words(text: str) -> None:
    with pytest.raises(ValueError, match="expected an RFC 3339 time or Unix seconds"):
        parse_time(text)


def test_an_offset_is_still_moved_to_utc() -> None:
    assert parse_time("2026-11-20T12:15:00+02:00") == datetime(2026, 11, 20, 10, 15, tzinfo=UTC)
    assert parse_time("2026-11-20T12:15:00+02:00").utcoffset() == timedelta(0)
