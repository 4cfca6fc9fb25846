"""The identity keys a record reads and teaches: lookups by account, user, e-mail,
Zendesk organisation and e-mail domain (never a free-mail domain).

:func:`candidate_keys` is the first fetch round of :func:`operators.resolve.resolve_batch`:
every key a batch may need that is known before any lookup. :func:`linked_keys` is the
next: the keys the fetched links point at (the accounts' snapshots, a user's e-mail),
so the batch is resolved once, with what it needs, instead of again after each round.

>>> from operators.records import Ticket
>>> from datetime import UTC, datetime
>>> t = Ticket("r1", "zendesk:1", "zendesk", "created", "s", "b", datetime(2026, 11, 20, tzinfo=UTC),
...            requester_email="dana@acme.io", organization_id="77")
>>> sorted(candidate_keys([t]))
[('domain', 'acme.io'), ('email', 'dana@acme.io'), ('org', '77')]
>>> sorted(linked_keys({("email", "dana@acme.io"): ((0, "acct_42"),),
...                     ("user_email", "u1"): ((0, "sam@ex.io"),)}))
[('account', 'acct_42'), ('domain', 'ex.io'), ('email', 'sam@ex.io')]
>>> email_domain("sam@gmail.com"), email_domain("sam@Acme.io")
(None, 'acme.io')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from operators.records import AccountUpdate, Event, Record, Ticket

LookupKey = tuple[str, str]
"""(kind, value): kind is account, user, user_email, email, org or domain."""

FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "hotmail.com", "outlook.com",
    "live.com", "msn.com", "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com",
    "gmx.de", "gmx.net", "web.de", "mail.ru", "yandex.ru", "qq.com", "163.com",
})


def email_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].strip().lower()
    return None if domain in FREE_MAIL_DOMAINS or not domain else domain


def account_links(account_id: str, snapshot: dict[str, Any] | None) -> set[LookupKey]:
    if not snapshot:
        return set()
    links: set[LookupKey] = {("email", c) for c in snapshot.get("contacts") or ()}
    links |= {("domain", d) for d in snapshot.get("domains") or () if d not in FREE_MAIL_DOMAINS}
    if snapshot.get("zendesk_organization_id"):
        links.add(("org", str(snapshot["zendesk_organization_id"])))
    return links


def candidate_keys(records: Sequence[Record]) -> set[LookupKey]:
    """Every key a record may need that is known before any lookup: the first fetch round."""
    keys: set[LookupKey] = set()
    for record in records:
        if isinstance(record, AccountUpdate):
            keys.add(("account", record.account_id))
            keys |= account_links(record.account_id, record.snapshot)
        elif isinstance(record, Ticket):
            if record.account_id:
                keys.add(("account", record.account_id))
                continue
            if record.requester_email:
                keys.add(("email", record.requester_email))
                domain = email_domain(record.requester_email)
                if domain:
                    keys.add(("domain", domain))
            if record.organization_id:
                keys.add(("org", record.organization_id))
        elif isinstance(record, Event):
            if record.group_id:
                keys.add(("account", record.group_id))
                if record.user_id:
                    keys.add(("user", record.user_id))  # to learn the link only when it is new
                if record.email:
                    keys.add(("email", record.email))
            if record.user_id and record.email:
                keys.add(("user_email", record.user_id))
            if record.group_id:
                continue
            if record.user_id:
                keys.add(("user", record.user_id))
                keys.add(("user_email", record.user_id))
            if record.email:
                keys.add(("email", record.email))
                domain = email_domain(record.email)
                if domain:
                    keys.add(("domain", domain))
    return keys


def linked_keys(fetched: Mapping[LookupKey, Iterable[tuple[int, Any]]]) -> set[LookupKey]:
    """The keys that the links in ``fetched`` (each key's versions) point at, in any of
    their versions: an account's snapshot for a link to it, the e-mail and its domain for
    a user's address. Fetching them before resolving spares a resolve pass per round."""
    keys: set[LookupKey] = set()
    for (kind, _value), versions in fetched.items():
        if kind == "account":
            continue
        for _at, target in versions:
            if not isinstance(target, str) or not target:
                continue
            if kind == "user_email":
                keys.add(("email", target))
                domain = email_domain(target)
                if domain:
                    keys.add(("domain", domain))
            else:
                keys.add(("account", target))
    return keys
