"""InputOrder: records come out in log order however the partitions' reads interleave."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from operators.ordering import InputOrder, OrderPolicy, SortKey, sort_key

EVENTS0, EVENTS1, TICKETS0 = ("events", 0), ("events", 1), ("tickets", 0)
BOUNDED = OrderPolicy(frozenset({EVENTS0, EVENTS1, TICKETS0}))


def rec(part: tuple[str, int], offset: int, ms: int) -> SortKey:
    return sort_key(part[0], part[1], offset, ms)


def feed(order: InputOrder[SortKey], part: tuple[str, int], records: list[SortKey],
         now: float = 0.0) -> list[SortKey]:
    """What a worker does: hand on a batch of one partition's records, then mark it."""
    for r in records:
        order.add(r, r, now)
    order.mark(((part[0], part[1], max(r[0] for r in records), max(r[3] for r in records)),), now)
    return order.release(now)


def test_a_record_waits_until_every_other_partition_is_read_past_it() -> None:
    order: InputOrder[SortKey] = InputOrder(BOUNDED, started=0.0)
    a = rec(EVENTS0, 0, 1_000)
    assert feed(order, EVENTS0, [a]) == []
    b = rec(EVENTS1, 0, 900)
    assert feed(order, EVENTS1, [b]) == [], "tickets/0 has not been read yet"
    c = rec(TICKETS0, 0, 1_500)
    assert feed(order, TICKETS0, [c]) == [b], "b is older than every other partition"
    # a waits: events/1 may still deliver a record between 900 and 1,000 ms.
    d = rec(EVENTS1, 1, 1_200)
    assert feed(order, EVENTS1, [d]) == [a]
    assert order.drain() == [d, c]


def test_equal_times_wait_for_the_other_partition_to_move_on() -> None:
    order: InputOrder[SortKey] = InputOrder(OrderPolicy(frozenset({EVENTS0, EVENTS1})), started=0.0)
    a = rec(EVENTS1, 0, 500)
    assert feed(order, EVENTS1, [a]) == []
    b, c = rec(EVENTS0, 0, 500), rec(EVENTS0, 1, 501)
    assert feed(order, EVENTS0, [b, c]) == [], "events/1 may deliver more at 500 ms"
    d = rec(EVENTS1, 1, 501)
    assert feed(order, EVENTS1, [d]) == [b, a], "both partitions are past 500 ms, neither past 501"
    assert order.drain() == [c, d]


def test_records_from_partitions_that_do_not_set_the_order_pass_at_once() -> None:
    order: InputOrder[SortKey] = InputOrder(BOUNDED, started=0.0)
    snapshot = sort_key("accounts", 0, 7, 5_000)
    order.add(snapshot, snapshot, 0.0)
    assert order.release(0.0) == [snapshot]


def test_a_live_flow_stops_waiting_for_a_quiet_partition() -> None:
    live = OrderPolicy(frozenset({EVENTS0, EVENTS1}), idle_s=0.1, max_wait_s=0.1)
    order: InputOrder[SortKey] = InputOrder(live, started=0.0)
    a = rec(EVENTS0, 0, 1_000)
    assert feed(order, EVENTS0, [a], now=0.05) == [], "events/1 might still deliver something older"
    assert order.next_due(0.05) is not None
    assert order.release(0.2) == [a], "events/1 has been quiet for longer than the wait"


def test_a_live_flow_holds_a_record_no_longer_than_its_wait() -> None:
    live = OrderPolicy(frozenset({EVENTS0, EVENTS1}), idle_s=10.0, max_wait_s=0.5)
    order: InputOrder[SortKey] = InputOrder(live, started=0.0)
    order.mark((("events", 1, 100, 0),), 0.0)
    a = rec(EVENTS0, 0, 1_000)
    order.add(a, a, 1.0)
    assert order.release(1.2) == []
    assert order.release(1.6) == [a]
    late = rec(EVENTS1, 3, 400)
    order.add(late, late, 1.7)
    assert order.late == 1, "a record older than one already handed on is counted as late"
    assert order.release(1.7) == [late], "and handed on without waiting"


def test_a_bounded_flow_never_gives_up_waiting() -> None:
    order: InputOrder[SortKey] = InputOrder(BOUNDED, started=0.0)
    a = rec(EVENTS0, 0, 1_000)
    feed(order, EVENTS0, [a])
    assert order.release(1e9) == []
    assert order.next_due(1e9) is None
    assert order.drain() == [a]


def test_held_records_survive_a_restart() -> None:
    order: InputOrder[SortKey] = InputOrder(BOUNDED, started=0.0)
    a, b = rec(EVENTS0, 0, 1_000), rec(EVENTS1, 0, 2_000)
    feed(order, EVENTS0, [a])
    feed(order, EVENTS1, [b])
    restored: InputOrder[SortKey] = InputOrder(BOUNDED, 5.0, pickle.loads(pickle.dumps(order.snapshot())))
    c = rec(TICKETS0, 0, 3_000)
    assert feed(restored, TICKETS0, [c]) == [a]
    assert restored.drain() == [b, c]


PARTS = [EVENTS0, EVENTS1, TICKETS0]


@st.composite
def logs_and_reads(draw: st.DrawFn) -> tuple[dict[tuple[str, int], list[SortKey]], list[tuple[int, int]]]:
    """Three partitions with rising log times, and an interleaving of batch reads of them."""
    logs: dict[tuple[str, int], list[SortKey]] = {}
    for part in PARTS:
        gaps = draw(st.lists(st.integers(0, 3), min_size=1, max_size=12))
        times = [sum(gaps[: i + 1]) for i in range(len(gaps))]
        logs[part] = [rec(part, offset, t) for offset, t in enumerate(times)]
    reads = draw(st.lists(st.tuples(st.integers(0, 2), st.integers(1, 4)), max_size=40))
    return logs, reads


@settings(max_examples=300, deadline=None)
@given(logs_and_reads())
def test_every_interleaving_of_reads_yields_the_log_order(
        case: tuple[dict[tuple[str, int], list[SortKey]], list[tuple[int, int]]]) -> None:
    logs, reads = case
    order: InputOrder[SortKey] = InputOrder(BOUNDED, started=0.0)
    position = dict.fromkeys(PARTS, 0)
    out: list[SortKey] = []
    for which, size in reads + [(i, 99) for i in range(3)]:
        part = PARTS[which]
        batch = logs[part][position[part]: position[part] + size]
        position[part] += len(batch)
        if batch:
            out += feed(order, part, batch)
    out += order.drain()
    assert out == sorted(r for log in logs.values() for r in log)
    assert order.late == 0



def test_a_bounded_partition_read_to_its_end_holds_nothing_back() -> None:
    """The accounts topic's snapshots are older than the tickets: once the last one has
    been read, tickets need not wait for the end of the whole input."""
    accounts = ("accounts", 0)
    policy = OrderPolicy(frozenset({EVENTS0, accounts}), ends={accounts: 2})
    order: InputOrder[SortKey] = InputOrder(policy, started=0.0)
    a = rec(EVENTS0, 0, 1_000)
    assert feed(order, EVENTS0, [a]) == []
    assert feed(order, accounts, [rec(accounts, 0, 100)]) == [rec(accounts, 0, 100)]
    assert order.release(0.0) == [], "accounts/0 may still deliver offset 1"
    assert feed(order, accounts, [rec(accounts, 1, 200)]) == [rec(accounts, 1, 200), a]


def test_a_partition_the_broker_says_is_read_to_its_end_holds_nothing_older_back() -> None:
    live = OrderPolicy(frozenset({EVENTS0, TICKETS0}), max_wait_s=60.0)
    order: InputOrder[SortKey] = InputOrder(live, started=0.0)
    a = rec(EVENTS0, 0, 1_000)
    assert feed(order, EVENTS0, [a], now=1.0) == []
    assert order.behind() == [TICKETS0]
    order.caught_up(TICKETS0, 900, now=1.0)
    assert order.release(1.0) == [], "caught up only to 900 ms: a ticket at 950 ms may come"
    order.caught_up(TICKETS0, 1_001, now=1.0)
    assert order.release(1.0) == [a]
    assert order.expired == 0 and len(order.waited) == 1


def test_a_live_record_waits_for_a_partition_behind_at_most_its_bound_and_is_counted() -> None:
    live = OrderPolicy(frozenset({EVENTS0, TICKETS0}), max_wait_s=2.0)
    order: InputOrder[SortKey] = InputOrder(live, started=0.0)
    order.mark((("tickets", 0, 10, 3),), 0.0)
    a = rec(EVENTS0, 0, 1_000)
    assert feed(order, EVENTS0, [a], now=1.0) == []
    assert order.release(2.9) == [], "no idle rule: a partition behind is waited for"
    assert order.release(3.0) == [a]
    assert order.expired == 1
    assert order.read_to(TICKETS0) == 4
