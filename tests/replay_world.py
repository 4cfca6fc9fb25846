"""Constructed inputs for whole-flow replays: accounts, tickets and events on an hour grid,
run through ``cuewire replay`` (in-process Redis) and read back per topic.

The records are the wire forms of CONTRACTS.md, so the tests that use this survive any
reshaping of the flow's insides: they see only what the flow publishes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import yaml

from config.settings import Settings
from cuewire.app import replay as run_replay

D0 = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
"""Midnight UTC on a Monday: ``at(1, 10)`` is Tuesday 10:00, inside working hours."""
FURIOUS = ("Nothing has worked for three days, our orders are stuck, we are losing money and "
           "support ignores us. I am furious.")
"""Scores 97 with the seeded model: frustrated (65), and past the gate's score alone (80). A
shout with nothing named as broken ("useless!!!") reads as loud but minor, as the corpus labels it."""
CALM = "How do I invite a colleague?"

Line = dict[str, Any]


def at(day: float, hour: float = 0) -> str:
    return (D0 + timedelta(days=day, hours=hour)).isoformat().replace("+00:00", "Z")


def account(account_id: str, mrr: float = 200, **extra: Any) -> Line:
    body = {"account_id": account_id, "name": account_id.title(), "mrr": mrr,
            "renewal_date": "2027-09-01", "contacts": [f"pat@{account_id}.test"],
            "cs_owner": {"name": "Riley Chen", "email": "riley@vendor.test"},
            "consent": {"email": True}, **extra}
    return {"topic": "accounts", "key": account_id, "value": body}


def track(account_id: str, name: str, day: float, hour: float = 0) -> Line:
    msg_id = f"{account_id}-{name}-{day}-{hour}".replace(" ", "_")
    return {"topic": "events", "value": {
        "type": "track", "event": name, "userId": f"u-{account_id}", "messageId": msg_id,
        "timestamp": at(day, hour), "context": {"groupId": account_id}, "properties": {}}}


def ticket(account_id: str, n: int, day: float, hour: float, body: str, status: str | None = None) -> Line:
    value: dict[str, Any] = {"source": "generic", "ticket_id": f"{account_id}-{n}",
                             "requester_email": f"pat@{account_id}.test", "subject": "Everything is broken",
                             "body": body, "created_at": at(day, hour)}
    if status:
        value["status"] = status
    return {"topic": "tickets", "value": value}


def zendesk(org: str, ticket_id: str, day: float, hour: float, *, body: str = "",
            status: str = "NEW") -> Line:
    """A Zendesk event webhook: ``ticket.created`` with ``body``, else ``ticket.status_changed``
    to ``status`` (no text: the ticket-status signal is all it raises)."""
    created = bool(body)
    when = at(day, hour)
    return {"topic": "tickets", "value": {
        "account_id": 31852207, "id": f"{ticket_id}-{when}-{status}", "subject": f"zen:ticket:{ticket_id}",
        "time": when, "zendesk_event_version": "2022-11-06",
        "type": "zen:event-type:ticket.created" if created else "zen:event-type:ticket.status_changed",
        "event": {} if created else {"current": status, "previous": "OPEN"},
        "detail": {"id": ticket_id, "organization_id": org, "requester_id": "9120573348113",
                   "subject": "Everything is broken" if created else "", "description": body or "-",
                   "status": status, "created_at": when, "updated_at": when, "is_public": True,
                   "priority": "URGENT", "type": "INCIDENT", "via": {"channel": "web"}}}}


def feedback(**value: Any) -> Line:
    return {"topic": "feedback", "value": value}


def rules_file(path: Path, rules: Sequence[dict[str, Any]], events: dict[str, list[str]],
               **governance: Any) -> Path:
    path.write_text(yaml.safe_dump({
        "version": 1, "governance": governance,
        "signals": {"events": [{"signal": s, "events": names} for s, names in events.items()]},
        "rules": [{"recommended_action": "Call", "message": "Hi {first_name}", **r} for r in rules]}))
    return path


Published = list[tuple[str, dict[str, Any]]]
"""(output kind, record) in publication order: ``alerts``, ``digest`` or ``dlq``."""


def replay(tmp: Path, lines: Sequence[Line], rules: Path | None = None) -> Published:
    """Everything the flow publishes for ``lines``, the clock pinned a day before the first
    record (as ``cuewire backtest`` does), so governance runs on event time alone."""
    history = tmp / "history.jsonl"
    history.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    out: Published = []
    settings = Settings().model_copy(update={"rules": rules}) if rules else Settings()
    run_replay(settings, history, lambda batch: out.extend((o.kind, orjson.loads(o.value)) for o in batch),
               clock=lambda: D0 - timedelta(days=1))
    return out


def padding(n: int = 600) -> list[Line]:
    """Snapshots of accounts nobody mentions: enough lines that what follows is read in a
    later batch than what came before (the replay reads 500 lines at a time)."""
    return [account(f"pad_{i}") for i in range(n)]


def alerts(out: Published, account_id: str, rule: str | None = None) -> list[dict[str, Any]]:
    """The ``data`` of the alerts published for one account (and rule), in order; every
    record of an alert's type must be on the alerts topic."""
    found = []
    for kind, e in out:
        if e["type"].startswith("io.cuewire.alert.") and e["data"]["account_id"] == account_id and (
                rule is None or e["data"]["rule"] == rule):
            assert kind == "alerts", e
            found.append(e["data"])
    return found


def digest(out: Published, account_id: str, type_: str) -> list[dict[str, Any]]:
    """The ``data`` of the digest records of ``io.cuewire.digest.<type_>`` for one account;
    every one must be on the digest topic."""
    found = []
    for kind, e in out:
        about = e["data"].get("account_id") or e["subject"]
        if e["type"] == f"io.cuewire.digest.{type_}" and about == account_id:
            assert kind == "digest", e
            found.append(e["data"])
    return found


def reasons(out: Published, account_id: str, type_: str = "suppressed") -> list[str]:
    return [d["reason"] for d in digest(out, account_id, type_)]
