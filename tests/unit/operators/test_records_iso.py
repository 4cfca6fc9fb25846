"""Published times are written alike however often they are written, and per their own zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from operators import records
from operators.records import iso, iso_minutes

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
BERLIN = AT.astimezone(ZoneInfo("Europe/Berlin"))


def test_the_same_instant_in_another_zone_is_written_in_that_zone_after_utc_was_kept() -> None:
    assert BERLIN == AT  # one key to a dict: what is kept must not answer for the other
    assert iso(AT) == "2026-11-20T10:00:00Z"
    assert iso(BERLIN) == "2026-11-20T11:00:00+01:00"
    assert iso(AT.astimezone(timezone(timedelta(hours=-5)))) == "2026-11-20T05:00:00-05:00"


def test_minutes_are_written_in_utc_from_any_zone_kept_or_not() -> None:
    assert iso_minutes(AT) == iso_minutes(BERLIN) == iso_minutes(AT) == "2026-11-20T10:00Z"
    assert iso_minutes(AT + timedelta(seconds=30)) == "2026-11-20T10:00:30Z"
    # Seconds are kept when the time has any where it was written: an offset of 30 s moves them.
    assert iso_minutes(AT.astimezone(timezone(timedelta(seconds=30)))) == "2026-11-20T10:00:00Z"


def test_what_is_kept_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "_WRITTEN_TIMES", 8)
    for minute in range(50):
        iso(AT + timedelta(minutes=minute))
        iso_minutes(AT + timedelta(minutes=minute))
    assert len(records._ISO) <= 8 and len(records._ISO_MINUTES) <= 8
    assert iso(AT + timedelta(minutes=3)) == "2026-11-20T10:03:00Z"


@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)))
def test_a_kept_time_reads_as_a_fresh_one(at: datetime) -> None:
    fresh = at.isoformat().replace("+00:00", "Z")
    assert iso(at) == fresh == iso(at)
    whole = at.second == 0 == at.microsecond
    assert iso_minutes(at) == at.isoformat(timespec="minutes" if whole else "seconds").replace(
        "+00:00", "Z") == iso_minutes(at)
