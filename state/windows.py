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
looks only at signals up to each trigger's own time.
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
            if len(self._parsed) >= PARSED_CACHE_SIZE:
                self._parsed_old, self._parsed = self._parsed, {}
            self._parsed[cache_key] = found
        return found

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
        for (account_id, name), members in by_key.items():
            # One ZADD, one trim and one EXPIRE per window, however many signals it gets.
            key = self._ks.window(account_id, name)
            stage_zadd(uow, key, members)
            stage_zremrangebyscore(uow, key, "-inf", max(members.values()) - 2 * self._horizon_ms)
            stage_zremrangebyrank(uow, key, 0, -(WINDOW_CAP + 1))
            stage_expire(uow, key, self._ttl)
        timer_members = {
            orjson.dumps({"rule": t.rule_id, "account_id": t.first.account_id, "name": t.first.name,
                          "first": t.first.to_member()}, option=orjson.OPT_SORT_KEYS): _ms(t.due)
            for t in timers
        }
        if timer_members:
            uow.zadd(self._ks.timers(), timer_members)
            uow.expire(self._ks.timers(), self._timers_ttl)
        first = len(uow)
        order: list[tuple[str, str]] = []
        for account_id, (names, since) in reads.items():
            for name in sorted(names):
                limit = READ_LIMIT + per_key.get((account_id, name), 0)
                stage_zrevrangebyscore(uow, self._ks.window(account_id, name), "+inf", _ms(since),
                                       start=0, num=limit)
                order.append((account_id, name))

        def read(replies: list[Any]) -> Windows:
            windows: Windows = {}
            for (account_id, name), members in zip(order, replies[first:first + len(order)],
                                                   strict=True):
                windows.setdefault(account_id, {})[name] = [self._signal(account_id, name, m)
                                                            for m in members]
            return windows

        return uow.read(read)

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
