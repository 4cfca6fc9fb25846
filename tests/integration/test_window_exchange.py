"""The window exchange (``state/windows.py``): one script call per batch where the server
runs scripts; the same windows, timers, TTLs and reads as plain commands where it does not."""

from datetime import UTC, datetime, timedelta

import pytest
import redis

from operators.match import Timer
from operators.signals import Signal
from state.keys import Keyspace, TTLs
from state.redis_client import connect
from state.windows import WINDOW_CAP, WindowStore
from tests.integration.command_calls import command_calls

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
HORIZON = timedelta(days=14)


def _signal(account: str, name: str, i: int, at: datetime) -> Signal:
    return Signal(account, name, f"m{i}", at, "event", f"m{i}", f"m{i}", person=f"u{i % 3}")


def _batches() -> list[list[Signal]]:
    """A first batch, a busy window (more pairs than one ``unpack`` takes), a redelivery
    and a signal late enough to trim the window by time."""
    first = [_signal(f"acct_{i % 4}", name, i, T0 + timedelta(minutes=i))
             for i in range(40) for name in ("upgrade_intent", "cart_started")]
    busy = [_signal("acct_busy", "upgrade_intent", i, T0 + timedelta(seconds=i)) for i in range(5000)]
    late = [_signal("acct_0", "upgrade_intent", 999, T0 + timedelta(days=40))]
    return [first, busy, first[:5], late]


def _run(client: redis.Redis, ks: Keyspace) -> list[object]:
    store = WindowStore(client, ks, TTLs(), horizon=HORIZON)
    seen: list[object] = []
    for batch in _batches():
        timers = [Timer("cart-abandoned", s.at + timedelta(hours=24), s) for s in batch
                  if s.name == "cart_started"]
        reads = {s.account_id: ({"upgrade_intent", "cart_started"}, s.at - HORIZON) for s in batch}
        seen.append(store.exchange(batch, timers, reads))
    for key in sorted(client.scan_iter(f"{ks.prefix}*")):
        seen.append((key.removeprefix(ks.prefix.encode()), client.zrange(key, 0, -1, withscores=True),
                     client.ttl(key) > 0))
    return seen


def test_an_exchange_is_one_script_call(redis_url: str, unique: str) -> None:
    client = connect(redis_url)
    store = WindowStore(client, Keyspace(f"t{unique}:"), TTLs(), horizon=HORIZON)
    batch = _batches()[0]
    store.exchange(batch, (), {})  # asks once whether the server runs scripts
    scripts, commands = command_calls(client, "eval"), command_calls(client, "zadd", "zrevrangebyscore")
    windows = store.exchange(batch, (), {"acct_1": ({"upgrade_intent"}, T0)})
    assert command_calls(client, "eval") - scripts == 1
    assert command_calls(client, "zadd", "zrevrangebyscore") - commands == 9  # inside the server
    assert len(windows["acct_1"]["upgrade_intent"]) == 10


def test_a_busy_window_is_written_whole_and_trimmed_to_its_cap(redis_url: str, unique: str) -> None:
    client = connect(redis_url)
    ks = Keyspace(f"t{unique}:")
    busy = _batches()[1]
    windows = WindowStore(client, ks, TTLs(), horizon=HORIZON).exchange(
        busy, (), {"acct_busy": ({"upgrade_intent"}, T0)})
    assert client.zcard(ks.window("acct_busy", "upgrade_intent")) == WINDOW_CAP
    assert windows["acct_busy"]["upgrade_intent"][0] == busy[-1]  # the newest first


def test_scripts_and_plain_commands_leave_the_same_state(
        redis_url: str, unique: str, no_scripts: redis.Redis) -> None:
    scripted = _run(connect(redis_url), Keyspace(f"s{unique}:"))
    assert scripted == _run(no_scripts, Keyspace(f"p{unique}:"))
    assert len(scripted) > 4  # the keys were compared too


def test_an_in_process_redis_reads_back_the_same_windows(redis_url: str, unique: str) -> None:
    """fakeredis runs scripts only with ``lupa``; without it the exchange is plain commands."""
    fakeredis = pytest.importorskip("fakeredis")
    scripted = _run(connect(redis_url), Keyspace(f"s{unique}:"))
    assert scripted == _run(fakeredis.FakeRedis(), Keyspace(f"s{unique}:"))


def test_a_batch_reads_its_own_signals_as_a_fresh_store_parses_them(redis_url: str, unique: str) -> None:
    client = connect(redis_url)
    ks = Keyspace(f"t{unique}:")
    first = _batches()[0]
    reads = {s.account_id: ({"upgrade_intent", "cart_started"}, T0 - HORIZON) for s in first}
    writer = WindowStore(client, ks, TTLs(), horizon=HORIZON)
    own = writer.exchange(first, (), reads)
    parsed = WindowStore(client, ks, TTLs(), horizon=HORIZON).exchange((), (), reads)
    assert own == parsed
    assert sum(len(signals) for names in own.values() for signals in names.values()) == len(first)


def test_a_big_exchange_goes_in_pieces_and_reads_what_it_wrote(
        redis_url: str, unique: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A script holds the server while it runs: a bounded run's batch is several calls."""
    client = connect(redis_url)
    whole = _run(client, Keyspace(f"w{unique}:"))
    monkeypatch.setattr("state.windows.SCRIPT_PIECE", 7)
    scripts = command_calls(client, "eval")
    assert _run(client, Keyspace(f"p{unique}:")) == whole
    assert command_calls(client, "eval") - scripts > 2 * len(_batches())
