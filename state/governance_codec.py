"""How governance state is kept in Redis: each value as plain JSON, and back.

A member written before a field existed reads with that field empty (a cooldown
entry kept before alert threads has no priority and no update).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from operators.govern import CooldownEntry, Snooze, ThreadUpdate, TicketSpan


def cooldown_member(entry: CooldownEntry) -> bytes:
    member: dict[str, Any] = {"alert_id": entry.alert_id, "since": utc_text(entry.since),
                              "until": utc_text(entry.until)}
    if entry.priority is not None:
        member["priority"] = entry.priority
    if (u := entry.update) is not None:
        member["update"] = {"thread_id": u.thread_id, "change": u.change, "priority": u.priority,
                            "previous_priority": u.previous_priority, "opened_at": utc_text(u.opened_at),
                            "open_until": utc_text(u.open_until)}
    return orjson.dumps(member, option=orjson.OPT_SORT_KEYS)


def cooldown_entry(member: bytes) -> CooldownEntry:
    """An entry as :func:`cooldown_member` kept it; one kept before threads has no priority."""
    data = orjson.loads(member)
    raw = data.get("update")
    update = None if raw is None else ThreadUpdate(
        str(raw["thread_id"]), raw["change"], raw["priority"], raw.get("previous_priority"),
        utc_time(raw["opened_at"]), utc_time(raw["open_until"]))
    return CooldownEntry(data["alert_id"], utc_time(data["since"]), utc_time(data["until"]),
                         data.get("priority"), update)


def snooze_member(snooze: Snooze) -> bytes:
    body: dict[str, object] = {"alert_id": snooze.alert_id, "until": utc_text(snooze.until), "by": snooze.by}
    if snooze.closes_thread:  # a dismissal (a snooze kept before dismissals has no such field)
        body["closes_thread"] = True
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def snooze_from(member: bytes) -> Snooze:
    data = orjson.loads(member)
    return Snooze(data["alert_id"], utc_time(data["until"]), data.get("by"), bool(data.get("closes_thread")))


def alert_member(account_id: str, rule_id: str) -> bytes:
    return orjson.dumps([account_id, rule_id])


def alert_key(raw: bytes | str) -> tuple[str, str]:
    account_id, rule_id = orjson.loads(raw)
    return str(account_id), str(rule_id)


def ticket_spans(fields: dict[bytes, bytes]) -> tuple[TicketSpan, ...]:
    opened: dict[str, datetime] = {}
    closed: dict[str, datetime] = {}
    for name, value in fields.items():
        kind, _, ticket_id = name.decode().partition(":")
        (opened if kind == "o" else closed)[ticket_id] = utc_time(value.decode())
    return tuple(TicketSpan(t, opened.get(t), closed.get(t)) for t in sorted(opened.keys() | closed.keys()))


def utc_text(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def utc_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def text_of(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def time_of(raw: bytes | None) -> datetime | None:
    return utc_time(raw.decode()) if raw is not None else None

