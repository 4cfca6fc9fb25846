"""Per-account sliding windows of signals, and the timers of absence rules, in Redis.

Each (account, signal name) is a sorted set scored by event time in
milliseconds. A member is the signal's compact JSON (``Signal.to_member``: no
account or name, which the key holds, no empty fields), deterministic for a
given record, so a redelivered record adds nothing; two records of one ticket (the ticket
and a reply) share the signal ``key`` and are counted once when read
(``operators.match``). Windows are trimmed by event time to the rules' horizon
and to the newest ``WINDOW_CAP`` signals, and expire ``horizon + slack`` after
their last write.

One :meth:`WindowStore.stage_exchange` per batch (in its unit of work) writes every new signal, schedules
every new timer and reads every window the batch's rules need, in one
pipeline: writes first, so a read sees the whole batch, and the matcher then
looks only at signals up to each trigger's own time. Where the server runs scripts
the exchange is one ``EVAL`` of :data:`EXCHANGE` (five commands a window cost more in
redis-py's staging and reply parsing than the server's work); elsewhere, the same
commands one by one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import orjson
import redis

from operators.match import Timer
from operators.signals import Signal
from state.commands import (
    stage_expire,
    stage_zadd,
    stage_zremrangebyrank,
    stage_zremrangebyscore,
    stage_zrevrangebyscore,
)
from state.keys import Keyspace, TTLs
from state.scripts import IN_PIECES, SCRIPT_PIECE, ScriptSupport
from state.unit_of_work import Reply, UnitOfWork

Windows = dict[str, dict[str, list[Signal]]]
"""account id → signal name → signals."""


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


READ_LIMIT = 64
"""Newest signals read per (account, name) beyond the batch's own: rules look at a few
recent signals (at_least N, the latest first step, any follower), so a busy account's
whole fortnight need not cross the wire on every batch."""

WINDOW_CAP = 256
"""Signals kept per (account, name), newest first: a busy account's window stays bounded
by count as well as by time (rules read at most READ_LIMIT of them)."""

PARSED_CACHE_SIZE = 25_000
"""Parsed window members kept per generation (two generations): enough for the busy
accounts' recent signals, which come back batch after batch, without growing the
process by the whole key space."""


class WindowStore:
    def __init__(self, client: redis.Redis, keyspace: Keyspace, ttls: TTLs, horizon: timedelta) -> None:
        self._r = client
        self._ks = keyspace
        self._horizon = horizon
        self._horizon_ms = int(horizon.total_seconds() * 1000)
        self._ttl = int(horizon.total_seconds()) + ttls.window_slack
        self._timers_ttl = ttls.timers
        self._scripts = ScriptSupport(client)
        # Two generations: a member used in the older one moves to the newer; when the
        # newer fills, the older (what nobody asked for since) is dropped whole.
        self._parsed: dict[tuple[str, str, bytes], Signal] = {}
        self._parsed_old: dict[tuple[str, str, bytes], Signal] = {}

    def _signal(self, account_id: str, name: str, member: bytes) -> Signal:
        # Hot accounts' recent signals come back batch after batch: parse each member once.
        cache_key = (account_id, name, member)
        found = self._parsed.get(cache_key)
        if found is None:
            found = self._parsed_old.get(cache_key)
            if found is None:
                found = Signal.from_member(orjson.loads(member), account_id, name)
            self._keep(cache_key, found)
        return found

    def _keep(self, cache_key: tuple[str, str, bytes], signal: Signal) -> None:
        if len(self._parsed) >= PARSED_CACHE_SIZE:
            self._parsed_old, self._parsed = self._parsed, {}
        self._parsed[cache_key] = signal

    def exchange(
        self,
        signals: Iterable[Signal],
        timers: Iterable[Timer],
        reads: Mapping[str, tuple[set[str], datetime]],
    ) -> Windows:
        """Store ``signals`` and ``timers``; return the windows named in ``reads``
        (account → (signal names, oldest time needed)), in one round trip."""
        uow = UnitOfWork(self._r)
        windows = self.stage_exchange(uow, signals, timers, reads)
        uow.send()
        return windows.value

    def stage_exchange(
        self,
        uow: UnitOfWork,
        signals: Iterable[Signal],
        timers: Iterable[Timer],
        reads: Mapping[str, tuple[set[str], datetime]],
    ) -> Reply[Windows]:
        """:meth:`exchange`'s commands, added to a batch's unit of work (which other stores
        share); the windows come with its replies."""
        per_key: dict[tuple[str, str], int] = {}
        by_key: dict[tuple[str, str], dict[bytes, int]] = {}
        for s in signals:
            per_key[(s.account_id, s.name)] = per_key.get((s.account_id, s.name), 0) + 1
            member = orjson.dumps(s.to_member(), option=orjson.OPT_SORT_KEYS)
            by_key.setdefault((s.account_id, s.name), {})[member] = _ms(s.at)
            if s.at.tzinfo is UTC:
                # What this member reads back as is the signal itself (a UTC time is written
                # and read without change): the batch's own signals need no parsing.
                self._keep((s.account_id, s.name, member), s)
        timer_members = {
            orjson.dumps({"rule": t.rule_id, "account_id": t.first.account_id, "name": t.first.name,
                          "first": t.first.to_member()}, option=orjson.OPT_SORT_KEYS): _ms(t.due)
            for t in timers
        }
        order: list[tuple[str, str]] = []
        limits: list[int] = []
        since_ms: list[int] = []
        for account_id, (names, since) in reads.items():
            for name in sorted(names):
                order.append((account_id, name))
                limits.append(READ_LIMIT + per_key.get((account_id, name), 0))
                since_ms.append(_ms(since))
        if not (by_key or timer_members or order):
            return Reply.of({})
        if self._scripts.available():
            first, pieces = self._stage_script(uow, by_key, timer_members, order, since_ms, limits)

            def read_script(replies: list[Any]) -> Windows:
                return self._windows(order, [members for piece in replies[first:first + pieces]
                                             for members in piece])

            return uow.read(read_script)
        self._stage_commands(uow, by_key, timer_members)
        first = len(uow)
        for (account_id, name), since_at, limit in zip(order, since_ms, limits, strict=True):
            stage_zrevrangebyscore(uow, self._ks.window(account_id, name), "+inf", since_at,
                                   start=0, num=limit)

        def read(replies: list[Any]) -> Windows:
            return self._windows(order, replies[first:first + len(order)])

        return uow.read(read)

    def _windows(self, order: list[tuple[str, str]], replies: list[list[bytes]]) -> Windows:
        windows: Windows = {}
        for (account_id, name), members in zip(order, replies, strict=True):
            windows.setdefault(account_id, {})[name] = [self._signal(account_id, name, m)
                                                        for m in members]
        return windows

    def _stage_script(self, uow: UnitOfWork, by_key: dict[tuple[str, str], dict[bytes, int]],
                      timer_members: dict[bytes, int], order: list[tuple[str, str]],
                      since_ms: list[int], limits: list[int]) -> tuple[int, int]:
        """The exchange as ``EVAL`` s of :data:`EXCHANGE`, the writes, the timers and then the
        reads, at most :data:`SCRIPT_PIECE` of them each (a script holds the server while it
        runs). Returns where the ``EVAL`` s' replies start and how many they are."""
        written, timers = list(by_key.items()), list(timer_members.items())
        reads = list(zip(order, since_ms, limits, strict=True))
        first, n = len(uow), len(written) + len(timers) + len(reads)
        for at in range(0, n, SCRIPT_PIECE):
            # In order, so every read runs after every write: positions [at, at + piece) of
            # written + timers + reads.
            upto, w, t = at + SCRIPT_PIECE, len(written), len(written) + len(timers)
            self._stage_piece(uow, written[at:upto], timers[max(at - w, 0):max(upto - w, 0)],
                              reads[max(at - t, 0):max(upto - t, 0)])
        return first, len(uow) - first

    def _stage_piece(self, uow: UnitOfWork, written: list[tuple[tuple[str, str], dict[bytes, int]]],
                     timers: list[tuple[bytes, int]], reads: list[tuple[tuple[str, str], int, int]]) -> None:
        window = self._ks.window
        keys: list[str] = [window(account_id, name) for (account_id, name), _ in written]
        args: list[Any] = [len(written), len(timers), len(reads), WINDOW_CAP, self._ttl, self._timers_ttl]
        trim = 2 * self._horizon_ms
        for _, members in written:
            args += (len(members), max(members.values()) - trim)
            for member, score in members.items():
                args += (score, member)
        if timers:
            keys.append(self._ks.timers())
            for member, score in timers:
                args += (score, member)
        keys += [window(account_id, name) for (account_id, name), _, _ in reads]
        for _, since_at, limit in reads:
            args += (since_at, limit)
        uow.pipeline_execute_command("EVAL", EXCHANGE, len(keys), *keys, *args)

    def _stage_commands(self, uow: UnitOfWork, by_key: dict[tuple[str, str], dict[bytes, int]],
                        timer_members: dict[bytes, int]) -> None:
        """The exchange's writes as plain commands, for a server that runs no scripts."""
        for (account_id, name), members in by_key.items():
            # One ZADD, one trim and one EXPIRE per window, however many signals it gets.
            key = self._ks.window(account_id, name)
            stage_zadd(uow, key, members)
            stage_zremrangebyscore(uow, key, "-inf", max(members.values()) - 2 * self._horizon_ms)
            stage_zremrangebyrank(uow, key, 0, -(WINDOW_CAP + 1))
            stage_expire(uow, key, self._ttl)
        if timer_members:
            uow.zadd(self._ks.timers(), timer_members)
            uow.expire(self._ks.timers(), self._timers_ttl)

    def due_timers(self, now: datetime, limit: int = 1000) -> list[tuple[str, Signal, datetime]]:
        """Take the timers due at ``now``: (rule id, first signal, due time).

        Each timer is removed with its own ``ZREM`` and only the caller whose removal
        succeeded fires it, so workers racing for the same timer fire it once.
        """
        key = self._ks.timers()
        members = cast(list[tuple[bytes, float]], self._r.zrangebyscore(
            key, "-inf", _ms(now), start=0, num=limit, withscores=True))
        if not members:
            return []
        pipe = self._r.pipeline(transaction=False)
        for member, _ in members:
            pipe.zrem(key, member)
        removed = pipe.execute()
        out = []
        for (member, score), mine in zip(members, removed, strict=True):
            if not mine:
                continue
            data = orjson.loads(member)
            due = datetime.fromtimestamp(score / 1000, UTC)
            first = data["first"]
            if "account_id" in data:
                signal = Signal.from_member(first, data["account_id"], data["name"])
            else:  # written before timers were stored compactly
                signal = Signal.from_json(first)
            out.append((str(data["rule"]), signal, due))
        return out


EXCHANGE = f"""{IN_PIECES}
local nw, nt, nr = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local cap, ttl, timers_ttl = tonumber(ARGV[4]), ARGV[5], ARGV[6]
local a, k = 7, 1
local function zadd(key, from, pairs)
  in_pieces('ZADD', key, ARGV, from, from + 2 * pairs - 1)
end
for _ = 1, nw do
  local key, count = KEYS[k], tonumber(ARGV[a])
  zadd(key, a + 2, count)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[a + 1])
  redis.call('ZREMRANGEBYRANK', key, 0, -(cap + 1))
  redis.call('EXPIRE', key, ttl)
  a, k = a + 2 + 2 * count, k + 1
end
if nt > 0 then
  zadd(KEYS[k], a, nt)
  redis.call('EXPIRE', KEYS[k], timers_ttl)
  a, k = a + 2 * nt, k + 1
end
local out = {{}}
for r = 1, nr do
  out[r] = redis.call('ZREVRANGEBYSCORE', KEYS[k], '+inf', ARGV[a], 'LIMIT', 0, ARGV[a + 1])
  a, k = a + 2, k + 1
end
return out
"""
"""The window exchange in one call. ``KEYS``: the windows written, the timers' key when
timers are written, the windows read. ``ARGV``: how many windows are written, timer
members and windows read; ``WINDOW_CAP``, the windows' TTL and the timers'; then per
window written its member count, the score below which it is trimmed and its
(score, member) pairs; the timers' (score, member) pairs; per window read the oldest
score wanted and how many members. Each window gets the same ``ZADD``, trims and
``EXPIRE`` as :meth:`WindowStore._stage_commands` stages, in the same order, and the reply
is the list of what each ``ZREVRANGEBYSCORE`` read."""
