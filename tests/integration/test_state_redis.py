"""State against a real redis-server: the alert ledger, identity links, the AOF guard."""

import threading
import time
from pathlib import Path

import pytest
import redis

from contracts.errors import ConfigurationError, DependencyDown
from state.identity import IdentityStore
from state.keys import Keyspace, TTLs
from state.ledger import AlertLedger
from state.redis_client import ROUND_TRIPS, connect

pytestmark = pytest.mark.integration


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    return connect(redis_url)


def test_round_trips_are_counted_per_request_not_per_command(client: redis.Redis, unique: str) -> None:
    client.ping()  # the connection's own handshake is not what is measured
    before = ROUND_TRIPS.value
    pipe = client.pipeline(transaction=False)
    for i in range(5):
        pipe.set(f"t{unique}:k{i}", i, ex=60)
    pipe.execute()
    client.mget([f"t{unique}:k{i}" for i in range(5)])
    assert ROUND_TRIPS.value - before == 2


def _claims(*ids: str) -> list[tuple[str, bytes]]:
    return [(i, f"record {i}".encode()) for i in ids]


def test_ledger_publishes_each_id_once(client: redis.Redis, unique: str) -> None:
    ks = Keyspace(f"t{unique}:")
    ledger = AlertLedger(client, ks, TTLs(), run_id="run-a")
    assert ledger.claim(_claims("a1", "a2", "a1")) == [True, True, False]
    ledger.confirm(["a1", "a2"])
    assert ledger.claim(_claims("a1", "a3")) == [False, True]
    # Another run (a restart) sees a confirmed id as published.
    assert AlertLedger(client, ks, TTLs(), run_id="run-b").claim(_claims("a2")) == [False]


def test_a_claim_left_by_a_run_that_died_stays_in_the_outbox_for_the_next_start(
        client: redis.Redis, unique: str) -> None:
    """Nothing is taken over while the flow runs (that published ids twice after a kill -9):
    the record waits in the outbox, which the next start settles."""
    ks = Keyspace(f"t{unique}:")
    crashed = AlertLedger(client, ks, TTLs(), run_id="crashed")
    assert crashed.claim(_claims("a1", "a2")) == [True, True]
    crashed.confirm(["a2"])
    restarted = AlertLedger(client, ks, TTLs(), run_id="restarted")
    assert restarted.claim(_claims("a1", "a3")) == [False, True]
    left = {e.record_id: e.payload for e in restarted.outbox()}
    assert left == {"a1": b"record a1", "a3": b"record a3"}  # a2 confirmed; a1 lost its claim
    restarted.settle([e for e in restarted.outbox() if e.record_id == "a1"])
    assert restarted.sent(["a1", "a2", "a3"]) == {"a1", "a2"}
    assert [e.record_id for e in restarted.outbox()] == ["a3"]


def test_ledger_keys_expire(client: redis.Redis, unique: str) -> None:
    ks = Keyspace(f"t{unique}:")
    ledger = AlertLedger(client, ks, TTLs(alert_pending=50, alert_sent=1000), run_id="r")
    ledger.claim(_claims("a1"))
    assert 0 < client.ttl(ks.alert("a1")) <= 50
    assert 50 < client.ttl(ks.alert_outbox()) <= 1000
    ledger.confirm(["a1"])
    assert 50 < client.ttl(ks.alert("a1")) <= 1000
    assert ledger.outbox() == []


def test_ledger_uses_one_round_trip_per_batch(client: redis.Redis, unique: str) -> None:
    ledger = AlertLedger(client, Keyspace(f"t{unique}:"), TTLs(), run_id="r")
    before = ROUND_TRIPS.value
    ledger.claim(_claims(*[f"a{i}" for i in range(500)]))
    assert ROUND_TRIPS.value - before == 1


def test_identity_round_trip_with_ttls(client: redis.Redis, unique: str) -> None:
    ks = Keyspace(f"t{unique}:")
    store = IdentityStore(client, ks, TTLs(account=100, identity=200))
    store.write({("email", "dana@acme.io"): ((5, "acct_42"),),
                 ("account", "acct_42"): ((1, {"mrr": 1000}), (9, {"mrr": 3200}))})
    got = store.fetch([("email", "dana@acme.io"), ("account", "acct_42"), ("org", "nope")])
    assert got == {("email", "dana@acme.io"): "acct_42", ("account", "acct_42"): {"mrr": 3200},
                   ("org", "nope"): None}
    history = store.fetch_versions([("account", "acct_42"), ("org", "nope")])
    assert history == {("account", "acct_42"): ((1, {"mrr": 1000}), (9, {"mrr": 3200})), ("org", "nope"): ()}
    assert 0 < client.ttl(ks.table(("account", "acct_42"))) <= 100
    assert 100 < client.ttl(ks.table(("email", "dana@acme.io"))) <= 200
    # No e-mail address in any key.
    assert not [k for k in client.keys(f"t{unique}:*") if b"acme.io" in k and b"domain" not in k]
    store.write({("email", "dana@acme.io"): ((5, "acct_42"), (7, None))})
    assert store.fetch([("email", "dana@acme.io")]) == {("email", "dana@acme.io"): None}


def test_refuses_a_redis_without_persistence(tmp_path, unique: str) -> None:  # type: ignore[no-untyped-def]
    from cuewire_dev.servers import RedisServer, free_port

    server = RedisServer(free_port(), tmp_path / "volatile").start()
    try:
        redis.Redis.from_url(server.url).config_set("appendonly", "no")
        time.sleep(0.2)
        with pytest.raises(ConfigurationError, match="CUEWIRE_ALLOW_VOLATILE_REDIS"):
            connect(server.url)
        assert connect(server.url, allow_volatile=True).ping()
    finally:
        server.stop()


def test_unreachable_redis_is_a_dependency_error() -> None:
    from cuewire_dev.servers import free_port

    with pytest.raises(DependencyDown, match="CUEWIRE_REDIS_URL"):
        connect(f"redis://127.0.0.1:{free_port()}/0", retry_seconds=0.5)


def test_a_redis_that_goes_away_is_retried_for_the_setting_then_named(tmp_path: Path) -> None:
    """A restart inside the retry time is ridden out; a Redis gone for longer ends in one
    error that names Redis and the setting."""
    from cuewire_dev.servers import RedisServer, free_port

    server = RedisServer(free_port(), tmp_path / "redis").start()
    try:
        gone: list[DependencyDown] = []
        client = connect(server.url, retry_seconds=20, on_gone=gone.append)
        client.set("k", "v")
        server.kill()
        threading.Timer(1.0, server.start).start()
        assert client.get("k") == b"v"  # the AOF brought it back; the call waited for it
        server.kill()
        client = redis_client_with_retry(server.url, 1.0, gone)
        started = time.monotonic()
        with pytest.raises(DependencyDown, match=r"Redis at .*CUEWIRE_REDIS_RETRY_SECONDS"):
            client.get("k")
        assert time.monotonic() - started >= 1.0
        assert len(gone) == 1
    finally:
        server.stop()


def redis_client_with_retry(url: str, seconds: float, gone: list[DependencyDown]) -> redis.Redis:
    from state.redis_client import RetryFor

    return redis.Redis.from_url(url, socket_connect_timeout=1, retry=RetryFor(seconds, url, gone.append),
                                retry_on_error=[redis.ConnectionError, redis.TimeoutError])


def test_windows_stay_bounded_by_count_and_time(client: redis.Redis, unique: str) -> None:
    from datetime import UTC, datetime, timedelta

    from operators.signals import Signal
    from state.windows import WINDOW_CAP, WindowStore

    ks = Keyspace(f"t{unique}:")
    store = WindowStore(client, ks, TTLs(), horizon=timedelta(days=14))
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    batch = [Signal("a", "upgrade_intent", f"m{i}", t0 + timedelta(minutes=i), "event", f"m{i}", f"m{i}")
             for i in range(WINDOW_CAP + 50)]
    store.exchange(batch, (), {})
    key = ks.window("a", "upgrade_intent")
    assert client.zcard(key) == WINDOW_CAP
    assert b'"key":"m%d"' % (WINDOW_CAP + 49) in client.zrange(key, -1, -1)[0]  # newest kept
    store.exchange([batch[-1]], (), {})  # a redelivery adds nothing
    assert client.zcard(key) == WINDOW_CAP
    assert 0 < client.ttl(key) <= 16 * 86400
    late = Signal("a", "upgrade_intent", "new", t0 + timedelta(days=40), "event", "new", "new")
    store.exchange([late], (), {})
    assert client.zcard(key) == 1, "signals older than twice the horizon are trimmed"


def test_windows_and_timers_read_back_the_signals_they_stored(client: redis.Redis, unique: str) -> None:
    from datetime import UTC, datetime, timedelta

    import orjson

    from operators.match import Timer
    from operators.signals import Signal
    from state.windows import WindowStore

    ks = Keyspace(f"t{unique}:")
    store = WindowStore(client, ks, TTLs(), horizon=timedelta(days=14))
    t0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    cart = Signal("acct_7", "cart_started", "seg:m1", t0, "event", "seg:m1", "seg:m1",
                  person="u1", email="u1@example.com", url="https://app.example.com/cart")
    ticket = Signal("acct_7", "ticket", "zendesk:4", t0, "ticket", "zendesk:4", "zendesk:e-4",
                    topic="billing", score=81, text="charged twice", open=False)
    windows = store.exchange([cart, ticket], [Timer("cart-abandoned", t0 + timedelta(hours=24), cart)],
                             {"acct_7": ({"cart_started", "ticket"}, t0 - timedelta(days=1))})
    assert windows == {"acct_7": {"cart_started": [cart], "ticket": [ticket]}}
    # A timer written in the earlier, full form still fires.
    old = Timer("cart-abandoned", t0 + timedelta(hours=25), cart)
    client.zadd(ks.timers(), {orjson.dumps({"rule": old.rule_id, "first": cart.to_json()}):
                              int(old.due.timestamp() * 1000)})
    assert store.due_timers(t0 + timedelta(hours=23)) == []
    assert store.due_timers(t0 + timedelta(hours=26)) == [
        ("cart-abandoned", cart, t0 + timedelta(hours=24)),
        ("cart-abandoned", cart, t0 + timedelta(hours=25)),
    ]


def test_event_time_kept_per_partition_only_moves_forward(client: redis.Redis, unique: str) -> None:
    from datetime import UTC, datetime, timedelta

    from state.progress import EventTimeStore
    from state.unit_of_work import UnitOfWork

    store = EventTimeStore(client, Keyspace(f"t{unique}:"), TTLs())
    t = datetime(2026, 11, 2, tzinfo=UTC)
    for newest in ({("events", 0): t + timedelta(days=2), ("tickets", 1): t},
                   {("events", 0): t + timedelta(days=1)}):  # another process, behind
        uow = UnitOfWork(client)
        store.stage_save(uow, newest)
        uow.send()
    assert store.load() == {("events", 0): t + timedelta(days=2), ("tickets", 1): t}
