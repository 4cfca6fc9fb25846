"""Governance reads times in UTC and the owner's zone, never in the host's: the same verdicts
on a machine set to New York as on one set to UTC."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from config.rules import Governance
from operators.govern import (
    Candidate,
    candidate_from_dict,
    candidate_to_dict,
    iso,
    next_day_start,
    next_working_start,
    owner_zone,
    snooze_of,
)

TOKYO = owner_zone({"cs_owner": {"timezone": "Asia/Tokyo"}}, Governance())


@pytest.fixture
def host_in_new_york() -> Iterator[None]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.mark.usefixtures("host_in_new_york")
def test_times_are_written_in_utc_whatever_the_host_zone() -> None:
    at = datetime(2026, 11, 3, 19, 0, tzinfo=TOKYO)
    assert iso(at) == "2026-11-03T10:00Z"
    assert next_day_start(at, TOKYO) == datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
    assert next_day_start(at, TOKYO).tzinfo is UTC
    morning = next_working_start(at, TOKYO, Governance())
    assert morning == datetime(2026, 11, 4, 0, 0, tzinfo=UTC) and morning.tzinfo is UTC
    data = candidate_to_dict(Candidate("a1", "r", "acct", "s", "low", False, at, None, None))
    assert data["at"] == "2026-11-03T10:00:00+00:00"
    assert candidate_from_dict({**data, "at": at.isoformat()}).at.tzinfo is UTC
    late = datetime(2026, 11, 4, 2, 0, tzinfo=TOKYO)  # still the 3rd in New York
    assert next_day_start(late, TOKYO) == datetime(2026, 11, 4, 15, 0, tzinfo=UTC)
    snooze = snooze_of("a1", "snoozed", at, None)
    assert snooze is not None and snooze.until.tzinfo is UTC
