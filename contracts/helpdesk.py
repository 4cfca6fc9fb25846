"""Helpdesk webhook bodies as the helpdesks post them (CONTRACTS.md, "support tickets").

Four shapes arrive on ``cuewire.tickets``:

* Zendesk event webhooks (``zen:event-type:ticket.created``, ``…comment_added``,
  ``…status_changed``), with the ``detail`` and ``event`` objects of Zendesk's
  "Ticket events" webhook reference;
* the JSON body a Zendesk "Ticket is Created" trigger posts, built from
  placeholders (``{"ticket": {...}}``);
* Intercom ``notification_event`` webhooks whose ``data.item`` is a conversation
  (topics ``conversation.user.created``, ``conversation.user.replied``,
  ``conversation.admin.closed``), with the conversation model of Intercom's REST
  API 2.x;
* the canonical ``{"source": "generic", ...}`` form for anything a relay maps.

The Intercom models are in ``contracts/intercom.py``.

Every model ignores fields it does not name (vendors add fields without
notice), takes ids as JSON numbers or strings, and takes times as RFC 3339 text
or Unix seconds. Time fields cuewire never reads (``waiting_since``,
``delivered_at``, a part's ``notified_at`` …) are left unnamed on purpose: each
one costs a parse on the hot path. The field types shared with the Segment models (:data:`Id`,
:data:`OptionalId`, :data:`UtcTime`) and :func:`validation_summary` are in
``contracts/wire_types.py``.
"""

from __future__ import annotations

from typing import Any, Literal

from contracts.wire_types import Id, OptionalId, Tags, UtcTime, Wire

# ---------------------------------------------------------------------------
# 1. Zendesk event webhooks
# ---------------------------------------------------------------------------

ZENDESK_TICKET_CREATED = "zen:event-type:ticket.created"
ZENDESK_COMMENT_ADDED = "zen:event-type:ticket.comment_added"
ZENDESK_STATUS_CHANGED = "zen:event-type:ticket.status_changed"


class ZendeskVia(Wire):
    channel: str | None = None


class ZendeskTicketDetail(Wire):
    """The ``detail`` object of a Zendesk ticket event: the ticket as it is now."""

    id: Id
    actor_id: OptionalId = None
    assignee_id: OptionalId = None
    brand_id: OptionalId = None
    created_at: UtcTime | None = None
    custom_status: OptionalId = None
    description: str | None = None
    external_id: OptionalId = None
    form_id: OptionalId = None
    group_id: OptionalId = None
    is_public: bool | None = None
    organization_id: OptionalId = None
    priority: str | None = None
    requester_id: OptionalId = None
    status: str | None = None
    subject: str | None = None
    submitter_id: OptionalId = None
    tags: Tags = []
    type: str | None = None
    updated_at: UtcTime | None = None
    via: ZendeskVia | None = None


class ZendeskCommentAuthor(Wire):
    id: OptionalId = None
    is_staff: bool | None = None
    name: str | None = None


class ZendeskComment(Wire):
    id: OptionalId = None
    body: str
    is_public: bool | None = None
    author: ZendeskCommentAuthor | None = None


class ZendeskCommentAddedEvent(Wire):
    comment: ZendeskComment


class ZendeskStatusChangedEvent(Wire):
    current: str | None = None
    previous: str | None = None


class ZendeskEventWebhookBase(Wire):
    """What every Zendesk ticket event webhook carries."""

    account_id: OptionalId = None
    id: Id
    time: UtcTime
    zendesk_event_version: str | None = None
    subject: str | None = None
    detail: ZendeskTicketDetail


class ZendeskTicketCreated(ZendeskEventWebhookBase):
    type: Literal["zen:event-type:ticket.created"]
    event: dict[str, Any] = {}


class ZendeskCommentAdded(ZendeskEventWebhookBase):
    type: Literal["zen:event-type:ticket.comment_added"]
    event: ZendeskCommentAddedEvent


class ZendeskStatusChanged(ZendeskEventWebhookBase):
    type: Literal["zen:event-type:ticket.status_changed"]
    event: ZendeskStatusChangedEvent


ZendeskEventWebhook = ZendeskTicketCreated | ZendeskCommentAdded | ZendeskStatusChanged

ZENDESK_EVENT_MODELS: dict[str, type[ZendeskEventWebhookBase]] = {
    ZENDESK_TICKET_CREATED: ZendeskTicketCreated,
    ZENDESK_COMMENT_ADDED: ZendeskCommentAdded,
    ZENDESK_STATUS_CHANGED: ZendeskStatusChanged,
}

# ---------------------------------------------------------------------------
# 2. Zendesk trigger body ("Ticket is Created" trigger, JSON built from placeholders)
# ---------------------------------------------------------------------------


class ZendeskTriggerRequester(Wire):
    email: str | None = None
    name: str | None = None


class ZendeskTriggerOrganization(Wire):
    name: str | None = None
    external_id: OptionalId = None


class ZendeskTriggerTicket(Wire):
    id: Id
    subject: str = ""
    description: str = ""
    url: str | None = None
    created_at: UtcTime
    priority: str | None = None
    status: str | None = None
    tags: Tags = []
    requester: ZendeskTriggerRequester | None = None
    organization: ZendeskTriggerOrganization | None = None


class ZendeskTriggerBody(Wire):
    ticket: ZendeskTriggerTicket


# ---------------------------------------------------------------------------
# 4. The canonical generic form
# ---------------------------------------------------------------------------


class GenericTicket(Wire):
    """``{"source": "generic", ...}``; ``subject`` may be empty, ``body`` may not be absent."""

    source: Literal["generic"]
    ticket_id: Id
    account_id: OptionalId = None
    requester_email: str | None = None
    subject: str = ""
    body: str
    created_at: UtcTime
    status: str | None = None
    url: str | None = None
