"""The worker's event-time watermark: the slowest active partition holds it back."""

from datetime import UTC, datetime, timedelta

from flows.event_clock import EventClock

T = datetime(2026, 11, 2, tzinfo=UTC)


class Wall:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_slowest_active_partition_sets_the_watermark() -> None:
    wall = Wall()
    clock = EventClock(idle_s=5, monotonic=wall)
    assert clock.watermark() is None
    clock.saw("events", 0, T + timedelta(days=9))
    clock.saw("tickets", 1, T + timedelta(days=2))
    assert clock.watermark() == T + timedelta(days=2)
    clock.saw("tickets", 1, T + timedelta(days=1))  # an older record never moves it back
    assert clock.watermark() == T + timedelta(days=2)


def test_a_partition_gone_quiet_stops_holding_it_back() -> None:
    wall = Wall()
    clock = EventClock(idle_s=5, monotonic=wall)
    clock.saw("tickets", 1, T)
    wall.now = 10
    clock.saw("events", 0, T + timedelta(days=9))
    assert clock.watermark() == T + timedelta(days=9)
    wall.now = 20  # everything quiet: the newest time known
    assert clock.watermark() == T + timedelta(days=9)


def test_a_partition_read_to_its_end_stops_holding_it_back() -> None:
    """A bounded run knows where each partition ends: one that is done holds nothing back,
    so timers due at the end of the input fire as they do in a replay."""
    wall = Wall()
    clock = EventClock(idle_s=5, monotonic=wall)
    clock.ends = {("tickets", 1): 8, ("events", 0): 100}
    clock.saw("tickets", 1, T)
    clock.read("tickets", 1, 6)
    clock.saw("events", 0, T + timedelta(days=9))
    assert clock.watermark() == T
    clock.read("tickets", 1, 7)  # its last record, whatever it was (a dead letter, say)
    assert clock.watermark() == T + timedelta(days=9)


def test_a_resumed_run_goes_on_from_the_event_time_the_last_one_reached() -> None:
    wall = Wall()
    clock = EventClock(idle_s=5, monotonic=wall)
    clock.resume({("events", 0): T + timedelta(days=9), ("tickets", 1): T + timedelta(days=8)})
    assert clock.watermark() == T + timedelta(days=9)  # nothing read yet: all quiet
    clock.saw("tickets", 1, T + timedelta(days=8, hours=1))
    assert clock.watermark() == T + timedelta(days=8, hours=1)  # the partition being read
