"""How far event time has got on each input partition, kept so a resumed run goes on from there.

One sorted set, ``event-time``: member ``<topic>\\x1f<partition>``, score the
newest event time (ms) read from it. Scores only move forward (``ZADD GT``),
whichever process writes. A run resuming from its recovery store starts its
event clock here, so timers and weekly digests due by the event time the last
run reached still fire, instead of waiting for records that were already read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import cast

import redis

from state.keys import Keyspace, TTLs
from state.unit_of_work import UnitOfWork

_SEP = "\x1f"


class EventTimeStore:
    def __init__(self, client: redis.Redis, keyspace: Keyspace, ttls: TTLs) -> None:
        self._r = client
        self._key = f"{keyspace.prefix}event-time"
        self._ttl = ttls.timers

    def stage_save(self, uow: UnitOfWork, newest: Mapping[tuple[str, int], datetime]) -> int:
        """Keep each partition's newest event time, in ``uow``."""
        if not newest:
            return 0
        uow.zadd(self._key, {f"{topic}{_SEP}{partition}": at.timestamp() * 1000
                              for (topic, partition), at in newest.items()}, gt=True)
        uow.expire(self._key, self._ttl)
        return 1

    def save(self, newest: Mapping[tuple[str, int], datetime]) -> None:
        """Keep each partition's newest event time now, in one round trip."""
        uow = UnitOfWork(self._r)
        self.stage_save(uow, newest)
        uow.send()

    def load(self) -> dict[tuple[str, int], datetime]:
        found: dict[tuple[str, int], datetime] = {}
        members = cast(list[tuple[bytes, float]], self._r.zrange(self._key, 0, -1, withscores=True))
        for member, score in members:
            name = member.decode() if isinstance(member, bytes) else str(member)
            topic, _, partition = name.rpartition(_SEP)
            found[(topic, int(partition))] = datetime.fromtimestamp(score / 1000, UTC)
        return found
