"""An Intercom notification as a :class:`~operators.records.Ticket`.

Intercom bodies are HTML and become plain text, one line per paragraph. A new
conversation is ``created``; an admin closing it is ``updated`` with no body; a
reply's text is the newest conversation part written by a contact (never an
admin's, a bot's or a team's words). The requester's e-mail is that author's,
else the source author's, else the first contact's. ``priority`` maps Intercom's
``priority`` to ``high``. Without the notification's ``id`` (a relay dropped it)
the record id is ``intercom:<conversation>:<topic>:<part>``.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from contracts.intercom import (
    INTERCOM_ADMIN_CLOSED,
    INTERCOM_USER_CREATED,
    IntercomAuthor,
    IntercomConversation,
    IntercomNotification,
    IntercomPart,
)
from operators.helpdesk_fields import email as clean_email
from operators.helpdesk_fields import lower, text_or_none, validate
from operators.html_text import plain
from operators.records import Ticket

_CONTACT_AUTHOR_TYPES = frozenset({"user", "lead", "contact"})


def intercom_ticket(body: dict[str, Any]) -> Ticket:
    note = validate(IntercomNotification, body, "Intercom notification")
    conv = note.data.item
    source = conv.source
    source_author = source.author if source else None
    subject = plain(source.subject if source and source.subject else conv.title or "")
    common: dict[str, Any] = {
        "ticket_id": f"intercom:{conv.id}",
        "source": "intercom",
        "subject": subject,
        "status": lower(conv.state),
        "priority": "high" if conv.priority == "priority" else None,
        "url": f"https://app.intercom.com/a/apps/{note.app_id}/conversations/{conv.id}"
        if note.app_id
        else None,
        "tags": tuple(t.name for t in conv.tags.tags if t.name) if conv.tags else (),
    }
    if note.topic == INTERCOM_USER_CREATED:
        return Ticket(
            **common,
            record_id=note.id or f"intercom:{conv.id}:created",
            kind="created",
            body=plain(source.body if source else None),
            created_at=conv.created_at,
            requester_email=_requester_email(conv, source_author),
            requester_name=_contact_name(source_author),
        )
    newest = _newest_part(conv)
    when = (newest.created_at if newest else None) or conv.updated_at or note.created_at
    if note.topic == INTERCOM_ADMIN_CLOSED:
        common["status"] = "closed"
        return Ticket(
            **common,
            record_id=note.id or f"intercom:{conv.id}:closed:{_part_ref(newest)}",
            kind="updated",
            body="",
            created_at=when or conv.created_at,
            requester_email=_requester_email(conv, source_author),
        )
    reply = _newest_part(conv, contact_only=True)
    author = reply.author if reply else source_author
    return Ticket(
        **common,
        record_id=note.id or f"intercom:{conv.id}:replied:{_part_ref(reply)}",
        kind="replied",
        body=plain(reply.body if reply else source.body if source else None),
        created_at=(reply.created_at if reply else None) or when or conv.created_at,
        requester_email=_requester_email(conv, author, source_author),
        requester_name=_contact_name(author),
    )


def _newest_part(conv: IntercomConversation, contact_only: bool = False) -> IntercomPart | None:
    if conv.conversation_parts is None:
        return None
    newest: IntercomPart | None = None
    for part in conv.conversation_parts.conversation_parts:
        if contact_only and not (part.body and _is_contact(part.author)):
            continue
        # Parts arrive oldest first; ``>=`` keeps the later of two with one timestamp.
        if newest is None or _part_time(part) >= _part_time(newest):
            newest = part
    return newest


def _part_ref(part: IntercomPart | None) -> str:
    return part.id if part is not None and part.id else "-"


def _part_time(part: IntercomPart) -> float:
    return part.created_at.timestamp() if part.created_at else float("-inf")


def _is_contact(author: IntercomAuthor | None) -> TypeGuard[IntercomAuthor]:
    """A user or lead wrote it, not an admin, bot or team."""
    return author is not None and author.type in _CONTACT_AUTHOR_TYPES


def _requester_email(conv: IntercomConversation, *authors: IntercomAuthor | None) -> str | None:
    for author in authors:
        if _is_contact(author):
            email = clean_email(author.email)
            if email:
                return email
    if conv.contacts:
        for contact in conv.contacts.contacts:
            email = clean_email(contact.email)
            if email:
                return email
    return None


def _contact_name(author: IntercomAuthor | None) -> str | None:
    return text_or_none(author.name) if _is_contact(author) else None
