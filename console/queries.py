"""What the console's pages read from the view, always as seen by one :class:`Viewer`.

A reviewer sees the alerts and accounts whose owner e-mail is theirs; an admin
sees all. Every query takes the viewer, so no page can forget to filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from console.schema import alert_updates
from console.store import Viewer, accounts, alerts, digest, feedback, rows
from console.verdicts import precision

UNATTACHED_SCAN = 2000
"""The newest unattached tickets an account page looks through for ones that look like its."""
AGES = {"1d": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}


@dataclass(frozen=True, slots=True)
class InboxFilter:
    scope: str = "mine"                 # mine | team
    priority: str | None = None
    rule: str | None = None
    signal: str | None = None
    age: str | None = None              # 1d | 7d | 30d
    status: str = "open"                # open | decided | all


def _visible(viewer: Viewer, owner: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    return sa.true() if viewer.admin else owner == viewer.email.lower()


def inbox(conn: Connection, viewer: Viewer, f: InboxFilter, now: datetime) -> list[dict[str, Any]]:
    """Newest critical first: by priority, then newest detection."""
    # "team" is everything the viewer may see: for a reviewer that is still their own accounts.
    q = sa.select(alerts).where(_visible(viewer, alerts.c.owner_email))
    if f.scope == "mine":
        q = q.where(alerts.c.owner_email == viewer.email.lower())
    if f.priority:
        q = q.where(alerts.c.priority == f.priority)
    if f.rule:
        q = q.where(alerts.c.rule == f.rule)
    if f.signal:
        q = q.where(alerts.c.signal == f.signal)
    if f.age in AGES:
        q = q.where(alerts.c.detected_at >= _iso(now - AGES[f.age]))
    if f.status == "open":
        q = q.where(alerts.c.status == "staged")
    elif f.status == "decided":
        q = q.where(alerts.c.status != "staged")
    q = q.order_by(alerts.c.priority_rank, alerts.c.detected_at.desc(), alerts.c.alert_id).limit(500)
    return rows(conn.execute(q))


def choices(conn: Connection, viewer: Viewer) -> dict[str, list[str]]:
    """The rules and signals the viewer's alerts have, for the filter menus."""
    visible = _visible(viewer, alerts.c.owner_email)
    return {col: sorted(v for (v,) in conn.execute(sa.select(getattr(alerts.c, col)).where(visible)
                                                    .distinct()) if v)
            for col in ("rule", "signal")}


def alert(conn: Connection, viewer: Viewer, alert_id: str) -> dict[str, Any] | None:
    """The alert, or ``None`` when it does not exist *or* the viewer may not see it (the
    console answers both the same, so ids of other owners' alerts cannot be probed)."""
    row = conn.execute(sa.select(alerts).where(alerts.c.alert_id == alert_id,
                                                _visible(viewer, alerts.c.owner_email))).first()
    return dict(row._mapping) if row else None


def thread(conn: Connection, alert_id: str) -> list[dict[str, Any]]:
    """The alert's updates (new evidence, escalations), oldest first."""
    return rows(conn.execute(sa.select(alert_updates).where(alert_updates.c.alert_id == alert_id)
                             .order_by(alert_updates.c.at, alert_updates.c.update_id)))


def history(conn: Connection, alert_id: str) -> list[dict[str, Any]]:
    return rows(conn.execute(sa.select(feedback).where(feedback.c.alert_id == alert_id)
                             .order_by(feedback.c.partition, feedback.c.offset)))


def account(conn: Connection, viewer: Viewer, account_id: str) -> dict[str, Any] | None:
    """The account with its alerts and digest records, if the viewer may see it."""
    info = conn.execute(sa.select(accounts).where(accounts.c.account_id == account_id)).first()
    owner = info.owner_email if info else None
    if not viewer.admin and owner != viewer.email.lower():
        return None
    if info is None and not conn.execute(sa.select(digest.c.id).where(
            digest.c.account_id == account_id).limit(1)).first():
        return None
    records = rows(conn.execute(sa.select(digest).where(digest.c.account_id == account_id)
                                .order_by(digest.c.at.desc()).limit(300)))
    contacts = set(info.contacts or []) if info else set()
    domains = set(info.domains or []) if info else set()
    lookalikes = [r for r in rows(conn.execute(
        sa.select(digest).where(digest.c.kind == "ticket.unattached").order_by(digest.c.at.desc())
        .limit(UNATTACHED_SCAN))) if _looks_like(r["data"].get("requester_email"), contacts, domains)]
    return {
        "account_id": account_id,
        "info": dict(info._mapping) if info else {},
        "alerts": rows(conn.execute(sa.select(alerts).where(alerts.c.account_id == account_id)
                                    .order_by(alerts.c.detected_at.desc()))),
        "held": [r for r in records if r["kind"] in ("suppressed", "deferred")],
        "below_gate": [r for r in records if r["kind"] == "ticket.below_gate"],
        "near_misses": [r for r in records if r["kind"] == "near_miss"],
        "unattached": lookalikes,
    }


def _looks_like(email: object, contacts: set[str], domains: set[str]) -> bool:
    """An unattached ticket from one of the account's contacts or domains: probably its."""
    if not isinstance(email, str) or "@" not in email:
        return False
    email = email.strip().lower()
    return email in contacts or email.rsplit("@", 1)[1] in domains


def unattached(conn: Connection, viewer: Viewer, limit: int = 200) -> list[dict[str, Any]]:
    """Records that reached no account: only an admin may see them (nobody owns them)."""
    if not viewer.admin:
        return []
    return rows(conn.execute(sa.select(digest).where(digest.c.kind.like("%unattached"))
                             .order_by(digest.c.at.desc()).limit(limit)))


def rules(conn: Connection, viewer: Viewer) -> list[dict[str, Any]]:
    """Per rule: alerts, each status's count, and precision so far, counted as
    ``cuewire report`` counts it (see console.verdicts)."""
    visible = _visible(viewer, alerts.c.owner_email)
    q = (sa.select(alerts.c.rule, alerts.c.status, alerts.c.judged, alerts.c.false_signal,
                   sa.func.count().label("n"))
         .where(visible).group_by(alerts.c.rule, alerts.c.status, alerts.c.judged, alerts.c.false_signal))
    table: dict[str, dict[str, Any]] = {}
    for rule, status, judged, false_signal, n in conn.execute(q):
        entry = table.setdefault(rule, {"rule": rule, "alerts": 0, "staged": 0, "approved": 0, "sent": 0,
                                        "dismissed": 0, "snoozed": 0, "useful": 0, "not_useful": 0,
                                        "false_signal": 0})
        entry["alerts"] += n
        entry[status] = entry.get(status, 0) + n
        if judged in ("useful", "not_useful"):
            entry[judged] += n
        if false_signal:
            entry["false_signal"] += n
    for entry in table.values():
        entry["precision"] = precision(entry["useful"], entry["not_useful"])
    return sorted(table.values(), key=lambda e: e["rule"])


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
