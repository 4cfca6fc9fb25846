"""The stages' own choices: which shard an account goes to, when a bounded run's records are
handed on, what a worker's partition mark says, where a dead letter leaves a stage."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

from flows import shutdown
from flows.event_clock import EventClock
from flows.held_records import CHUNK
from flows.input_order import LogOrder
from flows.stages.accounts import (
    ORDER_SHARDS,
    account_shard,
    as_timeline_batch,
    by_account_shard,
    is_ticket,
    shard_of,
)
from flows.stages.failures import DeadLetters, is_output
from flows.stages.ingest import Decoder, is_feedback, is_rejected
from flows.stages.items import Decoded, Incoming, Located, Outgoing, ShardBatch, TimelineBatch
from flows.table_join import HandOff
from operators.decode import Limits
from operators.ordering import OrderPolicy, PartitionMark
from operators.records import Coordinates, Event, Feedback, Ticket
from operators.resolve import Resolved

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def ticket(n: int) -> Ticket:
    return Ticket(f"rec-{n}", f"generic:t{n}", "generic", "created", "", "help", AT)


def located(account: str | None, key: bytes, record: object | None = None) -> Located:
    return Located(Resolved(record or ticket(1), account, None), Coordinates("t", 0, 1, key))  # type: ignore[arg-type]


def test_an_accounts_records_go_to_one_shard_whatever_their_kafka_key() -> None:
    shards = {account_shard(located("acct_42", key)) for key in (b"a", b"b", b"zendesk:9", b"")}
    assert len(shards) == 1
    assert 0 <= int(shards.pop()) < ORDER_SHARDS


def test_records_that_reached_no_account_are_spread_by_their_key() -> None:
    keys = [f"k{i}".encode() for i in range(64)]
    assert len({account_shard(located(None, k)) for k in keys}) > 1
    assert account_shard(located(None, b"k1")) == account_shard(located(None, b"k1"))


def test_a_batch_crosses_to_its_shards_one_item_per_shard_each_in_join_order() -> None:
    batch = [located(f"acct_{n % 5}", b"k", Event(f"m{n}", "track", AT, name="Plan Compared"))
             for n in range(40)]
    per_shard = by_account_shard(batch)
    assert len({shard_of(b) for b in per_shard}) == len(per_shard) > 1  # one item per shard
    for item in per_shard:
        assert all(account_shard(r) == item.shard for r in item.records)
        assert list(item.records) == [r for r in batch if account_shard(r) == item.shard]
    assert by_account_shard([]) == []


def test_a_shards_worker_hands_on_the_records_of_its_batches_in_the_order_they_came() -> None:
    first = ShardBatch("3", (located("acct_1", b"a"), located("acct_2", b"b")))
    second = ShardBatch("3", (located("acct_3", b"c"),))
    live = HandOff(live=True, resume=None)
    assert list(live.on_batch([first, second])[0]) == [*first.records, *second.records]
    bounded = HandOff(live=False, resume=None)
    bounded.on_batch([first])
    bounded.on_batch([second])
    assert list(bounded.on_eof()[0]) == [*first.records, *second.records]


def test_a_workers_batch_crosses_to_the_log_as_one_item_its_mark_behind_its_records() -> None:
    batch: list[Decoded | PartitionMark] = [decoded("tickets", 0, 5, 1000), decoded("tickets", 0, 6, 900),
                                            PartitionMark(0, (("tickets", 0, 1000, 6),))]
    assert as_timeline_batch(batch) == [TimelineBatch(tuple(batch))]
    assert as_timeline_batch([]) == []
    unpickled = pickle.loads(pickle.dumps(TimelineBatch(tuple(batch))))
    assert unpickled == TimelineBatch(tuple(batch))


def test_the_log_takes_every_workers_batches_and_hands_records_on_in_log_order() -> None:
    policy = OrderPolicy(expected=frozenset({("tickets", 0), ("tickets", 1)}))
    order = LogOrder(policy, None, clock=lambda: 100.0)
    from_one = TimelineBatch((decoded("tickets", 0, 5, 1000), decoded("tickets", 0, 6, 3000),
                              PartitionMark(0, (("tickets", 0, 3000, 6),))))
    from_two = TimelineBatch((decoded("tickets", 1, 2, 2000), PartitionMark(1, (("tickets", 1, 2000, 2),))))
    out = list(order.on_batch([from_one, from_two])[0])
    # partition 1 has been read to 2,000 ms: what is logged up to then may go on, in log order
    assert [(d.incoming.coords.partition, d.incoming.coords.offset) for d in out] == [(0, 5), (1, 2)]
    assert [d.incoming.coords.offset for d in order.on_eof()[0]] == [6]


def test_only_a_ticket_whose_join_did_not_fail_takes_the_ticket_branch() -> None:
    assert is_ticket(located("acct_42", b"k"))
    event = Event("m1", "track", AT, name="Plan Compared")
    assert not is_ticket(located("acct_42", b"k", event))
    dead = Outgoing("dlq", b"k", b"{}")
    failed = Located(Resolved(ticket(1), "acct_42", None), Coordinates("t", 0, 1), dead)
    assert not is_ticket(failed)


def test_a_bounded_run_hands_a_shard_its_records_at_the_end_and_a_live_one_at_once() -> None:
    records = [located("acct_42", b"k"), located("acct_7", b"k")]
    bounded = HandOff(live=False, resume=None)
    assert list(bounded.on_batch([ShardBatch("0", tuple(records))])[0]) == []
    assert list(bounded.snapshot().records()) == records  # held records are in the recovery snapshot
    assert list(bounded.on_eof()[0]) == records
    live = HandOff(live=True, resume=None)
    assert list(live.on_batch([ShardBatch("0", tuple(records))])[0]) == records


def test_a_bounded_run_stopped_part_way_keeps_its_records_for_the_next_run() -> None:
    # Handing on at a stop would decide the input's first part alone; the next run would
    # then decide the rest against it, not all of it together as one run does.
    records = [located("acct_42", b"k"), located("acct_7", b"k")]
    bounded = HandOff(live=False, resume=None)
    bounded.on_batch([ShardBatch("0", tuple(records))])
    shutdown.STOP.set()
    try:
        assert list(bounded.on_eof()[0]) == []
        assert list(bounded.snapshot().records()) == records
        live = HandOff(live=True, resume=None)  # a live run has handed them on
        assert list(live.on_batch([ShardBatch("0", tuple(records))])[0]) == records
    finally:
        shutdown.STOP.clear()
    resumed = HandOff(live=False, resume=pickle.loads(pickle.dumps(bounded.snapshot())))
    assert list(resumed.on_eof()[0]) == records


def test_a_bounded_run_hands_on_every_record_it_held_packed_in_the_order_it_came() -> None:
    accounts = {f"acct_{n}": {"account_id": f"acct_{n}", "mrr": n} for n in range(7)}
    event = Event("m1", "track", AT, name="Plan Compared", user_id="u1", properties={"plan": "pro"})
    records = [Located(Resolved(ticket(n) if n % 3 else event, f"acct_{n % 7}", accounts[f"acct_{n % 7}"],
                                "explicit"), Coordinates("t", n % 2, n, b"k%d" % n, 1_000 + n))
               for n in range(3 * CHUNK + 5)]
    dead = Outgoing("dlq", None, b"{}")
    records.append(Located(Resolved(ticket(1), None, None), Coordinates("t", 0, 1), dead))
    bounded = HandOff(live=False, resume=None)
    for start in range(0, len(records), 500):
        bounded.on_batch([ShardBatch("0", tuple(records[start:start + 500]))])
    snapshot = bounded.snapshot()
    assert len(snapshot.chunks) > 1 and not snapshot.recent  # packed, a chunk at a time
    out = list(bounded.on_eof()[0])
    assert out == records
    assert all(o.resolved.account is accounts[str(o.resolved.account_id)] for o in out[:-1])  # shared
    assert list(bounded.on_eof()[0]) == []  # nothing held twice
    resumed = HandOff(live=False, resume=pickle.loads(pickle.dumps(snapshot)))
    assert list(resumed.on_eof()[0]) == records


def test_a_snapshot_from_before_records_were_packed_resumes() -> None:
    records = [located("acct_42", b"k"), located("acct_7", b"k")]
    resumed = HandOff(live=False, resume=records)
    resumed.on_batch([ShardBatch("0", (located("acct_9", b"k"),))])
    assert list(resumed.on_eof()[0]) == [*records, located("acct_9", b"k")]


def decoded(topic: str, partition: int, offset: int, ms: int | None) -> Decoded:
    coords = Coordinates(topic, partition, offset, None, ms)
    return Decoded(ticket(offset), Incoming("tickets", None, b"{}", coords))


def test_a_batch_is_followed_by_a_mark_of_how_far_each_expected_partition_was_read() -> None:
    decoder = Decoder(limits=Limits(), event_time=EventClock(), follower=None, clock=lambda: AT,
                      order_policy=OrderPolicy(expected=frozenset({("tickets", 0), ("tickets", 1)})))
    batch = [decoded("tickets", 0, 5, 1000), decoded("tickets", 0, 7, 900), decoded("tickets", 1, 2, 50),
             decoded("events", 0, 9, 2000), decoded("tickets", 1, 3, None)]
    out = decoder.mark_partitions(batch)
    assert out[:5] == batch
    [mark] = out[5:]
    assert isinstance(mark, PartitionMark)
    assert sorted(mark.reached) == [("tickets", 0, 1000, 7), ("tickets", 1, 50, 2)]


def test_a_batch_from_no_expected_partition_has_no_mark() -> None:
    decoder = Decoder(limits=Limits(), event_time=EventClock(), follower=None, clock=lambda: AT,
                      order_policy=OrderPolicy())
    assert decoder.mark_partitions([decoded("tickets", 0, 5, 1000)])[1:] == []


def test_what_cannot_be_read_is_rejected_and_feedback_goes_apart() -> None:
    unreadable = Decoded(None, Incoming("tickets", None, b"x", Coordinates("t", 0, 1)), "bad")
    feedback = Decoded(Feedback("a1", "approved", {}, None, AT), unreadable.incoming)
    assert is_rejected(unreadable) and not is_rejected(feedback)
    assert is_feedback(feedback) and not is_feedback(decoded("tickets", 0, 1, 1))
    assert not is_rejected(PartitionMark(0, ())) and not is_feedback(PartitionMark(0, ()))


def test_a_dead_letter_is_told_apart_from_the_items_it_travels_with() -> None:
    dead = DeadLetters(lambda: AT).record_failed("ticket-signals", located("acct_42", b"k"), KeyError("x"))
    assert is_output(dead) and dead.kind == "dlq"
    assert not is_output(located("acct_42", b"k"))


class KeptClocks:
    """Stands in for ``EventTimeStore``: what was saved, when."""

    def __init__(self) -> None:
        self.saved: list[dict[tuple[str, int], datetime]] = []

    def save(self, newest: dict[tuple[str, int], datetime]) -> None:
        self.saved.append(newest)


def test_the_event_clock_is_kept_about_once_a_second_for_a_resumed_run() -> None:
    kept, now = KeptClocks(), [100.0]
    decoder = Decoder(limits=Limits(), event_time=EventClock(), follower=None, clock=lambda: AT,
                      order_policy=OrderPolicy(), event_times=kept,  # type: ignore[arg-type]
                      monotonic=lambda: now[0])
    decoder.mark_partitions([decoded("tickets", 0, 5, 1000)])
    decoder.mark_partitions([decoded("tickets", 1, 2, 1000)])  # within the second: not again
    assert kept.saved == [{("tickets", 0): AT}]
    now[0] += 1.0
    decoder.mark_partitions([decoded("tickets", 1, 3, 1000)])
    assert kept.saved[-1] == {("tickets", 0): AT, ("tickets", 1): AT}  # every partition read so far
