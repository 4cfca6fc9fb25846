"""The sampled fortnight: accounts, their people and product activity, then their tickets.

:func:`generate_sample` builds a small B2B SaaS world from a seed: CRM account snapshots,
Segment ``identify``/``group`` calls linking users to accounts, a few hundred
``track``/``page`` events (and anonymous visits), and the tickets of :mod:`.tickets`.
The same seed always gives the same bytes.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from cuewire_dev.sample.builder import SAMPLE_DAYS, SAMPLE_START, Builder, SampleRecord
from cuewire_dev.sample.cast import (
    FIRST,
    LAST,
    NAME_HEADS,
    NAME_TAILS,
    OWNERS,
    PERSONAS,
    TLDS,
    Account,
    Person,
    account_id,
)
from cuewire_dev.sample.segment import segment_message
from cuewire_dev.sample.tickets import broken_records, emit_ticket, shape_sequence, ticket_plan
from cuewire_dev.sample.vendor_times import iso_seconds


def generate_sample(
    n_accounts: int = 36, seed: int = 7, start: datetime = SAMPLE_START
) -> list[SampleRecord]:
    """The sampled fortnight as ``(topic_kind, key, value_bytes)``, ordered by event time.

    ``topic_kind`` is ``accounts``, ``events`` or ``tickets``; keys follow
    CONTRACTS.md (account id, user or anonymous id, ticket or conversation id
    where the helpdesk gives one).

    >>> records = generate_sample(n_accounts=4, seed=1)
    >>> records == generate_sample(n_accounts=4, seed=1)
    True
    >>> sorted({kind for kind, _, _ in records})
    ['accounts', 'events', 'tickets']
    """
    if n_accounts < 1:
        raise ValueError("n_accounts must be at least 1")
    start = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
    rng = random.Random(seed)
    b = Builder(rng, start)
    accounts = _accounts(b, n_accounts)
    for account in accounts:
        _account_events(b, account)
    _anonymous_visits(b)
    tickets = ticket_plan(b, accounts)
    shapes = shape_sequence(rng, len(tickets))
    duplicated = False
    for (owner, person, category, at), shape in zip(tickets, shapes, strict=True):
        raw = emit_ticket(b, shape, owner, person, category, at)
        if not duplicated and shape == "zendesk_event" and owner is not None:
            # The relay retried a delivery Zendesk had already made: same bytes again.
            b.add_raw(at + timedelta(minutes=2), "tickets", None, raw)
            duplicated = True
    broken_records(b)
    b.items.sort(key=lambda item: (item[0], item[1]))
    return [(kind, key, raw) for _, _, kind, key, raw in b.items]


def _accounts(b: Builder, n: int) -> list[Account]:
    rng = b.rng
    names = [f"{h} {t}" for h in NAME_HEADS for t in NAME_TAILS]
    rng.shuffle(names)
    personas = list(PERSONAS)
    out: list[Account] = []
    for i in range(n):
        name = names[i % len(names)] + (f" {i // len(names) + 1}" if i >= len(names) else "")
        domain = name.lower().replace(" ", "") + rng.choice(TLDS)
        tier = rng.random()
        if tier < 0.3:
            mrr, plan, segment = rng.randrange(149, 990), "starter", "smb"
        elif tier < 0.85:
            mrr = rng.randrange(1000, 10001)
            plan, segment = ("team", "mid-market") if mrr < 5000 else ("business", "mid-market")
        else:
            mrr, plan, segment = rng.randrange(12000, 40000), "enterprise", "enterprise"
        bucket = rng.random()
        if bucket < 0.25:
            renewal = b.start.date() + timedelta(days=rng.randrange(5, 30))
        elif bucket < 0.45:
            renewal = b.start.date() + timedelta(days=rng.randrange(31, 60))
        else:
            renewal = b.start.date() + timedelta(days=rng.randrange(75, 340))
        account = Account(
            account_id=account_id(i),
            name=name,
            domain=domain,
            mrr=mrr,
            plan=plan,
            persona=personas[i % len(personas)],
            zendesk_org_id=str(9120573301009 + 1031 * i),
        )
        firsts = rng.sample(FIRST, k=rng.randrange(2, 5))
        for first in firsts:
            last = rng.choice(LAST)
            account.people.append(Person(
                user_id=f"u_{rng.getrandbits(24):06x}",
                anonymous_id=b.uuid(),
                email=f"{first}.{last}@{domain}".lower(),
                name=f"{first} {last}",
                zendesk_user_id=b.digits(13),
                intercom_contact_id=f"{rng.getrandbits(96):024x}",
            ))
        currency = "EUR" if domain.endswith(".de") else "GBP" if domain.endswith(".uk") else "USD"
        snapshot = {
            "account_id": account.account_id,
            "name": name,
            "domains": [domain],
            "mrr": mrr,
            "currency": currency,
            "plan": plan,
            "segment": segment,
            "renewal_date": renewal.isoformat(),
            "health_score": rng.randrange(22, 96),
            "cs_owner": OWNERS[i % len(OWNERS)],
            # The CRM does not know every user: the rest resolve by identify/group or domain.
            "contacts": [p.email for p in account.people[:2]],
            "zendesk_organization_id": account.zendesk_org_id,
            "consent": {"email": i % 11 != 5, "sms": i % 3 == 0},
            "updated_at": iso_seconds(
                b.start - timedelta(days=rng.randrange(1, 20), hours=rng.randrange(24))),
        }
        b.add(b.start - timedelta(hours=1, minutes=n - i), "accounts", account.account_id, snapshot)
        out.append(account)
    return out


def _account_events(b: Builder, account: Account) -> None:
    rng = b.rng
    for n, person in enumerate(account.people):
        at = b.start + timedelta(minutes=rng.randrange(5, 600))
        b.add(at, "events", person.user_id, segment_message(
            "identify", message_id=b.uuid(), user_id=person.user_id,
            anonymous_id=person.anonymous_id, at=at,
            traits={"email": person.email, "name": person.name},
        ))
        if n == 0 or rng.random() < 0.6:
            at += timedelta(milliseconds=1)
            b.add(at, "events", person.user_id, segment_message(
                "group", message_id=b.uuid(), user_id=person.user_id,
                anonymous_id=person.anonymous_id, at=at, group_id=account.account_id,
                traits={"name": account.name, "plan": account.plan},
            ))
    main = account.people[0]
    last_day = 4 if account.persona == "inactive" else SAMPLE_DAYS
    for day in range(last_day):
        for person in account.people:
            if rng.random() < (0.3 if person is main else 0.06):
                _track(b, account, person, b.at(day), "Signed In", {"method": "password"})
        if rng.random() < 0.1:
            _page(b, account, main, b.at(day), "Dashboard", "/app/dashboard")
    persona = account.persona
    if persona == "steady" or (persona == "abandon" and len(account.people) > 1):
        who = account.people[-1]
        at = b.at(rng.randrange(0, 5))
        _track(b, account, who, at, "Onboarding Step Started", {"step": "invite_team"})
        if persona == "steady":
            _track(b, account, who, at + timedelta(hours=3), "Onboarding Step Completed",
                   {"step": "invite_team"})
    if persona == "upgrade":
        for day in (5, 7):
            _track(b, account, main, b.at(day), "Pricing Page Viewed", {"plan": account.plan})
        _track(b, account, main, b.at(7, 14, 17), "Plan Compared",
               {"from_plan": account.plan, "to_plan": "pro"})
    if persona == "churn":
        _page(b, account, main, b.at(8), "Cancellation Terms", "/legal/cancel")
        _track(b, account, main, b.at(8, 12, 17), "Data Export Started",
               {"scope": "all", "format": "csv"})
    if persona == "abandon":
        at = b.at(4)
        _track(b, account, main, at, "Product Added", {"product": "Reporting add-on", "price": 49})
        _track(b, account, main, at + timedelta(minutes=6), "Checkout Started", {"value": 49})
    if persona in ("frustrated", "billing") and rng.random() < 0.5:
        _track(b, account, main, b.at(9), "Pricing Page Viewed", {"plan": account.plan})


def _track(b: Builder, account: Account, person: Person, at: datetime, event: str,
           properties: dict[str, Any]) -> None:
    rng = b.rng
    b.add(at, "events", person.user_id, segment_message(
        "track", message_id=f"ajs-next-{rng.getrandbits(128):032x}", user_id=person.user_id,
        anonymous_id=person.anonymous_id, at=at, event=event, properties=properties,
        context_group_id=account.account_id if rng.random() < 0.5 else None,
        context_email=person.email if rng.random() < 0.2 else None,
    ))


def _page(b: Builder, account: Account, person: Person, at: datetime, name: str,
          path: str) -> None:
    rng = b.rng
    b.add(at, "events", person.user_id, segment_message(
        "page", message_id=f"ajs-next-{rng.getrandbits(128):032x}", user_id=person.user_id,
        anonymous_id=person.anonymous_id, at=at, name=name, page_path=path,
        properties={"path": path, "title": f"{name} | Northwind",
                    "url": f"https://northwind.example{path}"},
        context_group_id=account.account_id if rng.random() < 0.3 else None,
    ))


def _anonymous_visits(b: Builder) -> None:
    """Prospects on the pricing page: no user id, so they reach no account."""
    for i in range(6):
        anonymous_id = b.uuid()
        at = b.at(b.rng.randrange(SAMPLE_DAYS))
        b.add(at, "events", anonymous_id, segment_message(
            "track",
            # Two come from a server-side relay that does not stamp a messageId.
            message_id=None if i < 2 else f"ajs-next-{b.rng.getrandbits(128):032x}",
            user_id=None, anonymous_id=anonymous_id, at=at, event="Pricing Page Viewed",
            properties={"plan": "pro"}, page_path="/pricing",
        ))
