"""The tables' cache in front of Redis (``state/identity.py``): what ``resolve-accounts``
wrote or read is not asked for again, and nothing it holds differs from Redis."""

import pytest

from state.identity import IdentityStore, TableCache
from state.keys import Keyspace, TTLs
from state.redis_client import ROUND_TRIPS, connect

pytestmark = pytest.mark.integration


@pytest.fixture
def store(redis_url: str, unique: str) -> IdentityStore:
    return IdentityStore(connect(redis_url), Keyspace(f"t{unique}:"), TTLs())


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_what_was_written_is_read_back_without_a_round_trip(store: IdentityStore) -> None:
    tables = TableCache(store)
    tables.write({("user", "u1"): ((5, "acct_a"),)})
    before = ROUND_TRIPS.value
    assert tables.fetch_versions([("user", "u1")]) == {("user", "u1"): ((5, "acct_a"),)}
    assert ROUND_TRIPS.value == before
    assert store.fetch_versions([("user", "u1")]) == {("user", "u1"): ((5, "acct_a"),)}  # Redis has it


def test_a_key_read_once_is_not_asked_for_again_and_only_new_keys_go_to_redis(
        store: IdentityStore) -> None:
    store.write({("email", "dana@acme.io"): ((1, "acct_a"),)})
    tables = TableCache(store)
    assert tables.fetch_versions([("email", "dana@acme.io")]) == {("email", "dana@acme.io"): ((1, "acct_a"),)}
    store.write({("email", "dana@acme.io"): ((1, "acct_b"),)})  # behind the cache's back
    before = ROUND_TRIPS.value
    got = tables.fetch_versions([("email", "dana@acme.io"), ("org", "77")])
    assert got == {("email", "dana@acme.io"): ((1, "acct_a"),), ("org", "77"): ()}
    assert ROUND_TRIPS.value - before == 1  # the org, never fetched before
    before = ROUND_TRIPS.value
    assert tables.fetch_versions([("org", "77")]) == {("org", "77"): ()}  # an absent key is kept too
    assert ROUND_TRIPS.value == before


def test_a_kept_key_older_than_its_age_is_read_from_redis_again(store: IdentityStore) -> None:
    clock = Clock()
    tables = TableCache(store, max_age_s=60, monotonic=clock)
    tables.write({("user", "u1"): ((1, "acct_a"),)})
    store.write({("user", "u1"): ((1, "acct_b"),)})  # edited by hand
    clock.now = 60
    assert tables.fetch_versions([("user", "u1")]) == {("user", "u1"): ((1, "acct_a"),)}
    clock.now = 61
    assert tables.fetch_versions([("user", "u1")]) == {("user", "u1"): ((1, "acct_b"),)}


def test_the_least_recently_used_keys_go_first_past_the_bound(store: IdentityStore) -> None:
    tables = TableCache(store, max_keys=2)
    tables.write({("user", "u1"): ((1, "a"),), ("user", "u2"): ((1, "b"),)})
    tables.fetch_versions([("user", "u1")])  # u1 used again: u2 is now the oldest
    tables.write({("user", "u3"): ((1, "c"),)})
    store.write({("user", "u1"): ((1, "x"),), ("user", "u2"): ((1, "y"),)})
    got = tables.fetch_versions([("user", "u1"), ("user", "u2")])
    assert got == {("user", "u1"): ((1, "a"),), ("user", "u2"): ((1, "y"),)}


def test_a_write_redis_refused_is_forgotten_and_asked_for_next_time(store: IdentityStore) -> None:
    tables = TableCache(store)
    tables.write({("user", "u1"): ((1, "acct_a"),)})

    class Refused(Exception):
        pass

    def refuse(writes: object) -> None:
        raise Refused

    real_write = store.write
    store.write = refuse  # type: ignore[method-assign]
    with pytest.raises(Refused):
        tables.write({("user", "u1"): ((2, "acct_b"),)})
    store.write = real_write  # type: ignore[method-assign]
    before = ROUND_TRIPS.value
    assert tables.fetch_versions([("user", "u1")]) == {("user", "u1"): ((1, "acct_a"),)}
    assert ROUND_TRIPS.value - before == 1
