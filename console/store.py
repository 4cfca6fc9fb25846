"""The console's store: a view of the alerts, feedback, digest and accounts topics, in SQL.

SQLite by default, PostgreSQL when ``CUEWIRE_CONSOLE_DATABASE_URL`` says so
(SQLAlchemy 2 Core, the same statements on both; the tables are in
:mod:`console.schema`). Nothing here is the truth: the topics are.
:meth:`ViewStore.apply` takes records in topic order with their coordinates and
stores the next offset of each partition in the same transaction, so a
restarted console resumes where its view ends, and :meth:`ViewStore.reset`
empties it for a rebuild from the beginning.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from console.schema import (
    TopicKind,
    TopicRecord,
    Viewer,
    accounts,
    alerts,
    connect,
    digest,
    feedback,
    metadata,
    offsets,
    rows,
)
from console.view_batch import Batch

__all__ = [
    "TopicKind",
    "TopicRecord",
    "ViewStore",
    "Viewer",
    "accounts",
    "alerts",
    "connect",
    "digest",
    "feedback",
    "rows",
]
APPLY_ATTEMPTS = 3


class ViewStore:
    """Writes the view from topic records; the queries live in :mod:`console.queries`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def next_offsets(self) -> dict[tuple[str, int], int]:
        with self.engine.connect() as conn:
            return {(r.topic, r.partition): r.next_offset for r in conn.execute(sa.select(offsets))}

    def reset(self) -> None:
        """Empty the view; the follower then reads every topic from its beginning."""
        with self.engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())

    def apply(self, records: Sequence[TopicRecord]) -> int:
        """Add records (in topic order) to the view; a record already applied changes nothing.

        Two consoles may share one database: when the other applied the same records
        first, the transaction fails on a key and is tried again past them.
        """
        for attempt in range(APPLY_ATTEMPTS):
            try:
                return self._apply(records)
            except sa.exc.IntegrityError:
                if attempt == APPLY_ATTEMPTS - 1:
                    raise
        return 0

    def _apply(self, records: Sequence[TopicRecord]) -> int:
        if not records:
            return 0
        done = self.next_offsets()
        batch = Batch()
        newest: dict[tuple[str, int], int] = {}
        for rec in records:
            coords = (rec.topic, rec.partition)
            if rec.offset < done.get(coords, 0) or rec.offset < newest.get(coords, 0):
                continue
            newest[coords] = rec.offset + 1
            if rec.value is not None:
                batch.add(rec)
        with self.engine.begin() as conn:
            batch.write(conn)
            for (topic, partition), nxt in newest.items():
                _set_offset(conn, topic, partition, nxt, known=(topic, partition) in done)
        return batch.applied


def _set_offset(conn: Connection, topic: str, partition: int, nxt: int, *, known: bool) -> None:
    where = sa.and_(offsets.c.topic == topic, offsets.c.partition == partition)
    if not known or conn.execute(sa.update(offsets).where(where).values(next_offset=nxt)).rowcount == 0:
        conn.execute(offsets.insert().values(topic=topic, partition=partition, next_offset=nxt))
