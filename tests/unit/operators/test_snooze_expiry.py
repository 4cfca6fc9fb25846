"""How long a snooze is kept: its span in event time, never a wall-clock instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from operators.snooze_expiry import KEPT_PAST_END, snooze_lifetime

DECIDED = datetime(2025, 3, 6, 10, 0, tzinfo=UTC)
FLOOR = timedelta(days=30)


def test_a_long_snooze_is_kept_from_its_decision_to_a_day_past_its_end() -> None:
    assert snooze_lifetime(DECIDED + timedelta(days=90), DECIDED, FLOOR) == timedelta(days=90) + KEPT_PAST_END


def test_the_lifetime_depends_on_the_span_only_not_on_when_it_is_computed() -> None:
    # Last year's snooze and this year's of the same span are kept equally long.
    later = DECIDED + timedelta(days=600)
    assert snooze_lifetime(DECIDED + timedelta(days=45), DECIDED, FLOOR) == snooze_lifetime(
        later + timedelta(days=45), later, FLOOR)


def test_a_short_or_already_ended_snooze_keeps_the_floor() -> None:
    assert snooze_lifetime(DECIDED + timedelta(hours=2), DECIDED, FLOOR) == FLOOR
    assert snooze_lifetime(DECIDED - timedelta(days=3), DECIDED, timedelta(0)) == KEPT_PAST_END


def test_a_decision_without_a_zone_is_read_as_utc_and_one_without_a_time_keeps_the_floor() -> None:
    naive = DECIDED.replace(tzinfo=None)
    assert snooze_lifetime(DECIDED + timedelta(days=40), naive, FLOOR) == timedelta(days=41)
    assert snooze_lifetime(DECIDED + timedelta(days=400), None, FLOOR) == FLOOR
