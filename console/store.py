"""The console's store: a view of the alerts, feedback and digest topics, in SQL.

SQLite by default, PostgreSQL when ``CUEWIRE_CONSOLE_DATABASE_URL`` says so
(SQLAlchemy 2 Core, the same statements on both). Nothing here is the truth:
the topics are. :meth:`ViewStore.apply` takes records in topic order with their
coordinates and stores the next offset of each partition in the same
transaction, so a restarted console resumes where its view ends, and
:meth:`ViewStore.reset` empties it for a rebuild from the beginning.

Times are stored as RFC 3339 UTC text (``2026-11-20T10:15:00Z``): it sorts and
compares the same on both databases.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from console.verdicts import FeedbackRow, settle

TopicKind = Literal["alerts", "feedback", "digest"]
PRIORITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
APPLY_ATTEMPTS = 3

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
        applied = 0
        with self.engine.begin() as conn:
            touched: set[str] = set()
            newest: dict[tuple[str, int], int] = {}
            for rec in records:
                coords = (rec.topic, rec.partition)
                if rec.offset < done.get(coords, 0) or rec.offset < newest.get(coords, 0):
                    continue
                newest[coords] = rec.offset + 1
                if rec.value is None:
                    continue
                if rec.kind == "alerts":
                    touched |= _apply_alert(conn, rec.value)
                elif rec.kind == "feedback":
                    touched |= _apply_feedback(conn, rec)
                else:
                    _apply_digest(conn, rec.value)
                applied += 1
            for alert_id in sorted(touched):
                _settle(conn, alert_id)
            for (topic, partition), nxt in newest.items():
                _set_offset(conn, topic, partition, nxt)
        return applied


def _apply_alert(conn: Connection, event: dict[str, Any]) -> set[str]:
    data = event.get("data")
    if not isinstance(data, dict) or not data.get("alert_id") or not data.get("account_id"):
        return set()
    alert_id = str(data["alert_id"])
    if conn.execute(sa.select(alerts.c.alert_id).where(alerts.c.alert_id == alert_id)).first():
        return set()  # a re-published id: the ledger makes it the same alert
    owner = data.get("owner") or {}
    conn.execute(alerts.insert().values(
        alert_id=alert_id, account_id=str(data["account_id"]), account_name=data.get("account_name"),
        rule=str(data.get("rule") or ""), signal=str(data.get("signal") or ""),
        priority=str(data.get("priority") or "low"),
        priority_rank=PRIORITY_RANK.get(str(data.get("priority")), 3), score=data.get("score"),
        owner_email=_email(owner.get("email")), owner_name=owner.get("name"),
        detected_at=str(data.get("detected_at") or event.get("time") or ""), data=data, status="staged"))
    _remember_account(conn, data)
    return {alert_id}


def _apply_feedback(conn: Connection, rec: TopicRecord) -> set[str]:
    fb = rec.value or {}
    alert_id, decision = fb.get("alert_id"), fb.get("decision")
    if not isinstance(alert_id, str) or not isinstance(decision, str):
        return set()  # the flow dead-letters what it cannot read; the view just skips it
    labels = fb.get("labels") if isinstance(fb.get("labels"), dict) else None
    conn.execute(feedback.insert().values(
        partition=rec.partition, offset=rec.offset, alert_id=alert_id, decision=decision,
        reason=_text(fb.get("reason")), until=_text(fb.get("until")), by=_email(fb.get("by")),
        at=_text(fb.get("at")), labels=labels, message=_text(fb.get("message"))))
    return {alert_id}


def _apply_digest(conn: Connection, event: dict[str, Any]) -> None:
    data = event.get("data")
    kind = str(event.get("type") or "").removeprefix("io.cuewire.digest.")
    if not isinstance(data, dict) or not event.get("id"):
        return
    at = str(event.get("time") or data.get("detected_at") or "")
    rows: list[dict[str, Any]] = []
    if kind == "weekly":
        for i, entry in enumerate(data.get("near_misses") or []):
            if isinstance(entry, dict):
                rows.append({"id": f"{event['id']}:{i}", "account_id": entry.get("account_id"),
                             "kind": "near_miss", "at": at,
                             "data": {**entry, "week": data.get("week"), "owner": data.get("owner")}})
    else:
        evidence = (data.get("evidence") or [{}])[0]
        # When it happened (the evidence), not when the flow noticed: what a person sorts by.
        happened = data.get("at") or (evidence.get("at") if isinstance(evidence, dict) else None)
        rows.append({"id": str(event["id"]), "account_id": data.get("account_id"), "kind": kind,
                     "at": str(happened or at), "data": data})
        held = data.get("alert")
        if isinstance(held, dict):
            _remember_account(conn, held)
    for row in rows:
        if not conn.execute(sa.select(digest.c.id).where(digest.c.id == row["id"])).first():
            conn.execute(digest.insert().values(**row))


def _remember_account(conn: Connection, data: dict[str, Any]) -> None:
    account_id = data.get("account_id")
    if not account_id:
        return
    owner = data.get("owner") or {}
    values = {"name": data.get("account_name"), "owner_email": _email(owner.get("email")),
              "owner_name": owner.get("name"), "mrr": data.get("mrr"),
              "renewal_date": _text(data.get("renewal_date")), "health_score": data.get("health_score")}
    found = conn.execute(sa.update(accounts).where(accounts.c.account_id == account_id).values(**values))
    if found.rowcount == 0:
        conn.execute(accounts.insert().values(account_id=account_id, **values))


def _settle(conn: Connection, alert_id: str) -> None:
    rows = conn.execute(sa.select(feedback).where(feedback.c.alert_id == alert_id)
                        .order_by(feedback.c.partition, feedback.c.offset)).all()
    s = settle([FeedbackRow(r.decision, r.by, r.at, r.reason, r.until) for r in rows])
    conn.execute(sa.update(alerts).where(alerts.c.alert_id == alert_id).values(
        status=s.status, decided_by=s.decided_by, decided_at=s.decided_at, reason=s.reason,
        until=s.until, outcome=s.outcome))


def _set_offset(conn: Connection, topic: str, partition: int, nxt: int) -> None:
    where = sa.and_(offsets.c.topic == topic, offsets.c.partition == partition)
    if conn.execute(sa.update(offsets).where(where).values(next_offset=nxt)).rowcount == 0:
        conn.execute(offsets.insert().values(topic=topic, partition=partition, next_offset=nxt))


def _email(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None


def rows(result: Iterable[sa.Row[Any]]) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result]
