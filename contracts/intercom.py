"""Intercom ``notification_event`` webhooks whose ``data.item`` is a conversation
(CONTRACTS.md, "support tickets"): topics ``conversation.user.created``,
``conversation.user.replied`` and ``conversation.admin.closed``, with the
conversation model of Intercom's REST API 2.x. Fields cuewire never reads are
left unnamed on purpose: each one costs a parse on the hot path.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator

from contracts.wire_types import Id, OptionalId, UtcTime, Wire

# ---------------------------------------------------------------------------
# 3. Intercom notification_event webhooks carrying a conversation
# ---------------------------------------------------------------------------

INTERCOM_USER_CREATED = "conversation.user.created"
INTERCOM_USER_REPLIED = "conversation.user.replied"
INTERCOM_ADMIN_CLOSED = "conversation.admin.closed"


class IntercomAuthor(Wire):
    """``conversation_part_author``: a contact (user, lead), an admin, a bot or a team."""

    type: str | None = None
    id: OptionalId = None
    name: str | None = None
    email: str | None = None


class IntercomSource(Wire):
    """The message that opened the conversation."""

    type: str | None = None
    id: OptionalId = None
    delivered_as: str | None = None
    subject: str | None = None
    body: str | None = None
    author: IntercomAuthor | None = None
    url: str | None = None
    redacted: bool | None = None


class IntercomPart(Wire):
    type: str | None = None
    id: OptionalId = None
    part_type: str | None = None
    body: str | None = None
    created_at: UtcTime | None = None
    author: IntercomAuthor | None = None
    external_id: OptionalId = None
    redacted: bool | None = None


class IntercomParts(Wire):
    type: str | None = None
    conversation_parts: list[IntercomPart] = []
    total_count: int | None = None


class IntercomContactReference(Wire):
    type: str | None = None
    id: OptionalId = None
    external_id: OptionalId = None
    # Not in Intercom's 2.x contact reference; CONTRACTS.md allows an e-mail here.
    email: str | None = None


def _listed(value: object) -> object:
    # Older API versions send ``contacts`` as a bare list, newer ones as a contact.list.
    if isinstance(value, list):
        return {"contacts": value}
    return value


class IntercomContacts(Wire):
    type: str | None = None
    contacts: list[IntercomContactReference] = []


class IntercomTag(Wire):
    type: str | None = None
    id: OptionalId = None
    name: str | None = None


class IntercomTags(Wire):
    type: str | None = None
    tags: list[IntercomTag] = []


class IntercomConversation(Wire):
    type: str | None = None
    id: Id
    title: str | None = None
    created_at: UtcTime
    updated_at: UtcTime | None = None
    open: bool | None = None
    state: str | None = None
    read: bool | None = None
    priority: str | None = None
    admin_assignee_id: OptionalId = None
    team_assignee_id: OptionalId = None
    tags: IntercomTags | None = None
    source: IntercomSource | None = None
    contacts: Annotated[IntercomContacts | None, BeforeValidator(_listed)] = None
    conversation_parts: IntercomParts | None = None


class IntercomNotificationData(Wire):
    type: str | None = None
    item: IntercomConversation


class IntercomNotification(Wire):
    type: Literal["notification_event"]
    app_id: OptionalId = None
    id: OptionalId = None
    topic: Literal[
        "conversation.user.created", "conversation.user.replied", "conversation.admin.closed"
    ]
    data: IntercomNotificationData
    delivery_status: str | None = None
    delivery_attempts: int | None = None
    created_at: UtcTime | None = None
