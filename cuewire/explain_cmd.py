"""``cuewire explain ACCOUNT_ID``: what happened to this account's signals, and why.

Everything cuewire knows about one account, newest first: the alerts it
published (and what reviewers decided on them), the alerts governance held
back or deferred (cooldown, daily cap, open frustrated ticket, consent,
snooze), the tickets that stayed below the gate, and the unattached tickets
whose requester looks like the account's (a known contact, or an e-mail at one
of its domains) but that reached no account. The held-back log is read from
Redis; the rest from the alerts, feedback and digest topics (``--no-topics``
skips them). At 100 columns and more it prints tables; narrower, one block per
entry, so no column is squeezed to nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import orjson
import redis
from confluent_kafka import KafkaException
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from config.settings import Settings, load_settings
from contracts.errors import DependencyDown
from flows.kafka_io import read_to_end
from state.governance import GovernanceStore
from state.identity import IdentityStore
from state.keys import DAY, Keyspace, TTLs
from state.redis_client import connect

WIDE = 100
"""From this many columns on, entries are a table; below it, blocks."""
KINDS = ("published", "suppressed", "deferred", "below gate", "unattached")


@dataclass(frozen=True, slots=True)
class Entry:
    """One thing that happened to the account, in words."""

    at: str
    kind: str
    rule: str
    priority: str
    reason: str
    id: str
    retry_at: str | None = None


def explain_command(account_id: str, limit: int = 50, as_json: bool = False, topics: bool = True) -> None:
    """Print ``account_id``'s latest ``limit`` entries of every kind."""
    settings = load_settings()
    # Reading loses nothing, so a Redis without persistence is no reason to refuse.
    client = connect(settings.redis_url.get_secret_value(), allow_volatile=True)
    keyspace = Keyspace(settings.redis_prefix)
    try:
        held = GovernanceStore(client, keyspace, TTLs()).explain(account_id, limit=limit)
        snapshot = IdentityStore(client, keyspace, TTLs()).fetch([("account", account_id)]).get(
            ("account", account_id))
    except redis.RedisError as exc:
        raise DependencyDown(f"Redis: reading the governance log failed ({exc.__class__.__name__})") \
            from None
    console = Console(stderr=False)
    alerts: list[dict[str, Any]] = []
    digest: list[dict[str, Any]] = []
    decisions: dict[str, list[str]] = {}
    note = None
    if topics:
        try:
            alerts, digest, decisions = read_topics(settings, account_id)
        except (KafkaException, DependencyDown, KeyError) as exc:
            note = f"topics not read ({exc.__class__.__name__}): only the held-back log from Redis is shown"
    entries = collect(account_id, snapshot if isinstance(snapshot, Mapping) else None,
                      held, alerts, digest, decisions)[:limit]
    if as_json:
        for entry in entries:
            sys.stdout.write(orjson.dumps(asdict(entry)).decode() + "\n")
        return
    render(console, account_id, entries, note=note, topics=topics)


def read_topics(settings: Settings, account_id: str
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, list[str]]]:
    """The account's alerts, its and the unattached digest records, and decisions per alert id."""
    conf = settings.kafka_consumer()
    mine, unattached = account_id.encode(), b"unattached"
    alerts = [orjson.loads(v) for k, v in read_to_end(conf, settings.topic_alerts, 20) if k == mine]
    digest = [orjson.loads(v) for k, v in read_to_end(conf, settings.topic_digest, 20)
              if k in (mine, unattached)]
    ids = {a.get("id") for a in alerts}
    decisions: dict[str, list[str]] = {}
    for key, value in read_to_end(conf, settings.topic_feedback, 20):
        if key is not None and key.decode("utf-8", "replace") in ids:
            fb = orjson.loads(value)
            said = str(fb.get("decision"))
            if fb.get("reason"):
                said += f" ({fb['reason']})"
            if fb.get("until"):
                said += f" until {str(fb['until'])[:10]}"
            decisions.setdefault(str(fb.get("alert_id")), []).append(
                f"{said} by {fb.get('by') or 'a reviewer'}")
    return alerts, digest, decisions


def collect(account_id: str, snapshot: Mapping[str, Any] | None, held: Iterable[Mapping[str, Any]],
            alerts: Iterable[Mapping[str, Any]], digest: Iterable[Mapping[str, Any]],
            decisions: Mapping[str, list[str]]) -> list[Entry]:
    """Every entry about the account, newest first. Pure: the command fetches, this selects."""
    entries = [Entry(str(e.get("at") or ""), str(e.get("outcome") or "suppressed"), str(e.get("rule") or ""),
                     str(e.get("priority") or ""), str(e.get("reason") or ""), str(e.get("alert_id") or ""),
                     e.get("retry_at")) for e in held]
    for event in alerts:
        d = event.get("data") or {}
        if d.get("account_id") != account_id:
            continue
        reason = (d.get("risk_factors") or ["published"])[0]
        said = decisions.get(str(d.get("alert_id")), [])
        reason += "; " + ", ".join(said) if said else "; not decided yet"
        entries.append(Entry(str(d.get("detected_at") or event.get("time") or ""), "published",
                             str(d.get("rule") or ""), str(d.get("priority") or ""), reason,
                             str(d.get("alert_id") or "")))
    contacts, domains = _identity(snapshot)
    for event in digest:
        kind, d = str(event.get("type") or ""), event.get("data") or {}
        evidence = (d.get("evidence") or [{}])[0]
        if kind.endswith("ticket.below_gate") and d.get("account_id") == account_id:
            entries.append(Entry(str(evidence.get("at") or event.get("time") or ""), "below gate",
                                 str(d.get("rule") or ""), "",
                                 str(d.get("reason") or f"score {d.get('score')}"),
                                 str(evidence.get("id") or event.get("id") or "")))
        elif kind.endswith("ticket.unattached") and _looks_like(d.get("requester_email"), contacts, domains):
            entries.append(Entry(str(evidence.get("at") or event.get("time") or ""), "unattached", "", "",
                                 f"from {d.get('requester_email')}, who is not linked to {account_id}: "
                                 "add the address to the account's contacts to attach the next one",
                                 str(evidence.get("id") or event.get("id") or "")))
    return sorted(entries, key=lambda e: (e.at, e.id), reverse=True)


def _identity(snapshot: Mapping[str, Any] | None) -> tuple[set[str], set[str]]:
    snapshot = snapshot or {}
    contacts = {str(c).lower() for c in snapshot.get("contacts") or []}
    domains = {str(d).lower() for d in snapshot.get("domains") or []}
    return contacts, domains


def _looks_like(email: object, contacts: set[str], domains: set[str]) -> bool:
    if not isinstance(email, str) or "@" not in email:
        return False
    email = email.lower()
    return email in contacts or email.rsplit("@", 1)[1] in domains


def render(console: Console, account_id: str, entries: list[Entry], *, note: str | None = None,
           topics: bool = True) -> None:
    if note:
        console.print(f"[yellow]{escape(note)}[/]")
    if not entries:
        days = TTLs().governance_log // DAY
        where = "in the topics or" if topics else "in"
        console.print(f"Nothing recorded for [bold]{escape(account_id)}[/] {where} the last {days} days "
                      "of the governance log: no alert, nothing held back, no ticket below the gate.")
        return
    counts = ", ".join(f"{n} {k}" for k in KINDS if (n := sum(e.kind == k for e in entries)))
    title = f"{escape(account_id)}, newest first: {counts}"
    if console.width >= WIDE:
        _table(console, title, entries)
    else:
        _blocks(console, title, entries)


STYLE = {"published": "green", "deferred": "yellow", "suppressed": "red", "below gate": "cyan",
         "unattached": "magenta"}


def _table(console: Console, title: str, entries: list[Entry]) -> None:
    table = Table(title=title, show_lines=False)
    for name, extra in (("at", {"no_wrap": True}), ("what", {"no_wrap": True}), ("rule", {}),
                        ("priority", {}), ("reason", {"overflow": "fold", "ratio": 3}),
                        ("retry at", {"no_wrap": True}), ("id", {"overflow": "fold"})):
        table.add_column(name, **extra)  # type: ignore[arg-type]
    for e in entries:
        # CRM and rule data may contain "[": never let it be read as markup.
        table.add_row(escape(e.at), f"[{STYLE.get(e.kind, 'white')}]{e.kind}[/]", escape(e.rule),
                      escape(e.priority), escape(e.reason), escape(e.retry_at or "—"), escape(e.id))
    console.print(table)


def _blocks(console: Console, title: str, entries: list[Entry]) -> None:
    console.print(f"[bold]{title}[/]")
    for e in entries:
        console.print()
        head = " ".join(p for p in (escape(e.at), f"[{STYLE.get(e.kind, 'white')}]{e.kind}[/]",
                                    escape(e.rule), escape(e.priority)) if p)
        console.print(head)
        # Indented as a block, so a wrapped reason stays under its entry.
        console.print(Padding(Text(e.reason), (0, 0, 0, 2), expand=False))
        if e.retry_at:
            console.print(Padding(Text(f"retry at {e.retry_at}"), (0, 0, 0, 2), expand=False))
        console.print(Padding(Text(e.id, style="dim", overflow="fold"), (0, 0, 0, 2), expand=False))
