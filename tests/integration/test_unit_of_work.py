"""A batch's unit of work: several stores' reads and writes in one round trip, on a real Redis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis

from operators.signals import Signal
from state.identity import IdentityStore
from state.keys import Keyspace, TTLs
from state.progress import EventTimeStore
from state.redis_client import ROUND_TRIPS, connect
from state.unit_of_work import Reply, UnitOfWork, UnitsOfWork
from state.windows import WindowStore

pytestmark = pytest.mark.integration
AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    return connect(redis_url)


def test_two_stores_reads_and_writes_go_in_one_round_trip(client: redis.Redis, unique: str) -> None:
    ks, ttls = Keyspace(f"uow{unique}:"), TTLs()
    windows = WindowStore(client, ks, ttls, timedelta(days=14))
    identity = IdentityStore(client, ks, ttls)
    identity.write({("account", "acct_42"): ((0, {"mrr": 5000}),)})
    signal = Signal("acct_42", "ticket", "t1", AT, "ticket", "t1", "r1")
    windows.exchange([], [], {"acct_7": ({"ticket"}, AT)})  # the store's first use asks for scripts
    uow = UnitsOfWork(client).begin()
    before = ROUND_TRIPS.value
    reads = {"acct_42": ({"ticket"}, AT - timedelta(days=1))}
    staged_windows = windows.stage_exchange(uow, [signal], [], reads)
    staged_accounts = identity.stage_fetch_versions(uow, [("account", "acct_42"), ("account", "acct_7")])
    EventTimeStore(client, ks, ttls).stage_save(uow, {("events", 0): AT})
    uow.send()
    assert ROUND_TRIPS.value - before == 1
    assert [s.key for s in staged_windows.value["acct_42"]["ticket"]] == ["t1"]  # the write is read back
    assert staged_accounts.value == {("account", "acct_42"): ((0, {"mrr": 5000}),), ("account", "acct_7"): ()}


def test_a_second_round_takes_what_was_staged_after_the_first(client: redis.Redis, unique: str) -> None:
    uow = UnitOfWork(client)
    uow.set(f"uow{unique}:a", "1")
    first = uow.read(lambda replies: len(replies))
    uow.send()
    uow.get(f"uow{unique}:a")
    second = uow.read(lambda replies: replies[0])
    uow.send()
    assert (first.value, second.value) == (1, b"1")


def test_a_reply_read_before_its_unit_is_sent_says_so(client: redis.Redis) -> None:
    uow = UnitOfWork(client)
    uow.get("nothing")
    reply = uow.read(lambda replies: replies[0])
    with pytest.raises(RuntimeError, match="before the unit was sent"):
        _ = reply.value
    assert Reply.of(3).value == 3


def test_an_empty_unit_sends_nothing(client: redis.Redis) -> None:
    uow = UnitOfWork(client)
    reply = uow.read(lambda replies: replies)
    before = ROUND_TRIPS.value
    uow.send()
    assert ROUND_TRIPS.value == before and reply.value == []
