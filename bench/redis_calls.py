"""``python -m bench.redis_calls``: the stores' scripts against their plain commands, on a replay's calls.

A server-side script moves work from the flow's thread into redis-server, so its worth is
the sum of both. This replays a history once (``bench.stage_cpu``'s input), recording
the window exchanges (``WindowStore.stage_exchange``) and the ledger's claims and
confirmations (``AlertLedger.claim``, ``confirm``) as the flow made them, then makes
exactly those calls again on a private redis-server, each time from an empty server,
once as a client that may run scripts and once as an ACL user that may not (so the
stores take their plain-command path), alternating, and prints the thread CPU and the
server's CPU (``INFO cpu``) of each, fastest and median, and whether both paths read
the same windows and gave the same claims::

    python -m bench.redis_calls H --repeats 6
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import redis

Call = tuple[str, tuple[Any, ...]]


def record_calls(history: Path) -> list[Call]:
    """The exchanges, claims and confirmations of one replay of ``history``, in order."""
    from config.settings import Settings
    from cuewire.app import replay
    from cuewire.backtest_cmd import history_span
    from state.ledger import AlertLedger
    from state.windows import WindowStore

    calls: list[Call] = []
    exchange, claim, confirm = WindowStore.stage_exchange, AlertLedger.claim, AlertLedger.confirm

    def recording_exchange(self: WindowStore, uow: Any, signals: Any, timers: Any, reads: Any) -> Any:
        signals, timers, reads = list(signals), list(timers), dict(reads)
        calls.append(("exchange", (signals, timers, reads)))
        return exchange(self, uow, signals, timers, reads)

    def recording_claim(self: AlertLedger, records: Any) -> list[bool]:
        calls.append(("claim", (list(records),)))
        return claim(self, records)

    def recording_confirm(self: AlertLedger, record_ids: Any) -> None:
        calls.append(("confirm", (list(record_ids),)))
        confirm(self, record_ids)

    WindowStore.stage_exchange = recording_exchange  # type: ignore[method-assign]
    AlertLedger.claim = recording_claim  # type: ignore[method-assign]
    AlertLedger.confirm = recording_confirm  # type: ignore[method-assign]
    try:
        _, earliest = history_span(history)
        pinned = earliest or datetime.now(UTC)
        replay(Settings(), history, lambda batch: None, clock=lambda: pinned, store="server")
    finally:
        WindowStore.stage_exchange = exchange  # type: ignore[method-assign]
        AlertLedger.claim, AlertLedger.confirm = claim, confirm  # type: ignore[method-assign]
    return calls


def _server_cpu(client: redis.Redis) -> float:
    info: dict[str, Any] = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def make_calls(client: redis.Redis, calls: list[Call], kinds: frozenset[str]) -> tuple[float, list[Any]]:
    """Thread CPU of ``calls`` of ``kinds`` through fresh stores on ``client``, and their results."""
    from state.keys import Keyspace, TTLs
    from state.ledger import AlertLedger
    from state.unit_of_work import UnitOfWork
    from state.windows import WindowStore

    ks = Keyspace("bench:")
    windows = WindowStore(client, ks, TTLs(), horizon=timedelta(days=14))
    ledger = AlertLedger(client, ks, TTLs(), run_id="bench")
    windows.exchange((), (), {"warm": ({"up"}, datetime(2026, 1, 1, tzinfo=UTC))})  # asks for scripts
    out: list[Any] = []
    started = time.thread_time()
    for kind, args in calls:
        if kind not in kinds:
            continue
        if kind == "exchange":
            uow = UnitOfWork(client)
            staged = windows.stage_exchange(uow, *args)
            uow.send()
            out.append(staged.value)
        elif kind == "claim":
            out.append(ledger.claim(*args))
        else:
            ledger.confirm(*args)
    return time.thread_time() - started, out


def _without_scripts(client: redis.Redis) -> tuple[redis.Redis, Callable[[], object]]:
    """A client of the same server as an ACL user without ``@scripting``, and its removal."""
    name, password = f"bench{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    client.acl_setuser(name, enabled=True, passwords=[f"+{password}"], keys=["*"],
                       commands=["+@all", "-@scripting"])
    kwargs = client.connection_pool.connection_kwargs
    plain = redis.Redis(unix_socket_path=kwargs["path"], username=name, password=password)
    return plain, lambda: client.acl_deluser(name)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.redis_calls", description=__doc__.split("\n\n")[0])
    ap.add_argument("history", type=Path, help="the replay input (written first if it does not exist)")
    ap.add_argument("--repeats", type=int, default=6)
    args = ap.parse_args(argv)
    from bench.backtest import write_history
    from state.private_redis import find_redis_server, private_redis

    if not args.history.exists():
        write_history(args.history, 30_000, 2000)
    calls = record_calls(args.history)
    server = find_redis_server()
    if server is None:
        print("no redis-server found", file=sys.stderr)
        return 1
    with private_redis(*server) as client:
        plain, remove = _without_scripts(client)
        paths = {"scripts": client, "commands": plain}
        try:
            for label, kinds in (("window exchange", frozenset({"exchange"})),
                                 ("ledger claim + confirm", frozenset({"claim", "confirm"}))):
                spent: dict[str, list[float]] = {p: [] for p in paths}
                served: dict[str, list[float]] = {p: [] for p in paths}
                results: dict[str, list[Any]] = {}
                for _ in range(args.repeats):
                    for path, c in paths.items():
                        client.flushall()
                        before = _server_cpu(client)
                        seconds, results[path] = make_calls(c, calls, kinds)
                        spent[path].append(seconds)
                        served[path].append(_server_cpu(client) - before)
                n = sum(1 for kind, _ in calls if kind in kinds)
                figures = "; ".join(
                    f"{p}: thread {min(spent[p]):.3f} s (median {statistics.median(spent[p]):.3f}), "
                    f"redis-server {min(served[p]):.3f} s (median {statistics.median(served[p]):.3f})"
                    for p in paths)
                same = results["scripts"] == results["commands"]
                print(f"{label}: {n:,} calls; {figures}; same results: {same}")
        finally:
            remove()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
