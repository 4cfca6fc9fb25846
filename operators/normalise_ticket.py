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
* Intercom bodies are HTML and become plain text, one line per paragraph. A
  reply's text is the newest conversation part written by a contact; the
  requester's e-mail is that author's, else the source author's, else the
  first contact's. ``priority`` maps Intercom's ``priority`` to ``high``.
* E-mails are stripped and lower-cased (and dropped when they hold no ``@``);
  status and priority are lower-cased (Zendesk events send ``OPEN``, triggers
  ``Open``); every time is timezone-aware UTC, from RFC 3339 text or Unix seconds.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any, TypeGuard, TypeVar

from pydantic import BaseModel, ValidationError

from contracts.errors import PoisonRecord
from contracts.helpdesk import (
    INTERCOM_ADMIN_CLOSED,
    INTERCOM_USER_CREATED,
    ZENDESK_EVENT_MODELS,
    GenericTicket,
    IntercomAuthor,
    IntercomConversation,
    IntercomNotification,
    IntercomPart,
    ZendeskCommentAdded,
    ZendeskEventWebhookBase,
    ZendeskStatusChanged,
    ZendeskTriggerBody,
    validation_summary,
)
from operators.records import Ticket

__all__ = ["html_to_text", "normalise_ticket"]

_ZENDESK_EVENT_PREFIX = "zen:event-type:"
_CONTACT_AUTHOR_TYPES = frozenset({"user", "lead", "contact"})
_NO_VALUE = frozenset({"", "-"})
_NAME = re.compile(r"[A-Za-z0-9_.:-]+")

M = TypeVar("M", bound=BaseModel)


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
            return _intercom(body)
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
        raise PoisonRecord(f"unsupported Zendesk event type {_safe_name(event_type)}")
    hook: ZendeskEventWebhookBase = _validate(model, body, "Zendesk event webhook")
    d = hook.detail
    common: dict[str, Any] = {
        "record_id": hook.id,
        "ticket_id": f"zendesk:{d.id}",
        "source": "zendesk",
        "subject": d.subject or "",
        "organization_id": None if d.organization_id == "0" else d.organization_id,
        "status": _lower(d.status),
        "priority": _lower(d.priority),
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
        common["status"] = _lower(hook.event.current) or common["status"]
        return Ticket(**common, kind="updated", body="", created_at=hook.time)
    return Ticket(
        **common, kind="created", body=d.description or "", created_at=d.created_at or hook.time
    )


# --- Zendesk trigger body ---------------------------------------------------


def _zendesk_trigger(body: dict[str, Any]) -> Ticket:
    t = _validate(ZendeskTriggerBody, body, "Zendesk trigger body").ticket
    requester = t.requester
    return Ticket(
        record_id=f"zendesk:{t.id}:created",
        ticket_id=f"zendesk:{t.id}",
        source="zendesk",
        kind="created",
        subject=t.subject,
        body=t.description,
        created_at=t.created_at,
        requester_email=_email(requester.email) if requester else None,
        requester_name=_text_or_none(requester.name) if requester else None,
        account_id=t.organization.external_id if t.organization else None,
        status=_lower(t.status),
        priority=_lower(t.priority),
        url=_https(t.url),
        tags=tuple(t.tags),
    )


# --- Intercom ---------------------------------------------------------------


def _intercom(body: dict[str, Any]) -> Ticket:
    note = _validate(IntercomNotification, body, "Intercom notification")
    conv = note.data.item
    source = conv.source
    source_author = source.author if source else None
    subject = _plain(source.subject if source and source.subject else conv.title or "")
    common: dict[str, Any] = {
        "ticket_id": f"intercom:{conv.id}",
        "source": "intercom",
        "subject": subject,
        "status": _lower(conv.state),
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
            body=_plain(source.body if source else None),
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
        body=_plain(reply.body if reply else source.body if source else None),
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
            email = _email(author.email)
            if email:
                return email
    if conv.contacts:
        for contact in conv.contacts.contacts:
            email = _email(contact.email)
            if email:
                return email
    return None


def _contact_name(author: IntercomAuthor | None) -> str | None:
    return _text_or_none(author.name) if _is_contact(author) else None


# --- generic ----------------------------------------------------------------


def _generic(body: dict[str, Any]) -> Ticket:
    g = _validate(GenericTicket, body, "generic ticket")
    return Ticket(
        record_id=f"generic:{g.ticket_id}:{g.created_at.isoformat()}",
        ticket_id=f"generic:{g.ticket_id}",
        source="generic",
        kind="created",
        subject=g.subject,
        body=g.body,
        created_at=g.created_at,
        requester_email=_email(g.requester_email),
        account_id=g.account_id,
        status=_lower(g.status),
        url=_text_or_none(g.url),
    )


# --- helpers ----------------------------------------------------------------


def _validate(model: type[M], body: dict[str, Any], what: str) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise PoisonRecord(f"{what} invalid: {validation_summary(exc)}") from None


def _safe_name(name: str) -> str:
    # An event type is an identifier; anything else in that field is not echoed.
    if len(name) <= 80 and _NAME.fullmatch(name):
        return repr(name)
    return "(not shown: not an identifier)"


def _lower(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip().lower()
    return None if text in _NO_VALUE else text


def _text_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None


def _email(value: str | None) -> str | None:
    if not value:
        return None
    email = value.strip().lower()
    return email if "@" in email else None


def _https(url: str | None) -> str | None:
    url = _text_or_none(url)
    if url is None or "://" in url:
        return url
    return f"https://{url}"


# --- HTML to text -----------------------------------------------------------

_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "tr", "table", "blockquote", "pre", "hr", "section", "article",
})
_SKIPPED_TAGS = frozenset({"script", "style", "head", "title"})
# A tag starts with a letter right after "<" (so "5 < 6" stays text). No alternative
# may cross a "<", which keeps the scan linear however malformed the markup.
_TAG = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9]*)(?:[^<>"']|"[^"<]*"|'[^'<]*')*>|<[!?][^<>]*>""")
# Tags whose content is dropped or kept verbatim need the slower, stateful pass.
_STATEFUL_TAG = re.compile(r"<(?:script|style|head|title|pre)\b", re.IGNORECASE)


def _tag_break(match: re.Match[str]) -> str:
    name = match.group(2)
    return "\n" if name is not None and name.lower() in _BLOCK_TAGS else ""


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, one line per block.

    One linear regex pass rather than :mod:`html.parser`, which is several times
    slower on the small fragments helpdesks send; this runs on every Intercom record.

    >>> html_to_text("<p>Our numbers are <b>wrong</b> &amp; missing</p><p>Please help</p>")
    'Our numbers are wrong & missing\\nPlease help'
    >>> html_to_text("line one<br>line   two")
    'line one\\nline two'
    >>> html_to_text("<p>a source line break\\nis a space</p>")
    'a source line break is a space'
    >>> html_to_text("no markup at all")
    'no markup at all'
    """
    if "<" not in html and "&" not in html:
        # No markup: plain text (e-mail and SMS sources), whose line breaks are real.
        return _tidy_lines(html)
    if "<!--" in html:
        html = _without_comments(html)
    if not _STATEFUL_TAG.search(html):
        # The usual fragment (<p>, <br>, <b>, <a>): one substitution does it.
        return _tidy_lines(unescape(_TAG.sub(_tag_break, " ".join(html.splitlines()))))
    out: list[str] = []
    pos = 0
    skipping: str | None = None
    preformatted = 0
    for match in _TAG.finditer(html):
        if skipping is None:
            out.append(_source_text(html[pos : match.start()], preformatted))
        pos = match.end()
        name = match.group(2)
        if name is None:  # <!DOCTYPE …>, <?xml …?>
            continue
        name = name.lower()
        closing = bool(match.group(1))
        if skipping is not None:
            if closing and name == skipping:
                skipping = None
        elif name in _SKIPPED_TAGS:
            skipping = None if closing else name
        elif name in _BLOCK_TAGS:
            out.append("\n")
            if name == "pre":
                preformatted = max(0, preformatted - 1) if closing else preformatted + 1
    if skipping is None:
        out.append(_source_text(html[pos:], preformatted))
    return _tidy_lines(unescape("".join(out)))


def _source_text(text: str, preformatted: int) -> str:
    # In HTML a line break in the source is just a space, except inside <pre>.
    return text if preformatted else " ".join(text.splitlines())


def _without_comments(html: str) -> str:
    parts: list[str] = []
    pos = 0
    while (start := html.find("<!--", pos)) >= 0:
        parts.append(html[pos:start])
        end = html.find("-->", start + 4)
        if end < 0:
            return "".join(parts)
        pos = end + 3
    parts.append(html[pos:])
    return "".join(parts)


def _tidy_lines(text: str) -> str:
    """Whitespace runs collapsed within each line; blank lines dropped."""
    return "\n".join(filter(None, (" ".join(line.split()) for line in text.splitlines())))


def _plain(value: str | None) -> str:
    return html_to_text(value) if value else ""
