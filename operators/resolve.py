"""Which account a ticket or event belongs to, and what identity links a record teaches.

Resolution order (CONTRACTS.md): an explicit account/group id; a known contact
e-mail or user id (linked by ``identify``, ``group`` and the accounts'
``contacts``); the Zendesk organisation id; the e-mail's domain (never a
free-mail domain). What reaches no account resolves to ``None``.

Every table is versioned (``operators/versions.py``): a snapshot counts from its
``updated_at``, a link from the time of the record that taught it, and a ticket
or event is resolved against the tables as they were at its own time. So the
answer does not depend on whether a later snapshot was read before the record.

The function here is pure and sequential over a batch: each record sees the
links taught by the records before it, as if they had been processed one by
one. Identity lookups are logical keys (``("email", "dana@acme.io")``); the
state layer turns them into Redis keys (:mod:`operators.identity_keys` names them).
When a record needs a key the caller has not fetched yet, :func:`resolve_batch`
reports it in ``missing`` and the caller fetches and calls again — at most a few
rounds per batch, never one per record.

>>> from datetime import datetime, timezone
>>> from operators.records import AccountUpdate, Event
>>> t = datetime(2026, 11, 20, tzinfo=timezone.utc)
>>> batch = [AccountUpdate("acct_42", {"account_id": "acct_42", "domains": ["acme.io"]}),
...          Event("m1", "identify", t, user_id="u1", email="dana@acme.io")]
>>> out = resolve_batch(batch, [0, 0], {k: () for k in candidate_keys(batch)})
>>> out.missing, out.resolved[1].account_id
((), 'acct_42')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from operators.identity_keys import FREE_MAIL_DOMAINS as FREE_MAIL_DOMAINS
from operators.identity_keys import LookupKey as LookupKey
from operators.identity_keys import account_links, email_domain
from operators.identity_keys import candidate_keys as candidate_keys
from operators.records import AccountUpdate, Event, Feedback, Record, Ticket
from operators.value_class import value_class
from operators.versions import Versions, as_of, with_version


@value_class
class Resolved:
    record: Record
    account_id: str | None
    account: dict[str, Any] | None
    how: str | None = None


@dataclass(slots=True)
class ResolveResult:
    resolved: list[Resolved]
    writes: dict[LookupKey, Versions] = field(default_factory=dict)
    """Each changed key's whole new history, to store."""
    missing: tuple[LookupKey, ...] = ()
    consulted: list[frozenset[LookupKey]] = field(default_factory=list)
    """Per record, the keys its resolution looked at: a link written to one of them later
    may reach a record that reached no account."""
    taught: list[frozenset[LookupKey]] = field(default_factory=list)
    """Per record, the keys it wrote."""


class _Missing(Exception):
    pass


class _View:
    """Fetched histories overlaid with the writes of earlier records in the batch, read as
    of the current record's time."""

    def __init__(self, fetched: dict[LookupKey, Versions]) -> None:
        self.fetched = fetched
        self.overlay: dict[LookupKey, Versions] = {}
        self.missing: set[LookupKey] = set()
        self.at = 0
        self.consulted: set[LookupKey] = set()
        self.taught: set[LookupKey] = set()

    def versions(self, key: LookupKey) -> Versions:
        self.consulted.add(key)
        if key in self.overlay:
            return self.overlay[key]
        if key in self.fetched:
            return self.fetched[key]
        self.missing.add(key)
        raise _Missing

    def get(self, key: LookupKey) -> Any | None:
        return as_of(self.versions(key), self.at)

    def put(self, key: LookupKey, value: Any | None) -> None:
        self.overlay[key] = with_version(self.versions(key), self.at, value)
        self.taught.add(key)

    def learn(self, key: LookupKey, value: str) -> None:
        """Record a link unless it is already in force: most events repeat what the store
        has, and rewriting it every time would cost a Redis write per event."""
        if self.get(key) != value:
            self.put(key, value)


def record_time_ms(record: Record, log_time_ms: int | None, stream_time_ms: int) -> int:
    """The time a record joins the tables at (a ticket's or event's own time), or the time
    a table change counts from (a snapshot's ``updated_at``); else the log time, else how
    far the stream has got."""
    at: datetime | None = None
    if isinstance(record, Ticket):
        at = record.created_at
    elif isinstance(record, Event):
        at = record.timestamp
    elif isinstance(record, AccountUpdate) and record.snapshot and record.snapshot.get("updated_at"):
        try:
            at = datetime.fromisoformat(str(record.snapshot["updated_at"]))
        except ValueError:
            at = None
    if at is not None:
        return int(at.timestamp() * 1000)
    return log_time_ms if log_time_ms is not None else stream_time_ms


def resolve_batch(records: Sequence[Record], times_ms: Sequence[int],
                  fetched: dict[LookupKey, Versions]) -> ResolveResult:
    """Resolve every record in order, each as of its time (``times_ms``, see
    :func:`record_time_ms`), against ``fetched`` histories plus earlier records' links."""
    view = _View(fetched)
    resolved: list[Resolved] = []
    consulted: list[frozenset[LookupKey]] = []
    taught: list[frozenset[LookupKey]] = []
    for record, at in zip(records, times_ms, strict=True):
        view.at = at
        view.consulted = set()
        view.taught = set()
        try:
            resolved.append(_resolve_one(record, view))
        except _Missing:
            # Keep walking: later records may need keys too, and one fetch round
            # should bring them all.
            resolved.append(Resolved(record, None, None))
        consulted.append(frozenset(view.consulted))
        taught.append(frozenset(view.taught))
    if view.missing:
        return ResolveResult([], {}, tuple(sorted(view.missing)))
    return ResolveResult(resolved, view.overlay, (), consulted, taught)


def can_reattach(record: Record) -> bool:
    """Whether a record that reached no account may reach one when a link arrives later."""
    return isinstance(record, Ticket) or (isinstance(record, Event) and record.type in ("track", "page"))


def _resolve_one(record: Record, view: _View) -> Resolved:
    if isinstance(record, AccountUpdate):
        _apply_account(record, view)
        return Resolved(record, record.account_id, record.snapshot, "snapshot")
    if isinstance(record, Feedback):
        return Resolved(record, None, None)
    if isinstance(record, Event):
        _learn_from_event(record, view)
        account_id, how = _account_for_event(record, view)
    else:
        account_id, how = _account_for_ticket(record, view)
    account = view.get(("account", account_id)) if account_id else None
    return Resolved(record, account_id, account, how)


def _apply_account(update: AccountUpdate, view: _View) -> None:
    old = view.get(("account", update.account_id))
    old_links = account_links(update.account_id, old)
    new_links = account_links(update.account_id, update.snapshot)
    for key in old_links - new_links:
        # Only unlink what still points at this account; another account may own it now.
        if view.get(key) == update.account_id:
            view.put(key, None)
    for key in new_links:
        view.learn(key, update.account_id)
    if update.snapshot != old:
        view.put(("account", update.account_id), update.snapshot)


def _learn_from_event(event: Event, view: _View) -> None:
    user = event.user_id
    if user and event.email:
        view.learn(("user_email", user), event.email)
    if event.type == "group" or (event.group_id and event.type in ("track", "page", "identify")):
        if event.group_id and user:
            view.learn(("user", user), event.group_id)
        if event.group_id and event.email:
            view.learn(("email", event.email), event.group_id)


def _account_for_event(event: Event, view: _View) -> tuple[str | None, str | None]:
    if event.group_id:
        return event.group_id, "group id"
    if event.user_id:
        account = view.get(("user", event.user_id))
        if account:
            return str(account), "user id"
    email = event.email
    if not email and event.user_id:
        linked = view.get(("user_email", event.user_id))
        email = str(linked) if linked else None
    return _by_email(email, view)


def _account_for_ticket(ticket: Ticket, view: _View) -> tuple[str | None, str | None]:
    if ticket.account_id:
        return ticket.account_id, "account id"
    if ticket.requester_email:
        account = view.get(("email", ticket.requester_email))
        if account:
            return str(account), "contact e-mail"
    if ticket.organization_id:
        account = view.get(("org", ticket.organization_id))
        if account:
            return str(account), "zendesk organization"
    domain = email_domain(ticket.requester_email)
    if domain:
        account = view.get(("domain", domain))
        if account:
            return str(account), "e-mail domain"
    return None, None


def _by_email(email: str | None, view: _View) -> tuple[str | None, str | None]:
    if not email:
        return None, None
    account = view.get(("email", email))
    if account:
        return str(account), "contact e-mail"
    domain = email_domain(email)
    if domain:
        account = view.get(("domain", domain))
        if account:
            return str(account), "e-mail domain"
    return None, None
