"""Identity links and account snapshots: who belongs to which account, and what the CRM says.

One ``MGET`` fetches every key a batch needs; one pipeline writes what it
taught. Snapshots are stored as JSON; links as the account id (or, for
``user_email``, the address).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import orjson
import redis
from redis.client import Pipeline

from state.keys import Keyspace, TTLs

LookupKey = tuple[str, str]


class IdentityStore:
    def __init__(self, client: redis.Redis, keyspace: Keyspace, ttls: TTLs) -> None:
        self._r = client
        self._ks = keyspace
        self._ttls = ttls

    def fetch(self, keys: Iterable[LookupKey]) -> dict[LookupKey, Any | None]:
        pipe = self._r.pipeline(transaction=False)
        read = self.stage_fetch(pipe, keys)
        return read(pipe.execute()) if len(pipe) else {}

    def stage_fetch(self, pipe: Pipeline, keys: Iterable[LookupKey]
                    ) -> Callable[[list[Any]], dict[LookupKey, Any | None]]:
        """:meth:`fetch`'s read, added to ``pipe``; returns the reader of its reply."""
        wanted = list(keys)
        if not wanted:
            return lambda _replies: {}
        at = len(pipe)
        pipe.mget([self._ks.lookup(k) for k in wanted])

        def read(replies: list[Any]) -> dict[LookupKey, Any | None]:
            return {k: self._decode(k, v) for k, v in zip(wanted, replies[at], strict=True)}

        return read

    def write(self, writes: Mapping[LookupKey, Any | None]) -> None:
        if not writes:
            return
        pipe = self._r.pipeline(transaction=False)
        for key, value in writes.items():
            name = self._ks.lookup(key)
            if value is None:
                pipe.delete(name)
            else:
                data = orjson.dumps(value) if key[0] == "account" else str(value)
                pipe.set(name, data, ex=self._ttls.for_lookup(key[0]))
        pipe.execute()

    @staticmethod
    def _decode(key: LookupKey, raw: bytes | None) -> Any | None:
        if raw is None:
            return None
        if key[0] == "account":
            return orjson.loads(raw)
        return raw.decode("utf-8")
