"""Turn any recognised helpdesk webhook body into one :class:`~operators.records.Ticket`.

The body is dispatched on its discriminating keys before anything is
validated (this runs once per record): ``type`` starting ``zen:event-type:``
is a Zendesk event webhook, ``type == "notification_event"`` an Intercom
notification, a ``ticket`` object a Zendesk trigger body, ``source ==
"generic"`` the canonical form. Only the one matching model then validates it.
Anything else raises :class:`~contracts.errors.PoisonRecord`, whose message
names fields, ids and event types, never ticket text.

What each shape becomes:

* ``ticket_id`` is prefixed by its helpdesk (``zendesk:123``, ``intercom:456``,
  ``generic:T-1``) so two helpdesks' ids never collide.
* ``record_id`` is the delivery's idempotency key: the Zendesk event ``id``;
  ``zendesk:<ticket id>:created`` for a trigger body (the trigger fires once per
  ticket and its body carries no delivery id); the Intercom notification ``id``
  (or ``intercom:<conversation>:<topic>:<part>`` when a relay dropped it);
  ``generic:<ticket_id>:<created_at>`` for the generic form.
* ``kind`` is ``created`` for a new ticket or conversation, ``replied`` for a
  customer's reply, ``updated`` for a status change or close. A Zendesk comment
  written by staff, or a private note, is also ``updated`` with an empty body:
  an agent's words are not the customer's and must never be scored as theirs.
* Zendesk event webhooks name the requester only by id, so they carry no
  e-mail; their ``detail.organization_id`` becomes ``organization_id`` (as text;
  ``"0"`` is Zendesk's "none").
* In a trigger body ``organization.external_id`` becomes ``account_id``: teams
  set a Zendesk organisation's external id to the CRM's account id, which is
  exactly what the account resolver looks for first. Its ``url`` gains the
  ``https://`` that ``{{ticket.url}}`` renders without.
* Intercom bodies are HTML and become plain text (:mod:`operators.normalise_intercom`).
* E-mails are stripped and lower-cased (and dropped when they hold no ``@``);
  status and priority are lower-cased (Zendesk events send ``OPEN``, triggers
  ``Open``); every time is timezone-aware UTC, from RFC 3339 text or Unix seconds
  (:mod:`operators.helpdesk_fields`).
"""

from __future__ import annotations

from typing import Any

from contracts.errors import PoisonRecord
from contracts.helpdesk import (
    ZENDESK_EVENT_MODELS,
    GenericTicket,
    ZendeskCommentAdded,
    ZendeskEventWebhookBase,
    ZendeskStatusChanged,
    ZendeskTriggerBody,
)
from operators.helpdesk_fields import email, https, lower, safe_name, text_or_none, validate
from operators.html_text import html_to_text
from operators.normalise_intercom import intercom_ticket
from operators.records import Ticket

__all__ = ["html_to_text", "normalise_ticket"]

_ZENDESK_EVENT_PREFIX = "zen:event-type:"


def normalise_ticket(body: dict[str, Any]) -> Ticket:
    """One helpdesk webhook body as a :class:`Ticket`, or :class:`PoisonRecord`.

    >>> t = normalise_ticket({"source": "generic", "ticket_id": "T-1",
    ...     "requester_email": " Dana@Acme.io ", "subject": "Export", "body": "How do I export?",
    ...     "created_at": "2026-11-20T10:15:00Z"})
    >>> t.ticket_id, t.record_id, t.requester_email, t.kind
    ('generic:T-1', 'generic:T-1:2026-11-20T10:15:00+00:00', 'dana@acme.io', 'created')
    >>> normalise_ticket({"hi": "there"})
    Traceback (most recent call last):
    ...
    contracts.errors.PoisonRecord: ticket body matches no known helpdesk shape (top-level keys: hi)
    """
    if not isinstance(body, dict):
        raise PoisonRecord(f"ticket body is a JSON {type(body).__name__}, not an object")
    kind = body.get("type")
    if isinstance(kind, str):
        if kind.startswith(_ZENDESK_EVENT_PREFIX):
            return _zendesk_event(body, kind)
        if kind == "notification_event":
            return intercom_ticket(body)
    if isinstance(body.get("ticket"), dict):
        return _zendesk_trigger(body)
    if body.get("source") == "generic":
        return _generic(body)
    raise PoisonRecord(f"ticket body matches no known helpdesk shape ({_key_names(body)})")


def _key_names(body: dict[str, Any]) -> str:
    # Keys are field names, not content, but an arbitrary body could use anything as a
    # key: keep only short identifier-like ones and only a few.
    names = sorted(k for k in body if isinstance(k, str) and len(k) <= 40 and k.isidentifier())
    if not names:
        return "no recognisable top-level keys"
    return "top-level keys: " + ", ".join(names[:8]) + (", …" if len(names) > 8 else "")


# --- Zendesk event webhooks -------------------------------------------------


def _zendesk_event(body: dict[str, Any], event_type: str) -> Ticket:
    model = ZENDESK_EVENT_MODELS.get(event_type)
    if model is None:
        raise PoisonRecord(f"unsupported Zendesk event type {safe_name(event_type)}")
    hook: ZendeskEventWebhookBase = validate(model, body, "Zendesk event webhook")
    d = hook.detail
    common: dict[str, Any] = {
        "record_id": hook.id,
        "ticket_id": f"zendesk:{d.id}",
        "source": "zendesk",
        "subject": d.subject or "",
        "organization_id": None if d.organization_id == "0" else d.organization_id,
        "status": lower(d.status),
        "priority": lower(d.priority),
        "tags": tuple(d.tags),
    }
    if isinstance(hook, ZendeskCommentAdded):
        comment = hook.event.comment
        author = comment.author
        from_staff = bool(author and author.is_staff) or comment.is_public is False
        return Ticket(
            **common,
            kind="updated" if from_staff else "replied",
            body="" if from_staff else comment.body,
            created_at=hook.time,
            requester_name=None if from_staff or author is None else author.name,
        )
    if isinstance(hook, ZendeskStatusChanged):
        common["status"] = lower(hook.event.current) or common["status"]
        return Ticket(**common, kind="updated", body="", created_at=hook.time)
    return Ticket(
        **common, kind="created", body=d.description or "", created_at=d.created_at or hook.time
    )


# --- Zendesk trigger body ---------------------------------------------------


def _zendesk_trigger(body: dict[str, Any]) -> Ticket:
    t = validate(ZendeskTriggerBody, body, "Zendesk trigger body").ticket
    requester = t.requester
    return Ticket(
        record_id=f"zendesk:{t.id}:created",
        ticket_id=f"zendesk:{t.id}",
        source="zendesk",
        kind="created",
        subject=t.subject,
        body=t.description,
        created_at=t.created_at,
        requester_email=email(requester.email) if requester else None,
        requester_name=text_or_none(requester.name) if requester else None,
        account_id=t.organization.external_id if t.organization else None,
        status=lower(t.status),
        priority=lower(t.priority),
        url=https(t.url),
        tags=tuple(t.tags),
    )


# --- generic ----------------------------------------------------------------


def _generic(body: dict[str, Any]) -> Ticket:
    g = validate(GenericTicket, body, "generic ticket")
    return Ticket(
        record_id=f"generic:{g.ticket_id}:{g.created_at.isoformat()}",
        ticket_id=f"generic:{g.ticket_id}",
        source="generic",
        kind="created",
        subject=g.subject,
        body=g.body,
        created_at=g.created_at,
        requester_email=email(g.requester_email),
        account_id=g.account_id,
        status=lower(g.status),
        url=text_or_none(g.url),
    )
