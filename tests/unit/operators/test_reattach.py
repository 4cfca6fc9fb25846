"""Unattached records waiting for a link: the window, the bound, the restart."""

from __future__ import annotations

import pickle

from operators.reattach import Unattached

EMAIL = ("email", "pat@contractor.test")
DOMAIN = ("domain", "contractor.test")
HOUR = 3_600_000


def test_a_link_within_the_window_takes_the_record_out_and_one_after_it_drops_it() -> None:
    waiting: Unattached[str] = Unattached(window_ms=24 * HOUR, max_records=10)
    waiting.park("in-time", 0, frozenset({EMAIL}))
    waiting.park("too-late", 0, frozenset({DOMAIN}))
    assert waiting.touched({EMAIL}, 24 * HOUR) == [("in-time", 0)], "the window's last moment still counts"
    assert waiting.touched({DOMAIN}, 24 * HOUR + 1) == []
    assert len(waiting) == 0 and waiting.expired == 1


def test_records_come_out_in_the_order_they_were_kept() -> None:
    waiting: Unattached[str] = Unattached(window_ms=HOUR, max_records=10)
    for name in ("b", "a", "c"):
        waiting.park(name, 0, frozenset({EMAIL}))
    assert [item for item, _at in waiting.touched({EMAIL, DOMAIN}, 0)] == ["b", "a", "c"]


def test_a_full_list_drops_its_oldest_record() -> None:
    waiting: Unattached[str] = Unattached(window_ms=HOUR, max_records=2)
    for i in range(3):
        waiting.park(f"r{i}", i, frozenset({EMAIL}))
    assert [item for item, _at in waiting.touched({EMAIL}, 0)] == ["r1", "r2"]
    assert waiting.expired == 1


def test_stream_time_past_the_window_drops_what_no_link_can_reach_any_more() -> None:
    waiting: Unattached[str] = Unattached(window_ms=HOUR, max_records=10)
    waiting.park("old", 0, frozenset({EMAIL}))
    waiting.park("new", HOUR, frozenset({EMAIL}))
    assert waiting.advance(HOUR + 1) == 1
    assert waiting.touched({EMAIL}, HOUR + 1) == [("new", HOUR)]


def test_what_waits_survives_a_restart() -> None:
    waiting: Unattached[str] = Unattached(window_ms=HOUR, max_records=10)
    waiting.park("t1", 5, frozenset({EMAIL, DOMAIN}))
    restored: Unattached[str] = Unattached(HOUR, 10, pickle.loads(pickle.dumps(waiting.snapshot())))
    assert restored.touched({DOMAIN}, 5) == [("t1", 5)]
    assert restored.touched({EMAIL}, 5) == [], "taken out once, by either key"
