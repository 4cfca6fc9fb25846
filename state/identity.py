"""Identity links and account snapshots: who belongs to which account, and what the CRM says.

Each lookup key keeps its versioned history (``operators/versions.py``) under a
``tbl:`` key, as one JSON array of ``[valid_from_ms, value]`` pairs, so a record
is resolved as the tables were at its own time. One ``MGET`` fetches every key a
batch needs (staged in the batch's unit of work); one script call writes what it taught.
Snapshots are stored as JSON
objects, links as the account id (or, for ``user_email``, the address). Every
key's TTL is renewed with each write (``TTLs.account`` / ``TTLs.identity``).

:class:`TableCache` keeps what ``resolve-accounts`` read and wrote, for the step that
is the tables' one writer (it runs on one worker, ``flows/table_join.py``).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

import orjson
import redis
from redis.commands.core import Script

from operators.versions import Versions, latest
from state.keys import Keyspace, TTLs
from state.scripts import no_scripts
from state.unit_of_work import Reply, UnitOfWork

LookupKey = tuple[str, str]
TABLE_NAMES_KEPT = 65_536
"""Redis key names remembered per store (a few MB at most)."""


class IdentityStore:
    def __init__(self, client: redis.Redis, keyspace: Keyspace, ttls: TTLs) -> None:
        self._r = client
        self._ks = keyspace
        self._ttls = ttls
        # A key's name never changes, and an e-mail's costs a hash: name each once.
        self._table = lru_cache(maxsize=TABLE_NAMES_KEPT)(keyspace.table)
        self._write_tables: Script | None = client.register_script(WRITE_TABLES)

    def fetch_versions(self, keys: Iterable[LookupKey]) -> dict[LookupKey, Versions]:
        """Each key's history (empty when the key was never written or has expired)."""
        uow = UnitOfWork(self._r)
        versions = self.stage_fetch_versions(uow, keys)
        uow.send()
        return versions.value

    def stage_fetch_versions(self, uow: UnitOfWork, keys: Iterable[LookupKey]
                             ) -> Reply[dict[LookupKey, Versions]]:
        """:meth:`fetch_versions`'s read, added to a batch's unit of work."""
        wanted = list(keys)
        if not wanted:
            return Reply.of({})
        at = len(uow)
        table = self._table
        uow.mget([table(k) for k in wanted])

        def read(replies: list[Any]) -> dict[LookupKey, Versions]:
            return {k: _decode(v) for k, v in zip(wanted, replies[at], strict=True)}

        return uow.read(read)

    def fetch(self, keys: Iterable[LookupKey]) -> dict[LookupKey, Any | None]:
        """Each key's newest value, for readers not tied to a record's time."""
        return {k: latest(v) for k, v in self.fetch_versions(keys).items()}

    def write(self, writes: Mapping[LookupKey, Versions]) -> None:
        """Store each key's whole new history: one ``EVALSHA`` of :data:`WRITE_TABLES` for
        the batch (one command to pack and one reply to parse, not one per key), or, where
        the server runs no scripts (fakeredis without ``lupa``, an ACL without
        ``@scripting``), one ``SET … EX`` per key in a pipeline."""
        if not writes:
            return
        table, ttl = self._table, self._ttls.for_lookup
        names = [table(key) for key in writes]
        values = [orjson.dumps(versions) for versions in writes.values()]
        ttls = [ttl(key[0]) for key in writes]
        if self._write_tables is not None:
            try:
                self._write_tables(keys=names, args=[*values, *ttls])
                return
            except redis.ResponseError as exc:
                if not no_scripts(exc):
                    raise
                self._write_tables = None  # and write them as plain commands, below
        pipe = self._r.pipeline(transaction=False)
        # Staged as the bare command: ``pipe.set``'s option checks cost more than the write.
        stage = pipe.pipeline_execute_command
        for name, value, seconds in zip(names, values, ttls, strict=True):
            stage("SET", name, value, "EX", seconds)
        pipe.execute()


WRITE_TABLES = """
local n = #KEYS
for i = 1, n do
  redis.call('SET', KEYS[i], ARGV[i], 'EX', ARGV[n + i])
end
return n
"""
"""``SET key value EX ttl`` for each key: values in ``ARGV[1..n]``, TTLs in ``ARGV[n+1..2n]``."""


class TableCache:
    """Each key's history as this process last read or wrote it, in front of an
    :class:`IdentityStore`, for the one step that writes the tables.

    ``resolve-accounts`` asks for the same accounts, users and e-mails batch after batch;
    what it wrote itself is what Redis holds, so only keys it has not seen (or not for
    ``max_age_s``: a key may expire, or be edited by hand) go to Redis. Bounded: the
    least recently used keys are dropped past ``max_keys``. Every write goes through
    :meth:`write`, so the cache never holds what Redis does not.
    """

    def __init__(self, store: IdentityStore, *, max_keys: int = 200_000, max_age_s: float = 300.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._max_keys = max_keys
        self._max_age_s = max_age_s
        self._monotonic = monotonic
        self._kept: OrderedDict[LookupKey, tuple[Versions, float]] = OrderedDict()

    def fetch_versions(self, keys: Iterable[LookupKey]) -> dict[LookupKey, Versions]:
        """As :meth:`IdentityStore.fetch_versions`; one ``MGET`` for the keys not kept."""
        now = self._monotonic()
        oldest = now - self._max_age_s
        kept, found, wanted = self._kept, {}, []
        for key in keys:
            entry = kept.get(key)
            if entry is not None and entry[1] >= oldest:
                kept.move_to_end(key)
                found[key] = entry[0]
            else:
                wanted.append(key)
        if wanted:
            fetched = self._store.fetch_versions(wanted)
            self._keep(fetched, now)
            found.update(fetched)
        return found

    def write(self, writes: Mapping[LookupKey, Versions]) -> None:
        """As :meth:`IdentityStore.write`, and keep what was written once Redis has it."""
        if not writes:
            return
        try:
            self._store.write(writes)
        except BaseException:
            for key in writes:  # whether Redis took them is unknown: ask it next time
                self._kept.pop(key, None)
            raise
        self._keep(writes, self._monotonic())

    def _keep(self, entries: Mapping[LookupKey, Versions], now: float) -> None:
        kept = self._kept
        for key, versions in entries.items():
            kept[key] = (versions, now)
            kept.move_to_end(key)
        while len(kept) > self._max_keys:
            kept.popitem(last=False)


def _decode(raw: bytes | None) -> Versions:
    if raw is None:
        return ()
    return tuple((int(t), value) for t, value in orjson.loads(raw))
