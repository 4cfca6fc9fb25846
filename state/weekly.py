"""The weekly digest's state in Redis: near misses per owner and ISO week, until published.

* ``digest:week:<owner#>:<week>`` — sorted set of the owner-week's near misses
  (member: the near miss's JSON, score: its closeness). ``take`` keeps the
  closest per (account, rule); :meth:`WeeklyDigestStore.record` already keeps
  only the closest per batch, and the set is trimmed to its closest
  ``cap`` members, so it stays bounded however chatty an account is.
  Members are whole near misses rather than one field per (account, rule)
  compared on write, because "keep the greater" would need a read before the
  write (two workers racing could keep the lesser) or a Lua script (which the
  in-process Redis of ``cuewire replay`` does not run); a sorted set of JSON
  is atomic, idempotent on redelivery and order-independent.
* ``digest:weeks`` — sorted set of the owner-weeks holding near misses
  (member: ``[owner, week]`` as JSON, score: the week's end in epoch seconds),
  so ``due_weeks`` finds the weeks that have ended with one range read.
* ``digest:sent:<owner#>:<week>`` — set (``SET NX``) by ``take``: a week is
  taken once, and a late near miss cannot re-open a week that went out.

Owners (often e-mail addresses) are hashed in key names. Weeks are ISO weeks of
the near miss's evidence time in UTC. Every key gets its TTL on every write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, cast

import orjson
import redis

from operators.near_miss import NearMiss
from operators.weekly_digest import iso_week, week_bounds
from state.commands import stage_set
from state.keys import Keyspace, TTLs
from state.unit_of_work import UnitOfWork

UNASSIGNED = "unassigned"
"""The owner near misses of accounts without a CS owner are filed under: seen, not lost."""
CAP = 1000
"""Near misses kept per owner-week (the closest)."""


class WeeklyDigestStore:
    def __init__(self, client: redis.Redis, keyspace: Keyspace, ttls: TTLs, cap: int = CAP) -> None:
        self._r = client
        self._ks = keyspace
        self._ttl = ttls.weekly_digest
        self._sent_ttl = ttls.weekly_digest_sent
        self._cap = cap

    def record(self, near_misses: Iterable[NearMiss], owners: Mapping[str, str | None]) -> None:
        """File each near miss under its account's owner (``owners``: account id → owner
        e-mail or name) and the ISO week of its evidence time, in one round trip."""
        uow = UnitOfWork(self._r)
        if self.stage_record(uow, near_misses, owners):
            uow.send()

    def stage_record(self, uow: UnitOfWork, near_misses: Iterable[NearMiss],
                     owners: Mapping[str, str | None]) -> int:
        """:meth:`record`'s writes, added to ``uow``; returns how many owner-weeks."""
        best: dict[tuple[str, str, str, str], NearMiss] = {}
        for nm in near_misses:
            owner = (owners.get(nm.account_id) or "").strip() or UNASSIGNED
            slot = (owner, iso_week(nm.at), nm.account_id, nm.rule_id)
            if slot not in best or _rank(nm) > _rank(best[slot]):
                best[slot] = nm
        if not best:
            return 0
        weeks: dict[tuple[str, str], dict[bytes, float]] = {}
        for (owner, week, _, _), nm in sorted(best.items()):
            weeks.setdefault((owner, week), {})[_member(nm)] = nm.closeness
        index = self._ks.weekly_digest_index()
        ends: dict[bytes, float] = {}
        for (owner, week), members in weeks.items():
            key = self._ks.weekly_digest(owner, week)
            uow.zadd(key, members)
            uow.zremrangebyrank(key, 0, -(self._cap + 1))  # keep the closest
            uow.expire(key, self._ttl)
            ends[orjson.dumps([owner, week])] = week_bounds(week)[1].timestamp()
        uow.zadd(index, ends)
        # Owner-weeks whose near misses have expired have nothing left to publish.
        uow.zremrangebyscore(index, "-inf", f"({max(ends.values()) - self._ttl}")
        uow.expire(index, self._ttl)
        return len(weeks)

    def due_weeks(self, now: datetime) -> list[tuple[str, str]]:
        """(owner, ISO week) of the weeks that ended by ``now`` and are not yet published,
        oldest week first. ``now`` is the wall clock live, the event-time watermark in a replay."""
        index = self._ks.weekly_digest_index()
        raw = cast(list[bytes], self._r.zrangebyscore(index, "-inf", now.timestamp()))
        if not raw:
            return []
        owner_weeks = [(str(o), str(w)) for o, w in (orjson.loads(m) for m in raw)]
        pipe = self._r.pipeline(transaction=False)
        for owner, week in owner_weeks:
            pipe.exists(self._ks.weekly_digest_sent(owner, week))
        sent = pipe.execute()
        done = [m for m, s in zip(raw, sent, strict=True) if s]
        if done:
            self._r.zrem(index, *done)  # taken, but the index write of a late near miss re-added it
        due = [ow for ow, s in zip(owner_weeks, sent, strict=True) if not s]
        return sorted(due, key=lambda ow: (ow[1], ow[0]))

    def take(self, owner: str, week: str) -> list[dict[str, Any]]:
        """The week's closest near miss per (account, rule), closest first, marking the week
        published: a second take (another worker, a restart) returns ``[]``.

        The mark is set as the near misses are read, in one round trip, so a flow
        that dies before producing the digest loses that week's digest rather
        than sending it twice; the digest's id is deterministic too, so the alert
        ledger would drop a copy either way.
        """
        pipe = self._r.pipeline(transaction=False)
        stage_set(pipe, self._ks.weekly_digest_sent(owner, week), b"1", nx=True, ex=self._sent_ttl)
        pipe.zrange(self._ks.weekly_digest(owner, week), 0, -1)
        pipe.zrem(self._ks.weekly_digest_index(), orjson.dumps([owner, week]))
        won, members, _ = pipe.execute()
        if not won:
            return []
        best: dict[tuple[str, str], NearMiss] = {}
        for member in members:
            nm = NearMiss.from_json(orjson.loads(member))
            key = (nm.account_id, nm.rule_id)
            if key not in best or _rank(nm) > _rank(best[key]):
                best[key] = nm
        ordered = sorted(best.values(), key=lambda nm: (-nm.closeness, nm.account_id, nm.rule_id))
        return [nm.to_json() for nm in ordered]


def _rank(nm: NearMiss) -> tuple[float, datetime, str, tuple[str, ...]]:
    """Closest first; between equals the later, then a fixed order: independent of arrival order."""
    return nm.closeness, nm.at, nm.missing, nm.evidence


def _member(nm: NearMiss) -> bytes:
    return orjson.dumps(nm.to_json(), option=orjson.OPT_SORT_KEYS)
