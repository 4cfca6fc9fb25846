"""A deterministic, realistic sample of everything cuewire reads, for demos and replays.

:func:`generate_sample` builds a small B2B SaaS world from a seed — CRM account
snapshots, Segment ``identify``/``group`` calls linking users to accounts, a
few hundred ``track``/``page`` events and a hundred-odd support tickets — and
returns it as Kafka-shaped ``(topic_kind, key, value_bytes)`` records ordered by
event time. The same seed always gives the same bytes.

The tickets use all four shapes of CONTRACTS.md (Zendesk event webhooks,
Zendesk trigger bodies, Intercom notifications, the generic form), built by the
body builders below, which follow the same vendor field sets as the fixtures
in ``tests/fixtures``. Their texts span DESIGN.md's taxonomy: data-integrity
failures, broken integrations, billing, mild annoyance, upgrade and API
questions, cancellation and full-export requests, and polite how-to questions.
Some come from people no account knows, one delivery is repeated byte for byte,
and three records are deliberately broken (bytes that are not JSON, a body of
no known shape, a body with a wrongly typed field) so a demo shows the
dead-letter path.

:func:`write_jsonl` writes the records in the ``cuewire replay`` format.
"""

from __future__ import annotations

import html
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import orjson

TopicKind = Literal["accounts", "events", "tickets"]
SampleRecord = tuple[str, bytes | None, bytes]

SAMPLE_START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
"""Default start of the sampled fortnight (a Monday)."""

SAMPLE_DAYS = 14
ZENDESK_ACCOUNT_ID = 31852207
ZENDESK_SUBDOMAIN = "northwindhelp"
INTERCOM_APP_ID = "k7qv2m9x"

__all__ = [
    "SAMPLE_START",
    "generate_sample",
    "generic_ticket",
    "intercom_author",
    "intercom_conversation",
    "intercom_notification",
    "intercom_part",
    "segment_message",
    "write_jsonl",
    "zendesk_comment_event",
    "zendesk_detail",
    "zendesk_event",
    "zendesk_trigger",
]

# ---------------------------------------------------------------------------
# Time formats, as each vendor writes them
# ---------------------------------------------------------------------------


def _z(at: datetime) -> str:
    """RFC 3339, whole seconds, ``Z`` (Zendesk ``detail`` times, the generic form)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _z_nanos(at: datetime, nanos: int) -> str:
    """Zendesk's event ``time``: nanosecond precision."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


def _z_minutes(at: datetime) -> str:
    """``{{ticket.created_at_with_timestamp}}``: ISO 8601 to the minute."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def _millis(at: datetime) -> str:
    """Segment's timestamps: milliseconds, ``Z``."""
    at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S") + f".{at.microsecond // 1000:03d}Z"


def _unix(at: datetime) -> int:
    return int(at.timestamp())


# ---------------------------------------------------------------------------
# Vendor body builders (same field sets as tests/fixtures/tickets and events)
# ---------------------------------------------------------------------------


def zendesk_detail(
    *,
    ticket_id: str,
    subject: str,
    description: str,
    requester_id: str,
    organization_id: str | None,
    assignee_id: str,
    tags: list[str],
    priority: str,
    status: str,
    created_at: datetime,
    updated_at: datetime,
    actor_id: str | None = None,
    ticket_type: str = "QUESTION",
) -> dict[str, Any]:
    """The ``detail`` object of a Zendesk ticket event (status/priority upper-case)."""
    return {
        "actor_id": actor_id or requester_id,
        "assignee_id": assignee_id,
        "brand_id": "9120421187729",
        "created_at": _z(created_at),
        "custom_status": "9120398702481",
        "description": description,
        "external_id": None,
        "form_id": "9120421190417",
        "group_id": "9120398705553",
        "id": ticket_id,
        "is_public": True,
        "organization_id": organization_id,
        "priority": priority,
        "requester_id": requester_id,
        "status": status,
        "subject": subject,
        "submitter_id": requester_id,
        "tags": tags,
        "type": ticket_type,
        "updated_at": _z(updated_at),
        "via": {"channel": "web"},
    }


def zendesk_event(
    event_type: str,
    *,
    event_id: str,
    at: datetime,
    nanos: int,
    detail: dict[str, Any],
    event: dict[str, Any],
) -> dict[str, Any]:
    """A Zendesk ticket event webhook body (``zen:event-type:ticket.*``)."""
    return {
        "account_id": ZENDESK_ACCOUNT_ID,
        "detail": detail,
        "event": event,
        "id": event_id,
        "subject": f"zen:ticket:{detail['id']}",
        "time": _z_nanos(at, nanos),
        "type": event_type,
        "zendesk_event_version": "2022-11-06",
    }


def zendesk_comment_event(
    *, comment_id: str, body: str, author_id: str, author_name: str, is_staff: bool
) -> dict[str, Any]:
    """The ``event`` object of ``ticket.comment_added``."""
    return {
        "comment": {
            "author": {"id": author_id, "is_staff": is_staff, "name": author_name},
            "body": body,
            "id": comment_id,
            "is_public": True,
        }
    }


def zendesk_trigger(
    *,
    ticket_id: str,
    subject: str,
    description: str,
    created_at: datetime,
    priority: str,
    status: str,
    tags: list[str],
    requester_email: str,
    requester_name: str,
    organization_name: str,
    organization_external_id: str,
) -> dict[str, Any]:
    """The JSON a "Ticket is Created" trigger posts, as its placeholders render."""
    return {
        "ticket": {
            "id": ticket_id,
            "subject": subject,
            "description": description,
            "url": f"{ZENDESK_SUBDOMAIN}.zendesk.com/agent/tickets/{ticket_id}",
            "created_at": _z_minutes(created_at),
            "priority": priority,
            "status": status,
            "tags": " ".join(tags),
            "requester": {"email": requester_email, "name": requester_name},
            "organization": {"name": organization_name, "external_id": organization_external_id},
        }
    }


def intercom_author(kind: str, author_id: str, name: str, email: str) -> dict[str, Any]:
    return {"type": kind, "id": author_id, "name": name, "email": email}


def intercom_part(
    *, part_id: str, part_type: str, body: str | None, at: datetime, author: dict[str, Any]
) -> dict[str, Any]:
    """One ``conversation_part`` (Intercom REST API 2.x)."""
    ts = _unix(at)
    return {
        "type": "conversation_part",
        "id": part_id,
        "part_type": part_type,
        "body": body,
        "created_at": ts,
        "updated_at": ts,
        "notified_at": ts,
        "assigned_to": None,
        "author": author,
        "attachments": [],
        "external_id": None,
        "redacted": False,
    }


def intercom_conversation(
    *,
    conversation_id: str,
    created_at: datetime,
    updated_at: datetime,
    state: str,
    source_id: str,
    body_html: str,
    author: dict[str, Any],
    contact_external_id: str | None,
    parts: list[dict[str, Any]],
    admin_assignee_id: int | None,
    tags: list[str],
    page_url: str | None,
) -> dict[str, Any]:
    """A conversation as Intercom's webhooks carry it in ``data.item``."""
    created = _unix(created_at)
    admins = sorted({p["author"]["id"] for p in parts if p["author"]["type"] == "admin"})
    return {
        "type": "conversation",
        "id": conversation_id,
        "title": None,
        "created_at": created,
        "updated_at": _unix(updated_at),
        "waiting_since": None if state == "closed" else _unix(updated_at),
        "snoozed_until": None,
        "open": state == "open",
        "state": state,
        "read": bool(parts),
        "priority": "not_priority",
        "admin_assignee_id": admin_assignee_id,
        "team_assignee_id": 5017691,
        "tags": {
            "type": "tag.list",
            "tags": [
                {
                    "type": "tag",
                    "id": str(8812000 + sum(map(ord, name))),
                    "name": name,
                    "applied_at": created,
                    "applied_by": {"type": "admin", "id": "7481203"},
                }
                for name in tags
            ],
        },
        "conversation_rating": None,
        "source": {
            "type": "conversation",
            "id": source_id,
            "delivered_as": "customer_initiated",
            "subject": "",
            "body": body_html,
            "author": author,
            "attachments": [],
            "url": page_url,
            "redacted": False,
        },
        "contacts": {
            "type": "contact.list",
            "contacts": [
                {"type": "contact", "id": author["id"], "external_id": contact_external_id}
            ],
        },
        "teammates": {
            "type": "admin.list",
            "teammates": [{"type": "admin", "id": a} for a in admins],
        },
        "custom_attributes": {},
        "first_contact_reply": {"created_at": created, "type": "conversation", "url": page_url},
        "sla_applied": None,
        "statistics": _intercom_statistics(created_at, parts),
        "conversation_parts": {
            "type": "conversation_part.list",
            "conversation_parts": parts,
            "total_count": len(parts),
        },
        "linked_objects": {"type": "list", "total_count": 0, "has_more": False, "data": []},
        "ai_agent_participated": False,
        "ai_agent": None,
    }


def _intercom_statistics(created_at: datetime, parts: list[dict[str, Any]]) -> dict[str, Any]:
    created = _unix(created_at)
    admin_replies = [p["created_at"] for p in parts if p["author"]["type"] == "admin"]
    contact_replies = [p["created_at"] for p in parts if p["author"]["type"] != "admin"]
    closes = [p["created_at"] for p in parts if p["part_type"] == "close"]
    first_admin = admin_replies[0] if admin_replies else None
    return {
        "type": "conversation_statistics",
        "time_to_assignment": None,
        "time_to_admin_reply": first_admin - created if first_admin else None,
        "time_to_first_close": closes[0] - created if closes else None,
        "time_to_last_close": closes[-1] - created if closes else None,
        "median_time_to_reply": first_admin - created if first_admin else None,
        "first_contact_reply_at": created,
        "first_assignment_at": None,
        "first_admin_reply_at": first_admin,
        "first_close_at": closes[0] if closes else None,
        "last_assignment_at": None,
        "last_assignment_admin_reply_at": None,
        "last_contact_reply_at": contact_replies[-1] if contact_replies else created,
        "last_admin_reply_at": admin_replies[-1] if admin_replies else None,
        "last_close_at": closes[-1] if closes else None,
        "last_closed_by_id": "7481203" if closes else None,
        "count_reopens": 0,
        "count_assignments": 0,
        "count_conversation_parts": len(parts) + 1,
    }


def intercom_notification(
    topic: str, *, notification_id: str, item: dict[str, Any], at: datetime
) -> dict[str, Any]:
    """An Intercom ``notification_event`` webhook body."""
    ts = _unix(at)
    return {
        "type": "notification_event",
        "app_id": INTERCOM_APP_ID,
        "data": {"type": "notification_event_data", "item": item},
        "links": {},
        "id": notification_id,
        "topic": topic,
        "delivery_status": "pending",
        "delivery_attempts": 1,
        "delivered_at": 0,
        "first_sent_at": ts,
        "created_at": ts,
        "self": None,
    }


def generic_ticket(
    *,
    ticket_id: str,
    account_id: str | None,
    requester_email: str,
    subject: str,
    body: str,
    created_at: datetime,
    status: str | None,
    url: str | None,
) -> dict[str, Any]:
    """The canonical ``{"source": "generic", ...}`` form; optional fields left out when unset."""
    out: dict[str, Any] = {"source": "generic", "ticket_id": ticket_id}
    if account_id is not None:
        out["account_id"] = account_id
    out |= {
        "requester_email": requester_email,
        "subject": subject,
        "body": body,
        "created_at": _z(created_at),
    }
    if status is not None:
        out["status"] = status
    if url is not None:
        out["url"] = url
    return out


def segment_message(
    call: Literal["track", "page", "identify", "group"],
    *,
    message_id: str | None,
    user_id: str | None,
    anonymous_id: str,
    at: datetime,
    event: str | None = None,
    name: str | None = None,
    group_id: str | None = None,
    context_group_id: str | None = None,
    context_email: str | None = None,
    properties: dict[str, Any] | None = None,
    traits: dict[str, Any] | None = None,
    page_path: str | None = None,
) -> dict[str, Any]:
    """A Segment-spec message with the common fields a Segment library stamps on it."""
    server = call in ("identify", "group")
    context: dict[str, Any] = {"ip": "81.169.145.92"}
    if context_group_id:
        context["groupId"] = context_group_id
    if server:
        context["library"] = {"name": "analytics-python", "version": "2.3.3"}
    else:
        context["library"] = {"name": "analytics.js", "version": "next-1.70.0"}
        context["locale"] = "en-GB"
        path = page_path or "/app"
        context["page"] = {
            "path": path,
            "referrer": "",
            "search": "",
            "title": "Northwind",
            "url": f"https://northwind.example{path}",
        }
    if context_email:
        context["traits"] = {"email": context_email}
    if not server:
        context["userAgent"] = (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Safari/605.1.15"
        )
    msg: dict[str, Any] = {"anonymousId": anonymous_id, "channel": "server" if server else "client"}
    msg["context"] = context
    if event is not None:
        msg["event"] = event
    if group_id is not None:
        msg["groupId"] = group_id
    msg["integrations"] = {}
    if message_id is not None:
        msg["messageId"] = message_id
    if name is not None:
        msg["name"] = name
    msg["originalTimestamp"] = _millis(at - timedelta(milliseconds=361))
    if properties is not None:
        msg["properties"] = properties
    msg["receivedAt"] = _millis(at + timedelta(milliseconds=105))
    msg["sentAt"] = _millis(at - timedelta(milliseconds=256))
    msg["timestamp"] = _millis(at)
    if traits is not None:
        msg["traits"] = traits
    msg["type"] = call
    if user_id is not None:
        msg["userId"] = user_id
    msg["version"] = 2
    return msg


# ---------------------------------------------------------------------------
# The sampled world
# ---------------------------------------------------------------------------

_NAME_HEADS = ["Blue", "Bright", "North", "Silver", "Red", "Quiet", "Swift", "Open", "Clear",
               "Iron", "Green", "Harbor", "Maple", "Copper", "Summit", "Lumen"]
_NAME_TAILS = ["Ledger", "Pine", "Forge", "Field", "Peak", "Loop", "Wave", "Stone", "Bridge",
               "Works", "Labs", "Logistics"]
_TLDS = [".io", ".com", ".com", ".co", ".de", ".co.uk"]
_FIRST = ["Dana", "Maya", "Jonas", "Priya", "Lena", "Tom", "Aiko", "Sam", "Noah", "Ines",
          "Omar", "Clara", "Felix", "Zoe", "Ravi", "Eva", "Marco", "Hannah", "Leo", "Nina"]
_LAST = ["Lee", "Okafor", "Weber", "Raman", "Fischer", "Brooks", "Tanaka", "Ortiz", "Berg",
         "Costa", "Haddad", "Novak", "Schmidt", "Moreau", "Iyer", "Larsen", "Rossi", "Klein"]
_OWNERS = [
    {"name": "Riley Chen", "email": "riley@northwind.example", "slack": "@riley"},
    {"name": "Ana Souza", "email": "ana@northwind.example", "slack": "@ana"},
    {"name": "Ben Adler", "email": "ben@northwind.example", "slack": "@ben"},
    {"name": "Kim Park", "email": "kim@northwind.example", "slack": "@kim"},
]
_COMPETITORS = ["Asana", "Monday.com", "ClickUp", "Airtable"]
_INTEGRATIONS = ["Salesforce", "HubSpot", "Slack", "Google Sheets", "Jira"]
_PERSONAS = ["steady", "frustrated", "upgrade", "churn", "steady", "abandon", "inactive",
             "billing", "steady", "howto", "upgrade", "frustrated"]
_AGENTS = [("9120398711697", "Sam Ortiz"), ("9120398711713", "Alex Moreno")]


@dataclass(frozen=True, slots=True)
class _Person:
    user_id: str
    anonymous_id: str
    email: str
    name: str
    zendesk_user_id: str
    intercom_contact_id: str


@dataclass(slots=True)
class _Account:
    account_id: str
    name: str
    domain: str
    mrr: int
    plan: str
    persona: str
    zendesk_org_id: str
    people: list[_Person] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Text:
    subject: str
    body: str
    tags: tuple[str, ...]
    priority: str  # Zendesk's scale: low, normal, high, urgent


# The ticket language of DESIGN.md's taxonomy, keyed by category.
_TEXTS: dict[str, list[tuple[str, str, tuple[str, ...], str]]] = {
    "critical": [
        ("Dashboard numbers wrong since the import",
         "Our revenue dashboard shows numbers that are simply wrong since yesterday's import: "
         "last month is off by about 40% and the totals don't match our own records. We present "
         "these figures to the board on Thursday.", ("dashboard", "data_import"), "urgent"),
        ("Data disappeared from our workspace",
         "Half of our project history disappeared overnight. Tasks from before October are gone "
         "and the audit log shows nothing. Where did our data go?", ("data_loss",), "urgent"),
        ("Reports double-count orders",
         "The weekly report double-counts orders since the last release, so our numbers are wrong "
         "and finance already sent them out. Which data can we still trust?", ("reports",), "high"),
        ("Customer records missing after sync",
         "About 300 customer records are missing after last night's sync. The data disappeared "
         "without any error message.", ("sync", "data_loss"), "urgent"),
    ],
    "high": [
        ("Can't export to CSV",
         "We can't export anything to CSV any more: the export spins for a minute and then fails. "
         "Our accountant needs the file today.", ("export",), "high"),
        ("{integration} sync stopped",
         "The {integration} sync stopped on Monday and nothing has come through since. "
         "Reconnecting the integration did not help.", ("integrations", "sync"), "high"),
        ("Webhook not firing",
         "Our order webhook is not firing since the update; the endpoint receives nothing and our "
         "fulfilment queue is empty.", ("webhooks",), "high"),
        ("API error 500 on the reports endpoint",
         "Every call to the reports API returns API error 500 since this morning. Our nightly "
         "job failed twice.", ("api",), "high"),
    ],
    "billing": [
        ("Charged the wrong amount",
         "We were charged the wrong amount this month: the invoice bills {seats} seats but we only "
         "have {users} users. Please correct it and refund the difference.", ("billing",), "normal"),
        ("Unexpected charge on our card",
         "There is an unexpected charge of ${amount} on our card from yesterday. Nobody here "
         "upgraded anything, what is it for?", ("billing",), "normal"),
    ],
    "annoyance": [
        ("App is slow this week",
         "The app has been really slow this week, loading a board takes 10 to 15 seconds. Not "
         "blocking, but annoying.", ("performance",), "low"),
        ("New editor is confusing",
         "The new editor is confusing; it took our team a while to find where the filters went. "
         "Is there a guide?", ("ux",), "low"),
    ],
    "upgrade": [
        ("Question about the Pro plan",
         "Hi! What's in the Pro plan compared to our current {plan} plan? We're mainly interested "
         "in SSO and advanced reporting.", ("sales",), "normal"),
        ("Add more users",
         "We'd like to add more users, about {users} more people from our sales team. How does "
         "pricing work if we add them mid-term?", ("sales", "seats"), "normal"),
    ],
    "api": [
        ("Do you have an API?",
         "Do you have an API we could use to pull our usage data into our BI tool? Happy to read "
         "the docs.", ("api", "sales"), "low"),
    ],
    "cancellation": [
        ("Export all our data",
         "How can we export all our data, including attachments? We need a full copy of "
         "everything before the end of the month.", ("export",), "normal"),
        ("Cancel at renewal",
         "Please let us know how to cancel our subscription at renewal. We're switching to "
         "{competitor} next quarter.", ("cancellation",), "normal"),
        ("Moving to {competitor}?",
         "We're evaluating a move to {competitor}. Before we decide: what happens to our data if "
         "we cancel?", ("cancellation",), "normal"),
    ],
    "howto": [
        ("How to add a custom field",
         "Hello, could you tell me how to add a custom field to the project template? Thanks a "
         "lot!", ("how_to",), "low"),
        ("Change the invoice e-mail",
         "Hi team, could you send our invoices to our finance address from next month on? "
         "Thank you!", ("billing", "how_to"), "low"),
        ("Where is the audit log?",
         "Quick question: where can admins find the audit log? Many thanks!!", ("how_to",), "low"),
        ("Thanks for the quick fix!",
         "Just wanted to say thanks for the quick fix yesterday, everything works perfectly "
         "now!!!", ("feedback",), "low"),
    ],
}

_FOLLOW_UPS: dict[str, list[str]] = {
    "critical": ["Any update? This is still not fixed and we have now lost two days of work.",
                 "This is the third time I'm writing about this. The numbers are still wrong."],
    "high": ["Still broken this morning. We can't keep doing this by hand.",
             "Any news? The integration is still down and the team is blocked."],
    "billing": ["Following up: we still haven't received the corrected invoice."],
    "annoyance": ["Still slow today, for what it's worth."],
    "upgrade": ["Thanks! Could you also send a quote for {users} seats on Pro?"],
    "api": ["Great, and is there a rate limit on the usage endpoint?"],
    "cancellation": ["Could you confirm the export includes archived projects?"],
    "howto": ["Thanks, that worked!"],
}

_PERSONA_MIX: dict[str, list[str]] = {
    "steady": ["howto", "annoyance", "howto"],
    "frustrated": ["critical", "high", "annoyance"],
    "upgrade": ["upgrade", "api", "howto"],
    "churn": ["cancellation", "high", "billing"],
    "abandon": ["howto", "annoyance"],
    "inactive": ["high", "howto"],
    "billing": ["billing", "billing", "annoyance"],
    "howto": ["howto", "howto", "api"],
}

_UNKNOWN_REQUESTERS = [
    ("alex.turner@gmail.com", "Alex Turner"),
    ("ops@tinyfoundry.io", "Ops Team"),
    ("m.rossi@outlook.com", "Marta Rossi"),
    ("hello@kettle-and-co.com", "Kettle & Co"),
]


class _Builder:
    """Accumulates timed records; ids come from one seeded RNG so output is reproducible."""

    def __init__(self, rng: random.Random, start: datetime) -> None:
        self.rng = rng
        self.start = start
        self.items: list[tuple[datetime, int, str, bytes | None, bytes]] = []
        self.zendesk_ticket = 48100
        self.intercom_conversation = 215472193845100
        self.generic_ticket = 20900

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def digits(self, n: int) -> str:
        return str(self.rng.randrange(10 ** (n - 1), 10**n))

    def add(self, at: datetime, kind: TopicKind, key: str | None, value: dict[str, Any]) -> bytes:
        raw = orjson.dumps(value)
        self.add_raw(at, kind, key, raw)
        return raw

    def add_raw(self, at: datetime, kind: TopicKind, key: str | None, raw: bytes) -> None:
        self.items.append((at, len(self.items), kind, key.encode() if key else None, raw))

    def at(self, day: int, hour_from: int = 8, hour_to: int = 18) -> datetime:
        """A random moment of working hours on the ``day``-th day of the sample."""
        base = self.start + timedelta(days=day)
        seconds = self.rng.randrange(hour_from * 3600, hour_to * 3600)
        return base.replace(hour=0, minute=0, second=0) + timedelta(seconds=seconds)


def generate_sample(
    n_accounts: int = 36, seed: int = 7, start: datetime = SAMPLE_START
) -> list[SampleRecord]:
    """The sampled fortnight as ``(topic_kind, key, value_bytes)``, ordered by event time.

    ``topic_kind`` is ``accounts``, ``events`` or ``tickets``; keys follow
    CONTRACTS.md (account id, user or anonymous id, ticket or conversation id
    where the helpdesk gives one).

    >>> records = generate_sample(n_accounts=4, seed=1)
    >>> records == generate_sample(n_accounts=4, seed=1)
    True
    >>> sorted({kind for kind, _, _ in records})
    ['accounts', 'events', 'tickets']
    """
    if n_accounts < 1:
        raise ValueError("n_accounts must be at least 1")
    start = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
    rng = random.Random(seed)
    b = _Builder(rng, start)
    accounts = _accounts(b, n_accounts)
    for account in accounts:
        _account_events(b, account)
    _anonymous_visits(b)
    tickets = _ticket_plan(b, accounts)
    shapes = _shape_sequence(rng, len(tickets))
    duplicated = False
    for (owner, person, category, at), shape in zip(tickets, shapes, strict=True):
        raw = _emit_ticket(b, shape, owner, person, category, at)
        if not duplicated and shape == "zendesk_event" and owner is not None:
            # The relay retried a delivery Zendesk had already made: same bytes again.
            b.add_raw(at + timedelta(minutes=2), "tickets", None, raw)
            duplicated = True
    _broken_records(b)
    b.items.sort(key=lambda item: (item[0], item[1]))
    return [(kind, key, raw) for _, _, kind, key, raw in b.items]


def _accounts(b: _Builder, n: int) -> list[_Account]:
    rng = b.rng
    names = [f"{h} {t}" for h in _NAME_HEADS for t in _NAME_TAILS]
    rng.shuffle(names)
    personas = list(_PERSONAS)
    out: list[_Account] = []
    for i in range(n):
        name = names[i % len(names)] + (f" {i // len(names) + 1}" if i >= len(names) else "")
        domain = name.lower().replace(" ", "") + rng.choice(_TLDS)
        tier = rng.random()
        if tier < 0.3:
            mrr, plan, segment = rng.randrange(149, 990), "starter", "smb"
        elif tier < 0.85:
            mrr = rng.randrange(1000, 10001)
            plan, segment = ("team", "mid-market") if mrr < 5000 else ("business", "mid-market")
        else:
            mrr, plan, segment = rng.randrange(12000, 40000), "enterprise", "enterprise"
        bucket = rng.random()
        if bucket < 0.25:
            renewal = b.start.date() + timedelta(days=rng.randrange(5, 30))
        elif bucket < 0.45:
            renewal = b.start.date() + timedelta(days=rng.randrange(31, 60))
        else:
            renewal = b.start.date() + timedelta(days=rng.randrange(75, 340))
        account = _Account(
            account_id=f"acct_{1001 + i}",
            name=name,
            domain=domain,
            mrr=mrr,
            plan=plan,
            persona=personas[i % len(personas)],
            zendesk_org_id=str(9120573301009 + 1031 * i),
        )
        firsts = rng.sample(_FIRST, k=rng.randrange(2, 5))
        for first in firsts:
            last = rng.choice(_LAST)
            account.people.append(_Person(
                user_id=f"u_{rng.getrandbits(24):06x}",
                anonymous_id=b.uuid(),
                email=f"{first}.{last}@{domain}".lower(),
                name=f"{first} {last}",
                zendesk_user_id=b.digits(13),
                intercom_contact_id=f"{rng.getrandbits(96):024x}",
            ))
        currency = "EUR" if domain.endswith(".de") else "GBP" if domain.endswith(".uk") else "USD"
        snapshot = {
            "account_id": account.account_id,
            "name": name,
            "domains": [domain],
            "mrr": mrr,
            "currency": currency,
            "plan": plan,
            "segment": segment,
            "renewal_date": renewal.isoformat(),
            "health_score": rng.randrange(22, 96),
            "cs_owner": _OWNERS[i % len(_OWNERS)],
            # The CRM does not know every user: the rest resolve by identify/group or domain.
            "contacts": [p.email for p in account.people[:2]],
            "zendesk_organization_id": account.zendesk_org_id,
            "consent": {"email": i % 11 != 5, "sms": i % 3 == 0},
            "updated_at": _z(b.start - timedelta(days=rng.randrange(1, 20), hours=rng.randrange(24))),
        }
        b.add(b.start - timedelta(hours=1, minutes=n - i), "accounts", account.account_id, snapshot)
        out.append(account)
    return out


def _account_events(b: _Builder, account: _Account) -> None:
    rng = b.rng
    for n, person in enumerate(account.people):
        at = b.start + timedelta(minutes=rng.randrange(5, 600))
        b.add(at, "events", person.user_id, segment_message(
            "identify", message_id=b.uuid(), user_id=person.user_id,
            anonymous_id=person.anonymous_id, at=at,
            traits={"email": person.email, "name": person.name},
        ))
        if n == 0 or rng.random() < 0.6:
            at += timedelta(milliseconds=1)
            b.add(at, "events", person.user_id, segment_message(
                "group", message_id=b.uuid(), user_id=person.user_id,
                anonymous_id=person.anonymous_id, at=at, group_id=account.account_id,
                traits={"name": account.name, "plan": account.plan},
            ))
    main = account.people[0]
    last_day = 4 if account.persona == "inactive" else SAMPLE_DAYS
    for day in range(last_day):
        for person in account.people:
            if rng.random() < (0.3 if person is main else 0.06):
                _track(b, account, person, b.at(day), "Signed In", {"method": "password"})
        if rng.random() < 0.1:
            _page(b, account, main, b.at(day), "Dashboard", "/app/dashboard")
    persona = account.persona
    if persona == "steady" or (persona == "abandon" and len(account.people) > 1):
        who = account.people[-1]
        at = b.at(rng.randrange(0, 5))
        _track(b, account, who, at, "Onboarding Step Started", {"step": "invite_team"})
        if persona == "steady":
            _track(b, account, who, at + timedelta(hours=3), "Onboarding Step Completed",
                   {"step": "invite_team"})
    if persona == "upgrade":
        for day in (5, 7):
            _track(b, account, main, b.at(day), "Pricing Page Viewed", {"plan": account.plan})
        _track(b, account, main, b.at(7, 14, 17), "Plan Compared",
               {"from_plan": account.plan, "to_plan": "pro"})
    if persona == "churn":
        _page(b, account, main, b.at(8), "Cancellation Terms", "/legal/cancel")
        _track(b, account, main, b.at(8, 12, 17), "Data Export Started",
               {"scope": "all", "format": "csv"})
    if persona == "abandon":
        at = b.at(4)
        _track(b, account, main, at, "Product Added", {"product": "Reporting add-on", "price": 49})
        _track(b, account, main, at + timedelta(minutes=6), "Checkout Started", {"value": 49})
    if persona in ("frustrated", "billing") and rng.random() < 0.5:
        _track(b, account, main, b.at(9), "Pricing Page Viewed", {"plan": account.plan})


def _track(b: _Builder, account: _Account, person: _Person, at: datetime, event: str,
           properties: dict[str, Any]) -> None:
    rng = b.rng
    b.add(at, "events", person.user_id, segment_message(
        "track", message_id=f"ajs-next-{rng.getrandbits(128):032x}", user_id=person.user_id,
        anonymous_id=person.anonymous_id, at=at, event=event, properties=properties,
        context_group_id=account.account_id if rng.random() < 0.5 else None,
        context_email=person.email if rng.random() < 0.2 else None,
    ))


def _page(b: _Builder, account: _Account, person: _Person, at: datetime, name: str,
          path: str) -> None:
    rng = b.rng
    b.add(at, "events", person.user_id, segment_message(
        "page", message_id=f"ajs-next-{rng.getrandbits(128):032x}", user_id=person.user_id,
        anonymous_id=person.anonymous_id, at=at, name=name, page_path=path,
        properties={"path": path, "title": f"{name} | Northwind",
                    "url": f"https://northwind.example{path}"},
        context_group_id=account.account_id if rng.random() < 0.3 else None,
    ))


def _anonymous_visits(b: _Builder) -> None:
    """Prospects on the pricing page: no user id, so they reach no account."""
    for i in range(6):
        anonymous_id = b.uuid()
        at = b.at(b.rng.randrange(SAMPLE_DAYS))
        b.add(at, "events", anonymous_id, segment_message(
            "track",
            # Two come from a server-side relay that does not stamp a messageId.
            message_id=None if i < 2 else f"ajs-next-{b.rng.getrandbits(128):032x}",
            user_id=None, anonymous_id=anonymous_id, at=at, event="Pricing Page Viewed",
            properties={"plan": "pro"}, page_path="/pricing",
        ))


_Planned = tuple[_Account | None, _Person | None, str, datetime]


def _ticket_plan(b: _Builder, accounts: list[_Account]) -> list[_Planned]:
    rng = b.rng
    plan: list[_Planned] = []
    for account in accounts:
        mix = _PERSONA_MIX[account.persona]
        for _ in range(rng.randrange(1, 3)):
            plan.append((account, rng.choice(account.people), rng.choice(mix), b.at(
                rng.randrange(1, SAMPLE_DAYS))))
        persona_day = {"upgrade": 6, "churn": 9, "inactive": 2}.get(account.persona)
        if persona_day is not None:
            category = {"upgrade": "upgrade", "churn": "cancellation", "inactive": "high"}[
                account.persona]
            plan.append((account, account.people[0], category, b.at(persona_day)))
    frustrated = [a for a in accounts if a.persona == "frustrated"]
    if frustrated:
        # The same failure reported three times in a fortnight: repeat-unresolved.
        account = frustrated[0]
        for day in (1, 5, 10):
            plan.append((account, account.people[0], "repeat_sync", b.at(day)))
    for _ in range(max(6, len(accounts) // 4)):
        plan.append((None, None, rng.choice(["howto", "high", "upgrade", "annoyance"]),
                     b.at(rng.randrange(SAMPLE_DAYS))))
    return plan


_Shape = Literal["zendesk_event", "zendesk_trigger", "intercom", "generic"]


def _shape_sequence(rng: random.Random, n: int) -> list[_Shape]:
    base: list[_Shape] = ["zendesk_event", "zendesk_trigger", "intercom", "generic"]
    weights = [0.35, 0.2, 0.3, 0.15]
    shapes = base[:n] + rng.choices(base, weights=weights, k=max(0, n - len(base)))
    rng.shuffle(shapes)
    return shapes


def _text(b: _Builder, account: _Account | None, category: str) -> _Text:
    rng = b.rng
    fixed: dict[str, str] = {}
    if category == "repeat_sync":
        subject, body, tags, priority = _TEXTS["high"][1]
        fixed["integration"] = "Salesforce"
    else:
        subject, body, tags, priority = rng.choice(_TEXTS[category])
    users = rng.randrange(8, 40)
    fill = {
        "integration": rng.choice(_INTEGRATIONS),
        "competitor": rng.choice(_COMPETITORS),
        "plan": account.plan.title() if account else "Team",
        "users": str(users),
        "seats": str(users + rng.randrange(5, 20)),
        "amount": f"{rng.randrange(120, 2400)}.00",
    } | fixed
    return _Text(subject.format(**fill), body.format(**fill), tags, priority)


def _follow_up(b: _Builder, category: str) -> str:
    key = "high" if category == "repeat_sync" else category
    return b.rng.choice(_FOLLOW_UPS[key]).format(users=b.rng.randrange(10, 40))


def _requester(b: _Builder, person: _Person | None) -> tuple[str, str, str]:
    """(email, name, zendesk user id) of the requester, a stranger when ``person`` is None."""
    if person is not None:
        return person.email, person.name, person.zendesk_user_id
    email, name = b.rng.choice(_UNKNOWN_REQUESTERS)
    return email, name, b.digits(13)


def _emit_ticket(b: _Builder, shape: _Shape, account: _Account | None, person: _Person | None,
                 category: str, at: datetime) -> bytes:
    text = _text(b, account, category)
    if shape == "zendesk_event":
        return _zendesk_event_thread(b, account, person, category, text, at)
    if shape == "zendesk_trigger":
        return _zendesk_trigger_ticket(b, account, person, text, at)
    if shape == "intercom":
        return _intercom_thread(b, account, person, category, text, at)
    return _generic(b, account, person, text, at)


def _zendesk_event_thread(b: _Builder, account: _Account | None, person: _Person | None,
                          category: str, text: _Text, at: datetime) -> bytes:
    rng = b.rng
    b.zendesk_ticket += 1
    ticket_id = str(b.zendesk_ticket)
    _, requester_name, requester_id = _requester(b, person)
    agent_id, agent_name = rng.choice(_AGENTS)
    org = account.zendesk_org_id if account else None

    incident = category in ("critical", "high", "repeat_sync")

    def detail(status: str, updated: datetime, tags: list[str], actor: str | None = None
               ) -> dict[str, Any]:
        return zendesk_detail(
            ticket_id=ticket_id, subject=text.subject, description=text.body,
            requester_id=requester_id, organization_id=org, assignee_id=agent_id, tags=tags,
            priority=text.priority.upper(), status=status, created_at=at, updated_at=updated,
            actor_id=actor, ticket_type="INCIDENT" if incident else "QUESTION",
        )

    tags = list(text.tags)
    first = b.add(at, "tickets", None, zendesk_event(
        "zen:event-type:ticket.created", event_id=b.uuid(), at=at, nanos=rng.randrange(10**9),
        detail=detail("NEW", at, tags), event={},
    ))
    roll = rng.random()
    later = at + timedelta(hours=rng.randrange(2, 30))
    if roll < 0.3:
        agent_at = at + timedelta(minutes=rng.randrange(20, 180))
        b.add(agent_at, "tickets", None, zendesk_event(
            "zen:event-type:ticket.comment_added", event_id=b.uuid(), at=agent_at,
            nanos=rng.randrange(10**9), detail=detail("OPEN", agent_at, tags, agent_id),
            event=zendesk_comment_event(
                comment_id=b.digits(14), author_id=agent_id, author_name=agent_name,
                is_staff=True, body="Thanks for reaching out, we're looking into this now."),
        ))
    if roll < 0.55:
        b.add(later, "tickets", None, zendesk_event(
            "zen:event-type:ticket.comment_added", event_id=b.uuid(), at=later,
            nanos=rng.randrange(10**9), detail=detail("OPEN", later, tags),
            event=zendesk_comment_event(
                comment_id=b.digits(14), author_id=requester_id, author_name=requester_name,
                is_staff=False, body=_follow_up(b, category)),
        ))
    elif roll < 0.8:
        b.add(later, "tickets", None, zendesk_event(
            "zen:event-type:ticket.status_changed", event_id=b.uuid(), at=later,
            nanos=rng.randrange(10**9), detail=detail("SOLVED", later, tags, agent_id),
            event={"current": "SOLVED", "previous": "OPEN"},
        ))
    return first


def _zendesk_trigger_ticket(b: _Builder, account: _Account | None, person: _Person | None,
                            text: _Text, at: datetime) -> bytes:
    b.zendesk_ticket += 1
    email, name, _ = _requester(b, person)
    # Not every organisation carries the CRM id as its external id; those resolve by e-mail.
    external_id = account.account_id if account and b.rng.random() < 0.7 else ""
    body = zendesk_trigger(
        ticket_id=str(b.zendesk_ticket), subject=text.subject, description=text.body,
        created_at=at, priority=text.priority.title(), status="New", tags=list(text.tags),
        requester_email=email, requester_name=name,
        organization_name=account.name if account else "", organization_external_id=external_id,
    )
    return b.add(at, "tickets", None, body)


def _html(text: str) -> str:
    return "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in text.split("\n"))


def _intercom_thread(b: _Builder, account: _Account | None, person: _Person | None,
                     category: str, text: _Text, at: datetime) -> bytes:
    rng = b.rng
    b.intercom_conversation += rng.randrange(1, 400)
    conv_id = str(b.intercom_conversation)
    email, name, _ = _requester(b, person)
    contact_id = person.intercom_contact_id if person else f"{rng.getrandbits(96):024x}"
    author = intercom_author("user" if person else "lead", contact_id, name, email)
    _, agent_name = rng.choice(_AGENTS)
    admin = intercom_author("admin", "7481203", agent_name,
                            f"{agent_name.split()[0].lower()}@northwind-support.com")
    source_id = b.digits(10)
    body_html = _html(f"{text.subject}\n{text.body}")
    tags = [text.tags[0]]

    def conversation(state: str, updated: datetime, parts: list[dict[str, Any]]) -> dict[str, Any]:
        return intercom_conversation(
            conversation_id=conv_id, created_at=at, updated_at=updated, state=state,
            source_id=source_id, body_html=body_html, author=author,
            contact_external_id=person.user_id if person else None, parts=parts,
            admin_assignee_id=7481203 if parts else None, tags=tags,
            page_url="https://app.northwind.example/inbox" if rng.random() < 0.5 else None,
        )

    first = b.add(at, "tickets", conv_id, intercom_notification(
        "conversation.user.created", notification_id=f"notif_{b.uuid()}",
        item=conversation("open", at, []), at=at + timedelta(seconds=1),
    ))
    reply_at = at + timedelta(minutes=rng.randrange(15, 120))
    admin_part = intercom_part(
        part_id=b.digits(11), part_type="comment", at=reply_at, author=admin,
        body="<p>Thanks for the details &ndash; we&#39;re on it and will update you shortly.</p>",
    )
    roll = rng.random()
    if roll < 0.45:
        user_at = reply_at + timedelta(hours=rng.randrange(1, 20))
        user_part = intercom_part(part_id=b.digits(11), part_type="comment", at=user_at,
                                  author=author, body=_html(_follow_up(b, category)))
        b.add(user_at, "tickets", conv_id, intercom_notification(
            "conversation.user.replied", notification_id=f"notif_{b.uuid()}",
            item=conversation("open", user_at, [admin_part, user_part]),
            at=user_at + timedelta(seconds=1),
        ))
    elif roll < 0.75:
        close_at = reply_at + timedelta(hours=rng.randrange(2, 24))
        close_part = intercom_part(part_id=b.digits(11), part_type="close", at=close_at,
                                   author=admin, body=None)
        b.add(close_at, "tickets", conv_id, intercom_notification(
            "conversation.admin.closed", notification_id=f"notif_{b.uuid()}",
            item=conversation("closed", close_at, [admin_part, close_part]),
            at=close_at + timedelta(seconds=1),
        ))
    return first


def _generic(b: _Builder, account: _Account | None, person: _Person | None, text: _Text,
             at: datetime) -> bytes:
    b.generic_ticket += 1
    email, _, _ = _requester(b, person)
    ticket_id = f"T-{b.generic_ticket}"
    body = generic_ticket(
        ticket_id=ticket_id,
        account_id=account.account_id if account and b.rng.random() < 0.5 else None,
        requester_email=email, subject=text.subject, body=text.body, created_at=at,
        status="open", url=f"https://support.northwind.example/tickets/{ticket_id}",
    )
    return b.add(at, "tickets", ticket_id, body)


def _broken_records(b: _Builder) -> None:
    """Three records no decoder can accept, so the dead-letter path has work to do."""
    # A relay cut the body off mid-write: not JSON at all.
    b.add_raw(b.at(3), "tickets", None,
              b'{"type": "zen:event-type:ticket.created", "account_id": 31852207, "detail": {"id": "4')
    # A helpdesk cuewire does not speak.
    b.add(b.at(6), "tickets", "fd-9121", {
        "freshdesk_webhook": {"ticket_id": 9121, "ticket_status": "Open",
                              "ticket_priority": "Medium", "ticket_source": "Email"},
    })
    # A known shape with a wrongly typed field: the comment body is an object.
    at = b.at(11)
    b.add(at, "tickets", None, zendesk_event(
        "zen:event-type:ticket.comment_added", event_id=b.uuid(), at=at, nanos=0,
        detail=zendesk_detail(
            ticket_id="48099", subject="Re: onboarding", description="-", requester_id="1",
            organization_id=None, assignee_id="9120398711697", tags=[], priority="LOW",
            status="OPEN", created_at=at - timedelta(days=2), updated_at=at),
        event={"comment": {"author": {"id": "1", "is_staff": False, "name": "x"},
                           "body": {"html": "<p>see attachment</p>"}, "id": "2",
                           "is_public": True}},
    ))


# ---------------------------------------------------------------------------
# Replay file
# ---------------------------------------------------------------------------


def write_jsonl(records: Iterable[SampleRecord], path: str | Path) -> int:
    """Write records in the ``cuewire replay`` format; return how many lines were written.

    Each line is ``{"topic": "<events|tickets|accounts|feedback>", "value": {...}}``.
    A value that is not a JSON object (the sample's deliberately truncated body)
    cannot be wrapped that way and is left out; the sample's other broken records
    are valid JSON and are written, so a replay still dead-letters them.
    """
    written = 0
    with Path(path).open("wb") as out:
        for kind, _key, raw in records:
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(value, dict):
                continue
            out.write(orjson.dumps({"topic": kind, "value": value}))
            out.write(b"\n")
            written += 1
    return written
