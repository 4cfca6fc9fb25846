"""Intercom bodies: the ``conversation.*`` notification, its conversation, parts and authors.

Same field sets as the fixtures in ``tests/fixtures/tickets``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cuewire_dev.sample.vendor_times import unix_seconds

INTERCOM_APP_ID = "k7qv2m9x"


def intercom_author(kind: str, author_id: str, name: str, email: str) -> dict[str, Any]:
    return {"type": kind, "id": author_id, "name": name, "email": email}


def intercom_part(
    *, part_id: str, part_type: str, body: str | None, at: datetime, author: dict[str, Any]
) -> dict[str, Any]:
    """One ``conversation_part`` (Intercom REST API 2.x)."""
    ts = unix_seconds(at)
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
    created = unix_seconds(created_at)
    admins = sorted({p["author"]["id"] for p in parts if p["author"]["type"] == "admin"})
    return {
        "type": "conversation",
        "id": conversation_id,
        "title": None,
        "created_at": created,
        "updated_at": unix_seconds(updated_at),
        "waiting_since": None if state == "closed" else unix_seconds(updated_at),
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
    created = unix_seconds(created_at)
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
    ts = unix_seconds(at)
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
