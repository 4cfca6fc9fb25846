"""Segment messages: ``track``, ``page``, ``identify`` and ``group`` calls as Segment sends them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from cuewire_dev.sample.vendor_times import iso_millis


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
    msg["originalTimestamp"] = iso_millis(at - timedelta(milliseconds=361))
    if properties is not None:
        msg["properties"] = properties
    msg["receivedAt"] = iso_millis(at + timedelta(milliseconds=105))
    msg["sentAt"] = iso_millis(at - timedelta(milliseconds=256))
    msg["timestamp"] = iso_millis(at)
    if traits is not None:
        msg["traits"] = traits
    msg["type"] = call
    if user_id is not None:
        msg["userId"] = user_id
    msg["version"] = 2
    return msg
