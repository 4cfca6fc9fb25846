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

Every model ignores fields it does not name (vendors add fields without
notice), takes ids as JSON numbers or strings, and takes times as RFC 3339 text
or Unix seconds. Time fields cuewire never reads (``waiting_since``,
``delivered_at``, a part's ``notified_at`` …) are left unnamed on purpose: each
one costs a parse on the hot path. The field types shared with the Segment models (:data:`Id`,
:data:`OptionalId`, :data:`UtcTime`) and :func:`validation_summary`, which
reports a validation failure without echoing the payload, live here too.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainValidator, ValidationError

# ---------------------------------------------------------------------------
# Shared field types
# ---------------------------------------------------------------------------

_MAX_ID_LENGTH = 256
# Above this a number cannot be Unix seconds (it would be past the year 5000),
# so it is read as milliseconds, which some relays write instead.
_MILLIS_THRESHOLD = 100_000_000_000


def _required_id(value: object) -> str:
    text = _id_text(value)
    if text is None:
        raise ValueError("must be a non-empty id (string or integer)")
    return text


def _optional_id(value: object) -> str | None:
    return _id_text(value)


def _id_text(value: object) -> str | None:
    if value is None:
        return None
    # bool is an int subclass; true/false is never an id.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_ID_LENGTH:
            raise ValueError(f"id longer than {_MAX_ID_LENGTH} characters")
        return text or None
    raise ValueError("must be an id (string or integer)")


def parse_time(value: object) -> datetime:
    """An RFC 3339 / ISO 8601 time or Unix seconds, as a timezone-aware UTC datetime.

    A time without a zone is taken to be UTC. Digit-only strings are Unix
    seconds (some relays quote them); numbers past the year 5000 are read as
    milliseconds.

    >>> parse_time("2026-11-20T10:15:00Z")
    datetime.datetime(2026, 11, 20, 10, 15, tzinfo=datetime.timezone.utc)
    >>> parse_time("2026-11-20T12:15:00+02:00").hour
    10
    >>> parse_time(1795169700) == parse_time("2026-11-20T10:15:00Z")
    True
    >>> parse_time("2026-11-20T10:15:00").tzinfo
    datetime.timezone.utc
    """
    if isinstance(value, datetime):
        return _as_utc(value)
    if isinstance(value, bool):
        raise ValueError("expected an RFC 3339 time or Unix seconds, got a boolean")
    if isinstance(value, int | float):
        return _from_epoch(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and text.isascii():
            return _from_epoch(int(text) if len(text) < 20 else math.inf)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("expected an RFC 3339 time or Unix seconds") from None
        return _as_utc(parsed)
    raise ValueError("expected an RFC 3339 time or Unix seconds")


def _from_epoch(value: float) -> datetime:
    if not math.isfinite(value) or value < 0:
        raise ValueError("Unix time out of range")
    seconds = value / 1000 if value >= _MILLIS_THRESHOLD else value
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError("Unix time out of range") from None


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, year 9999 west of it
        raise ValueError("time out of range once moved to UTC") from None


Id = Annotated[str, BeforeValidator(_required_id, json_schema_input_type=str | int)]
"""A required id: a JSON string or integer, kept as stripped text."""

OptionalId = Annotated[str | None, BeforeValidator(_optional_id, json_schema_input_type=str | int | None)]
"""An optional id; an empty string counts as absent."""

UtcTime = Annotated[datetime, PlainValidator(parse_time, json_schema_input_type=str | int)]
"""RFC 3339 text or Unix seconds, validated into a timezone-aware UTC datetime."""


def validation_summary(exc: ValidationError, limit: int = 3) -> str:
    """Which fields failed and why, never the values (they may hold ticket text)."""
    errors = exc.errors(include_input=False, include_url=False, include_context=False)
    parts = []
    for err in errors[:limit]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    if len(errors) > limit:
        parts.append(f"and {len(errors) - limit} more")
    return "; ".join(parts)


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def _tag_list(value: object) -> object:
    # Zendesk's {{ticket.tags}} placeholder renders as one space-separated string.
    if isinstance(value, str):
        return value.split()
    if value is None:
        return []
    return value


Tags = Annotated[list[str], BeforeValidator(_tag_list, json_schema_input_type=list[str] | str | None)]

# ---------------------------------------------------------------------------
# 1. Zendesk event webhooks
# ---------------------------------------------------------------------------

ZENDESK_TICKET_CREATED = "zen:event-type:ticket.created"
ZENDESK_COMMENT_ADDED = "zen:event-type:ticket.comment_added"
ZENDESK_STATUS_CHANGED = "zen:event-type:ticket.status_changed"


class ZendeskVia(_Wire):
    channel: str | None = None


class ZendeskTicketDetail(_Wire):
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


class ZendeskCommentAuthor(_Wire):
    id: OptionalId = None
    is_staff: bool | None = None
    name: str | None = None


class ZendeskComment(_Wire):
    id: OptionalId = None
    body: str
    is_public: bool | None = None
    author: ZendeskCommentAuthor | None = None


class ZendeskCommentAddedEvent(_Wire):
    comment: ZendeskComment


class ZendeskStatusChangedEvent(_Wire):
    current: str | None = None
    previous: str | None = None


class ZendeskEventWebhookBase(_Wire):
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


class ZendeskTriggerRequester(_Wire):
    email: str | None = None
    name: str | None = None


class ZendeskTriggerOrganization(_Wire):
    name: str | None = None
    external_id: OptionalId = None


class ZendeskTriggerTicket(_Wire):
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


class ZendeskTriggerBody(_Wire):
    ticket: ZendeskTriggerTicket


# ---------------------------------------------------------------------------
# 3. Intercom notification_event webhooks carrying a conversation
# ---------------------------------------------------------------------------

INTERCOM_USER_CREATED = "conversation.user.created"
INTERCOM_USER_REPLIED = "conversation.user.replied"
INTERCOM_ADMIN_CLOSED = "conversation.admin.closed"


class IntercomAuthor(_Wire):
    """``conversation_part_author``: a contact (user, lead), an admin, a bot or a team."""

    type: str | None = None
    id: OptionalId = None
    name: str | None = None
    email: str | None = None


class IntercomSource(_Wire):
    """The message that opened the conversation."""

    type: str | None = None
    id: OptionalId = None
    delivered_as: str | None = None
    subject: str | None = None
    body: str | None = None
    author: IntercomAuthor | None = None
    url: str | None = None
    redacted: bool | None = None


class IntercomPart(_Wire):
    type: str | None = None
    id: OptionalId = None
    part_type: str | None = None
    body: str | None = None
    created_at: UtcTime | None = None
    author: IntercomAuthor | None = None
    external_id: OptionalId = None
    redacted: bool | None = None


class IntercomParts(_Wire):
    type: str | None = None
    conversation_parts: list[IntercomPart] = []
    total_count: int | None = None


class IntercomContactReference(_Wire):
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


class IntercomContacts(_Wire):
    type: str | None = None
    contacts: list[IntercomContactReference] = []


class IntercomTag(_Wire):
    type: str | None = None
    id: OptionalId = None
    name: str | None = None


class IntercomTags(_Wire):
    type: str | None = None
    tags: list[IntercomTag] = []


class IntercomConversation(_Wire):
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


class IntercomNotificationData(_Wire):
    type: str | None = None
    item: IntercomConversation


class IntercomNotification(_Wire):
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


# ---------------------------------------------------------------------------
# 4. The canonical generic form
# ---------------------------------------------------------------------------


class GenericTicket(_Wire):
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
