"""The generic ticket form (``{"source": "generic", ...}``), for helpdesks without a shape of their own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cuewire_dev.sample.vendor_times import iso_seconds


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
        "created_at": iso_seconds(created_at),
    }
    if status is not None:
        out["status"] = status
    if url is not None:
        out["url"] = url
    return out
