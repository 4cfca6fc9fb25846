"""The console's tables, and who is looking: the shape of the view, on SQLite or PostgreSQL.

Times are stored as RFC 3339 UTC text (``2026-11-20T10:15:00Z``): it sorts and
compares the same on both databases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Engine

TopicKind = Literal["alerts", "feedback", "digest", "accounts"]
UPDATED_TYPE = "io.cuewire.alert.updated"
PRIORITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}

metadata = sa.MetaData()
alerts = sa.Table(
    "alerts", metadata,
    sa.Column("alert_id", sa.String(200), primary_key=True),
    sa.Column("account_id", sa.String(200), nullable=False, index=True),
    sa.Column("account_name", sa.String(400)),
    sa.Column("rule", sa.String(200), nullable=False, index=True),
    sa.Column("signal", sa.String(100), nullable=False),
    sa.Column("priority", sa.String(20), nullable=False),
    sa.Column("priority_rank", sa.Integer, nullable=False),
    sa.Column("score", sa.Integer),
    sa.Column("owner_email", sa.String(320), index=True),
    sa.Column("owner_name", sa.String(400)),
    sa.Column("detected_at", sa.String(40), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, default="staged"),
    sa.Column("decided_by", sa.String(320)),
    sa.Column("decided_at", sa.String(40)),
    sa.Column("reason", sa.String(40)),
    sa.Column("until", sa.String(40)),
    sa.Column("outcome", sa.String(20)),
    sa.Column("judged", sa.String(20)),
    sa.Column("false_signal", sa.Boolean, default=False),
)
alert_updates = sa.Table(
    # io.cuewire.alert.updated: new evidence for an open alert, or its escalation, in its thread.
    "alert_updates", metadata,
    sa.Column("update_id", sa.String(200), primary_key=True),
    sa.Column("alert_id", sa.String(200), nullable=False, index=True),
    sa.Column("change", sa.String(20), nullable=False),
    sa.Column("priority", sa.String(20), nullable=False),
    sa.Column("previous_priority", sa.String(20)),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
)
feedback = sa.Table(
    "feedback", metadata,
    sa.Column("partition", sa.Integer, primary_key=True),
    sa.Column("offset", sa.BigInteger, primary_key=True),
    sa.Column("alert_id", sa.String(200), nullable=False, index=True),
    sa.Column("decision", sa.String(20), nullable=False),
    sa.Column("reason", sa.String(40)),
    sa.Column("until", sa.String(40)),
    sa.Column("by", sa.String(320)),
    sa.Column("at", sa.String(40)),
    sa.Column("labels", sa.JSON),
    sa.Column("message", sa.Text),
)
digest = sa.Table(
    "digest", metadata,
    sa.Column("id", sa.String(240), primary_key=True),
    sa.Column("account_id", sa.String(200), index=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
)
accounts = sa.Table(
    "accounts", metadata,
    sa.Column("account_id", sa.String(200), primary_key=True),
    sa.Column("name", sa.String(400)),
    sa.Column("owner_email", sa.String(320), index=True),
    sa.Column("owner_name", sa.String(400)),
    sa.Column("mrr", sa.Float),
    sa.Column("renewal_date", sa.String(20)),
    sa.Column("health_score", sa.Float),
    sa.Column("domains", sa.JSON),
    sa.Column("contacts", sa.JSON),
)
offsets = sa.Table(
    "topic_offsets", metadata,
    sa.Column("topic", sa.String(250), primary_key=True),
    sa.Column("partition", sa.Integer, primary_key=True),
    sa.Column("next_offset", sa.BigInteger, nullable=False),
)


@dataclass(frozen=True, slots=True)
class TopicRecord:
    """One record read from a topic, decoded, with its coordinates."""

    kind: TopicKind
    topic: str
    partition: int
    offset: int
    value: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking: a reviewer sees the accounts they own; an admin sees everything."""

    email: str
    name: str | None = None
    admin: bool = False


def connect(url: str) -> Engine:
    """An engine for ``url`` with the schema in place."""
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = sa.create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        @sa.event.listens_for(engine, "connect")
        def _wal(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
    metadata.create_all(engine)
    return engine


def rows(result: Iterable[sa.Row[Any]]) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result]
