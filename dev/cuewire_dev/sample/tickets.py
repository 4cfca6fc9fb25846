"""The sample's tickets: who writes about what and when, as threads in every helpdesk shape.

A plan per account from its persona, one problem reported three times, requesters no
account knows; each ticket becomes a Zendesk event thread, a Zendesk trigger body, an
Intercom thread or a generic form. Three records are deliberately broken (bytes that are
not JSON, a body of no known shape, a wrongly typed field) for the dead-letter path.
"""

from __future__ import annotations

import html
import random
from datetime import datetime, timedelta
from typing import Any, Literal

from cuewire_dev.sample.builder import SAMPLE_DAYS, Builder
from cuewire_dev.sample.cast import (
    AGENTS,
    COMPETITORS,
    FOLLOW_UPS,
    INTEGRATIONS,
    PERSONA_MIX,
    TEXTS,
    UNKNOWN_REQUESTERS,
    Account,
    Person,
    Text,
)
from cuewire_dev.sample.generic import generic_ticket
from cuewire_dev.sample.intercom import (
    intercom_author,
    intercom_conversation,
    intercom_notification,
    intercom_part,
)
from cuewire_dev.sample.zendesk import (
    zendesk_comment_event,
    zendesk_detail,
    zendesk_event,
    zendesk_trigger,
)

_Planned = tuple[Account | None, Person | None, str, datetime]


def ticket_plan(b: Builder, accounts: list[Account]) -> list[_Planned]:
    """Who writes, in which category and when: a few per account from its persona, and strangers."""
    rng = b.rng
    plan: list[_Planned] = []
    for account in accounts:
        mix = PERSONA_MIX[account.persona]
        for _ in range(rng.randrange(1, 3)):
            plan.append((account, rng.choice(account.people), rng.choice(mix), b.at(
                rng.randrange(1, SAMPLE_DAYS))))
        persona_day = {"upgrade": 6, "churn": 9, "inactive": 2}.get(account.persona)
        if persona_day is not None:
            category = {"upgrade": "upgrade", "churn": "cancellation", "inactive": "high"}[
                account.persona]
            plan.append((account, account.people[0], category, b.at(persona_day)))
    frustrated = [a for a in accounts if a.persona == "frustrated"]
    if frustrated:
        # The same failure reported three times in a fortnight: repeat-unresolved.
        account = frustrated[0]
        for day in (1, 5, 10):
            plan.append((account, account.people[0], "repeat_sync", b.at(day)))
    for _ in range(max(6, len(accounts) // 4)):
        plan.append((None, None, rng.choice(["howto", "high", "upgrade", "annoyance"]),
                     b.at(rng.randrange(SAMPLE_DAYS))))
    return plan


_Shape = Literal["zendesk_event", "zendesk_trigger", "intercom", "generic"]


def shape_sequence(rng: random.Random, n: int) -> list[_Shape]:
    """The helpdesk shape of each planned ticket: every shape at least once, then weighted draws."""
    base: list[_Shape] = ["zendesk_event", "zendesk_trigger", "intercom", "generic"]
    weights = [0.35, 0.2, 0.3, 0.15]
    shapes = base[:n] + rng.choices(base, weights=weights, k=max(0, n - len(base)))
    rng.shuffle(shapes)
    return shapes


def _text(b: Builder, account: Account | None, category: str) -> Text:
    rng = b.rng
    fixed: dict[str, str] = {}
    if category == "repeat_sync":
        subject, body, tags, priority = TEXTS["high"][1]
        fixed["integration"] = "Salesforce"
    else:
        subject, body, tags, priority = rng.choice(TEXTS[category])
    users = rng.randrange(8, 40)
    fill = {
        "integration": rng.choice(INTEGRATIONS),
        "competitor": rng.choice(COMPETITORS),
        "plan": account.plan.title() if account else "Team",
        "users": str(users),
        "seats": str(users + rng.randrange(5, 20)),
        "amount": f"{rng.randrange(120, 2400)}.00",
    } | fixed
    return Text(subject.format(**fill), body.format(**fill), tags, priority)


def _follow_up(b: Builder, category: str) -> str:
    key = "high" if category == "repeat_sync" else category
    return b.rng.choice(FOLLOW_UPS[key]).format(users=b.rng.randrange(10, 40))


def _requester(b: Builder, person: Person | None) -> tuple[str, str, str]:
    """(email, name, zendesk user id) of the requester, a stranger when ``person`` is None."""
    if person is not None:
        return person.email, person.name, person.zendesk_user_id
    email, name = b.rng.choice(UNKNOWN_REQUESTERS)
    return email, name, b.digits(13)


def emit_ticket(b: Builder, shape: _Shape, account: Account | None, person: Person | None,
                category: str, at: datetime) -> bytes:
    """The planned ticket as the records its helpdesk sends; returns the first one's bytes."""
    text = _text(b, account, category)
    if shape == "zendesk_event":
        return _zendesk_event_thread(b, account, person, category, text, at)
    if shape == "zendesk_trigger":
        return _zendesk_trigger_ticket(b, account, person, text, at)
    if shape == "intercom":
        return _intercom_thread(b, account, person, category, text, at)
    return _generic(b, account, person, text, at)


def _zendesk_event_thread(b: Builder, account: Account | None, person: Person | None,
                          category: str, text: Text, at: datetime) -> bytes:
    rng = b.rng
    b.zendesk_ticket += 1
    ticket_id = str(b.zendesk_ticket)
    _, requester_name, requester_id = _requester(b, person)
    agent_id, agent_name = rng.choice(AGENTS)
    org = account.zendesk_org_id if account else None

    incident = category in ("critical", "high", "repeat_sync")

    def detail(status: str, updated: datetime, tags: list[str], actor: str | None = None
               ) -> dict[str, Any]:
        return zendesk_detail(
            ticket_id=ticket_id, subject=text.subject, description=text.body,
            requester_id=requester_id, organization_id=org, assignee_id=agent_id, tags=tags,
            priority=text.priority.upper(), status=status, created_at=at, updated_at=updated,
            actor_id=actor, ticket_type="INCIDENT" if incident else "QUESTION",
        )

    tags = list(text.tags)
    first = b.add(at, "tickets", None, zendesk_event(
        "zen:event-type:ticket.created", event_id=b.uuid(), at=at, nanos=rng.randrange(10**9),
        detail=detail("NEW", at, tags), event={},
    ))
    roll = rng.random()
    later = at + timedelta(hours=rng.randrange(2, 30))
    if roll < 0.3:
        agent_at = at + timedelta(minutes=rng.randrange(20, 180))
        b.add(agent_at, "tickets", None, zendesk_event(
            "zen:event-type:ticket.comment_added", event_id=b.uuid(), at=agent_at,
            nanos=rng.randrange(10**9), detail=detail("OPEN", agent_at, tags, agent_id),
            event=zendesk_comment_event(
                comment_id=b.digits(14), author_id=agent_id, author_name=agent_name,
                is_staff=True, body="Thanks for reaching out, we're looking into this now."),
        ))
    if roll < 0.55:
        b.add(later, "tickets", None, zendesk_event(
            "zen:event-type:ticket.comment_added", event_id=b.uuid(), at=later,
            nanos=rng.randrange(10**9), detail=detail("OPEN", later, tags),
            event=zendesk_comment_event(
                comment_id=b.digits(14), author_id=requester_id, author_name=requester_name,
                is_staff=False, body=_follow_up(b, category)),
        ))
    elif roll < 0.8:
        b.add(later, "tickets", None, zendesk_event(
            "zen:event-type:ticket.status_changed", event_id=b.uuid(), at=later,
            nanos=rng.randrange(10**9), detail=detail("SOLVED", later, tags, agent_id),
            event={"current": "SOLVED", "previous": "OPEN"},
        ))
    return first


def _zendesk_trigger_ticket(b: Builder, account: Account | None, person: Person | None,
                            text: Text, at: datetime) -> bytes:
    b.zendesk_ticket += 1
    email, name, _ = _requester(b, person)
    # Not every organisation carries the CRM id as its external id; those resolve by e-mail.
    external_id = account.account_id if account and b.rng.random() < 0.7 else ""
    body = zendesk_trigger(
        ticket_id=str(b.zendesk_ticket), subject=text.subject, description=text.body,
        created_at=at, priority=text.priority.title(), status="New", tags=list(text.tags),
        requester_email=email, requester_name=name,
        organization_name=account.name if account else "", organization_external_id=external_id,
    )
    return b.add(at, "tickets", None, body)


def _html(text: str) -> str:
    return "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in text.split("\n"))


def _intercom_thread(b: Builder, account: Account | None, person: Person | None,
                     category: str, text: Text, at: datetime) -> bytes:
    rng = b.rng
    b.intercom_conversation += rng.randrange(1, 400)
    conv_id = str(b.intercom_conversation)
    email, name, _ = _requester(b, person)
    contact_id = person.intercom_contact_id if person else f"{rng.getrandbits(96):024x}"
    author = intercom_author("user" if person else "lead", contact_id, name, email)
    _, agent_name = rng.choice(AGENTS)
    admin = intercom_author("admin", "7481203", agent_name,
                            f"{agent_name.split()[0].lower()}@northwind-support.com")
    source_id = b.digits(10)
    body_html = _html(f"{text.subject}\n{text.body}")
    tags = [text.tags[0]]

    def conversation(state: str, updated: datetime, parts: list[dict[str, Any]]) -> dict[str, Any]:
        return intercom_conversation(
            conversation_id=conv_id, created_at=at, updated_at=updated, state=state,
            source_id=source_id, body_html=body_html, author=author,
            contact_external_id=person.user_id if person else None, parts=parts,
            admin_assignee_id=7481203 if parts else None, tags=tags,
            page_url="https://app.northwind.example/inbox" if rng.random() < 0.5 else None,
        )

    first = b.add(at, "tickets", conv_id, intercom_notification(
        "conversation.user.created", notification_id=f"notif_{b.uuid()}",
        item=conversation("open", at, []), at=at + timedelta(seconds=1),
    ))
    reply_at = at + timedelta(minutes=rng.randrange(15, 120))
    admin_part = intercom_part(
        part_id=b.digits(11), part_type="comment", at=reply_at, author=admin,
        body="<p>Thanks for the details &ndash; we&#39;re on it and will update you shortly.</p>",
    )
    roll = rng.random()
    if roll < 0.45:
        user_at = reply_at + timedelta(hours=rng.randrange(1, 20))
        user_part = intercom_part(part_id=b.digits(11), part_type="comment", at=user_at,
                                  author=author, body=_html(_follow_up(b, category)))
        b.add(user_at, "tickets", conv_id, intercom_notification(
            "conversation.user.replied", notification_id=f"notif_{b.uuid()}",
            item=conversation("open", user_at, [admin_part, user_part]),
            at=user_at + timedelta(seconds=1),
        ))
    elif roll < 0.75:
        close_at = reply_at + timedelta(hours=rng.randrange(2, 24))
        close_part = intercom_part(part_id=b.digits(11), part_type="close", at=close_at,
                                   author=admin, body=None)
        b.add(close_at, "tickets", conv_id, intercom_notification(
            "conversation.admin.closed", notification_id=f"notif_{b.uuid()}",
            item=conversation("closed", close_at, [admin_part, close_part]),
            at=close_at + timedelta(seconds=1),
        ))
    return first


def _generic(b: Builder, account: Account | None, person: Person | None, text: Text,
             at: datetime) -> bytes:
    b.generic_ticket += 1
    email, _, _ = _requester(b, person)
    ticket_id = f"T-{b.generic_ticket}"
    body = generic_ticket(
        ticket_id=ticket_id,
        account_id=account.account_id if account and b.rng.random() < 0.5 else None,
        requester_email=email, subject=text.subject, body=text.body, created_at=at,
        status="open", url=f"https://support.northwind.example/tickets/{ticket_id}",
    )
    return b.add(at, "tickets", ticket_id, body)


def broken_records(b: Builder) -> None:
    """Three records no decoder can accept, so the dead-letter path has work to do."""
    # A relay cut the body off mid-write: not JSON at all.
    b.add_raw(b.at(3), "tickets", None,
              b'{"type": "zen:event-type:ticket.created", "account_id": 31852207, "detail": {"id": "4')
    # A helpdesk cuewire does not speak.
    b.add(b.at(6), "tickets", "fd-9121", {
        "freshdesk_webhook": {"ticket_id": 9121, "ticket_status": "Open",
                              "ticket_priority": "Medium", "ticket_source": "Email"},
    })
    # A known shape with a wrongly typed field: the comment body is an object.
    at = b.at(11)
    b.add(at, "tickets", None, zendesk_event(
        "zen:event-type:ticket.comment_added", event_id=b.uuid(), at=at, nanos=0,
        detail=zendesk_detail(
            ticket_id="48099", subject="Re: onboarding", description="-", requester_id="1",
            organization_id=None, assignee_id="9120398711697", tags=[], priority="LOW",
            status="OPEN", created_at=at - timedelta(days=2), updated_at=at),
        event={"comment": {"author": {"id": "1", "is_staff": False, "name": "x"},
                           "body": {"html": "<p>see attachment</p>"}, "id": "2",
                           "is_public": True}},
    ))
