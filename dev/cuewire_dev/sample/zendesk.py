"""Zendesk bodies: the event webhook (``zen:event-type:…``) and the trigger's JSON body.

Same field sets as the fixtures in ``tests/fixtures/tickets``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cuewire_dev.sample.vendor_times import iso_minutes, iso_nanos, iso_seconds

ZENDESK_ACCOUNT_ID = 31852207
ZENDESK_SUBDOMAIN = "northwindhelp"


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
        "created_at": iso_seconds(created_at),
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
        "updated_at": iso_seconds(updated_at),
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
        "time": iso_nanos(at, nanos),
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
            "created_at": iso_minutes(created_at),
            "priority": priority,
            "status": status,
            "tags": " ".join(tags),
            "requester": {"email": requester_email, "name": requester_name},
            "organization": {"name": organization_name, "external_id": organization_external_id},
        }
    }
