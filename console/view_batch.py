"""One transaction's worth of the console's view: topic records turned into rows.

Alerts, their updates (``io.cuewire.alert.updated``, filed under the alert they
update), feedback (each alert's status recomputed from all of it), digest
entries and what records say of accounts; :class:`console.store.ViewStore`
writes a :class:`Batch` with the offsets it covers, in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from console.schema import (
    PRIORITY_RANK,
    UPDATED_TYPE,
    TopicRecord,
    accounts,
    alert_updates,
    alerts,
    digest,
    feedback,
)
from console.verdicts import FeedbackRow, settle


class Batch:
    """One transaction's rows, written with one statement per table (executemany):
    building a statement per record costs more than the database does."""

    def __init__(self) -> None:
        self.alerts: dict[str, dict[str, Any]] = {}
        self.updates: dict[str, dict[str, Any]] = {}
        self.feedback: list[dict[str, Any]] = []
        self.digest: dict[str, dict[str, Any]] = {}
        self.accounts: dict[str, dict[str, Any]] = {}
        self.touched: set[str] = set()
        self.applied = 0

    def add(self, rec: TopicRecord) -> None:
        value = rec.value or {}
        if rec.kind == "alerts":
            self._alert(value)
        elif rec.kind == "accounts":
            self._snapshot(value)
        elif rec.kind == "feedback":
            self._feedback(rec.partition, rec.offset, value)
        else:
            self._digest(value)
        self.applied += 1

    def _alert(self, event: dict[str, Any]) -> None:
        data = event.get("data")
        if not isinstance(data, dict) or not data.get("alert_id") or not data.get("account_id"):
            return
        alert_id = str(data["alert_id"])
        if event.get("type") == UPDATED_TYPE:
            self._update(alert_id, event, data)
            return
        owner = data.get("owner") or {}
        # A re-published id is the same alert (the ledger made it so): the first one stays.
        self.alerts.setdefault(alert_id, {
            "alert_id": alert_id, "account_id": str(data["account_id"]),
            "account_name": data.get("account_name"), "rule": str(data.get("rule") or ""),
            "signal": str(data.get("signal") or ""), "priority": str(data.get("priority") or "low"),
            "priority_rank": PRIORITY_RANK.get(str(data.get("priority")), 3), "score": data.get("score"),
            "owner_email": _email(owner.get("email")), "owner_name": owner.get("name"),
            "detected_at": str(data.get("detected_at") or event.get("time") or ""), "data": data,
            "status": "staged"})
        self.touched.add(alert_id)
        self._account(data)

    def _update(self, alert_id: str, event: dict[str, Any], data: dict[str, Any]) -> None:
        """An update of an open alert joins its thread (``data.alert_id``), never the inbox
        as an alert of its own; an escalation raises the thread's priority."""
        update_id = str(data.get("update_id") or event.get("id") or "")
        if not update_id:
            return
        self.updates.setdefault(update_id, {
            "update_id": update_id, "alert_id": alert_id,
            "change": str(data.get("change") or "new_evidence"),
            "priority": str(data.get("priority") or "low"),
            "previous_priority": data.get("previous_priority"),
            "at": str(data.get("detected_at") or event.get("time") or ""), "data": data})

    def _feedback(self, partition: int, offset: int, fb: dict[str, Any]) -> None:
        alert_id, decision = fb.get("alert_id"), fb.get("decision")
        if not isinstance(alert_id, str) or not isinstance(decision, str):
            return  # the flow dead-letters what it cannot read; the view just skips it
        labels = fb.get("labels") if isinstance(fb.get("labels"), dict) else None
        self.feedback.append({
            "partition": partition, "offset": offset, "alert_id": alert_id, "decision": decision,
            "reason": _text(fb.get("reason")), "until": _text(fb.get("until")), "by": _email(fb.get("by")),
            "at": _text(fb.get("at")), "labels": labels, "message": _text(fb.get("message"))})
        self.touched.add(alert_id)

    def _digest(self, event: dict[str, Any]) -> None:
        data = event.get("data")
        kind = str(event.get("type") or "").removeprefix("io.cuewire.digest.")
        if not isinstance(data, dict) or not event.get("id"):
            return
        at = str(event.get("time") or data.get("detected_at") or "")
        if kind == "weekly":
            for i, entry in enumerate(data.get("near_misses") or []):
                if isinstance(entry, dict):
                    row_id = f"{event['id']}:{i}"
                    self.digest.setdefault(row_id, {
                        "id": row_id, "account_id": entry.get("account_id"), "kind": "near_miss", "at": at,
                        "data": {**entry, "week": data.get("week"), "owner": data.get("owner")}})
            return
        evidence = (data.get("evidence") or [{}])[0]
        # When it happened (the evidence), not when the flow noticed: what a person sorts by.
        happened = data.get("at") or (evidence.get("at") if isinstance(evidence, dict) else None)
        self.digest.setdefault(str(event["id"]), {
            "id": str(event["id"]), "account_id": data.get("account_id"), "kind": kind,
            "at": str(happened or at), "data": data})
        held = data.get("alert")
        if isinstance(held, dict):
            self._account(held)

    def _account(self, data: dict[str, Any]) -> None:
        """What an alert (or a held-back one) says of its account."""
        owner = data.get("owner") or {}
        self._merge(data.get("account_id"), {
            "name": data.get("account_name"), "owner_email": _email(owner.get("email")),
            "owner_name": owner.get("name"), "mrr": data.get("mrr"),
            "renewal_date": _text(data.get("renewal_date")), "health_score": data.get("health_score")})

    def _snapshot(self, snapshot: dict[str, Any]) -> None:
        """A CRM snapshot from the accounts topic: it also knows the owner of an account
        that never alerted, and its domains and contacts (for look-alike unattached tickets)."""
        found = snapshot.get("cs_owner")
        owner: dict[str, Any] = found if isinstance(found, dict) else {}
        self._merge(snapshot.get("account_id"), {
            "name": snapshot.get("name"), "owner_email": _email(owner.get("email")),
            "owner_name": owner.get("name"), "mrr": snapshot.get("mrr"),
            "renewal_date": _text(snapshot.get("renewal_date")),
            "health_score": snapshot.get("health_score"),
            "domains": _strings(snapshot.get("domains")), "contacts": _strings(snapshot.get("contacts"))})

    def _merge(self, account_id: Any, fields: dict[str, Any]) -> None:
        # Only what a record says: an alert without a renewal date does not erase it.
        if account_id:
            entry = self.accounts.setdefault(str(account_id), {})
            entry.update({k: v for k, v in fields.items() if v is not None})

    def write(self, conn: Connection) -> None:
        if self.alerts:
            have = _existing(conn, alerts.c.alert_id, self.alerts)
            _insert(conn, alerts, [r for k, r in self.alerts.items() if k not in have])
        if self.updates:
            have = _existing(conn, alert_updates.c.update_id, self.updates)
            fresh = [r for k, r in self.updates.items() if k not in have]
            _insert(conn, alert_updates, fresh)
            _escalate(conn, fresh)
        _insert(conn, feedback, self.feedback)
        if self.digest:
            have = _existing(conn, digest.c.id, self.digest)
            _insert(conn, digest, [r for k, r in self.digest.items() if k not in have])
        if self.accounts:
            have = _existing(conn, accounts.c.account_id, self.accounts)
            _insert(conn, accounts, [{"account_id": k, **{c: r.get(c) for c in ACCOUNT_FIELDS}}
                                     for k, r in self.accounts.items() if k not in have])
            # One executemany per set of fields said; bound names must differ from the columns'.
            by_fields: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for k, r in self.accounts.items():
                if k in have and r:
                    by_fields.setdefault(tuple(sorted(r)), []).append(
                        {"key": k, **{f"v_{c}": v for c, v in r.items()}})
            for fields, changed in by_fields.items():
                conn.execute(sa.update(accounts).where(accounts.c.account_id == sa.bindparam("key"))
                             .values({c: sa.bindparam(f"v_{c}") for c in fields}), changed)
        if self.touched:
            _settle(conn, sorted(self.touched))


def _escalate(conn: Connection, updates: Sequence[dict[str, Any]]) -> None:
    """Each thread takes the highest priority its updates reached (the inbox sorts by it)."""
    for u in updates:
        rank = PRIORITY_RANK.get(u["priority"], 3)
        conn.execute(sa.update(alerts)
                     .where(alerts.c.alert_id == u["alert_id"], alerts.c.priority_rank > rank)
                     .values(priority=u["priority"], priority_rank=rank))


def _existing(conn: Connection, column: sa.Column[Any], keys: Iterable[str]) -> set[str]:
    found: set[str] = set()
    wanted = list(keys)
    for i in range(0, len(wanted), 500):
        found |= {k for (k,) in conn.execute(sa.select(column).where(column.in_(wanted[i:i + 500])))}
    return found


def _insert(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(table.insert(), rows)


SETTLED = ("status", "decided_by", "decided_at", "reason", "until", "outcome", "judged", "false_signal")
ACCOUNT_FIELDS = ("name", "owner_email", "owner_name", "mrr", "renewal_date", "health_score", "domains",
                  "contacts")


def _settle(conn: Connection, alert_ids: Sequence[str]) -> None:
    """Recompute each alert's status from all its feedback, in topic order."""
    history: dict[str, list[FeedbackRow]] = {a: [] for a in alert_ids}
    for i in range(0, len(alert_ids), 500):
        chunk = alert_ids[i:i + 500]
        for r in conn.execute(sa.select(feedback).where(feedback.c.alert_id.in_(chunk))
                              .order_by(feedback.c.alert_id, feedback.c.partition, feedback.c.offset)):
            history[r.alert_id].append(FeedbackRow(r.decision, r.by, r.at, r.reason, r.until))
    updates = []
    for alert_id, rows_ in history.items():
        s = settle(rows_)
        updates.append({"key": alert_id, **{f"v_{c}": getattr(s, c) for c in SETTLED}})
    conn.execute(sa.update(alerts).where(alerts.c.alert_id == sa.bindparam("key"))
                 .values({c: sa.bindparam(f"v_{c}") for c in SETTLED}), updates)


def _email(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def _strings(value: Any) -> list[str] | None:
    return [str(v).strip().lower() for v in value if v] if isinstance(value, list) else None


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None
