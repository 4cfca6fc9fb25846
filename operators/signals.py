"""From records to named signals: what each ticket and event says about its account.

A signal is one fact on an account's timeline (``upgrade_intent`` at 10:15,
from event ``m-1``). Windows hold signals; pattern rules count and order them.

``key`` is the signal's identity inside its window: the ticket id for
everything a ticket raises (a reply to the same conversation is not a second
ticket), the message id for events. Redelivering a record never adds a signal
twice.

>>> from datetime import datetime, timezone
>>> from config.rules import load_rules
>>> from operators.records import Event
>>> t = datetime(2026, 11, 20, tzinfo=timezone.utc)
>>> table = SignalTable.from_rules(load_rules())
>>> [s.name for s in event_signals(Event("m1", "track", t, name="Pricing Page Viewed"), "acct_42", table)]
['upgrade_intent']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from config.rules import EventSignal, PropertyCondition, RulesFile
from operators.records import Event, Ticket
from operators.score import Score
from operators.value_class import value_class


@value_class
class Signal:
    account_id: str
    name: str
    key: str
    at: datetime
    kind: Literal["ticket", "event"]
    source_id: str
    record_id: str
    topic: str | None = None
    score: int | None = None
    text: str | None = None
    url: str | None = None
    person: str | None = None
    email: str | None = None
    open: bool = True
    problem: str | None = None
    """The ticket's problem fingerprint (:mod:`operators.problem`), for ``same: problem`` rules."""

    def to_json(self) -> dict[str, Any]:
        # Written out rather than dataclasses.asdict: this runs for every stored signal,
        # and asdict deep-copies.
        return {
            "account_id": self.account_id, "name": self.name, "key": self.key,
            "at": self.at.isoformat(), "kind": self.kind, "source_id": self.source_id,
            "record_id": self.record_id, "topic": self.topic, "score": self.score,
            "text": self.text, "url": self.url, "person": self.person, "email": self.email,
            "open": self.open, "problem": self.problem,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> Signal:
        return Signal(
            data["account_id"], data["name"], data["key"], datetime.fromisoformat(data["at"]),
            data["kind"], data["source_id"], data["record_id"], data.get("topic"),
            data.get("score"), data.get("text"), data.get("url"), data.get("person"),
            data.get("email"), data.get("open", True), data.get("problem"),
        )

    def to_member(self) -> dict[str, Any]:
        """The signal as stored in its window: the window's key already names the account
        and the signal, and empty fields are left out (a fortnight of windows is most of
        what Redis holds, so every byte counts per signal)."""
        member: dict[str, Any] = {"key": self.key, "at": self.at.isoformat(), "kind": self.kind}
        if self.source_id != self.key:
            member["source_id"] = self.source_id
        if self.record_id != self.key:
            member["record_id"] = self.record_id
        for name, value in (("topic", self.topic), ("score", self.score), ("text", self.text),
                            ("url", self.url), ("person", self.person), ("email", self.email),
                            ("problem", self.problem)):
            if value is not None:
                member[name] = value
        if not self.open:
            member["open"] = False
        return member

    @staticmethod
    def from_member(data: dict[str, Any], account_id: str, name: str) -> Signal:
        """Read :meth:`to_member` (or a full :meth:`to_json`) back, in the window of
        ``account_id`` and ``name``."""
        key = data["key"]
        return Signal(
            account_id, name, key, datetime.fromisoformat(data["at"]), data["kind"],
            data.get("source_id", key), data.get("record_id", key), data.get("topic"),
            data.get("score"), data.get("text"), data.get("url"), data.get("person"),
            data.get("email"), data.get("open", True), data.get("problem"),
        )


@dataclass(frozen=True, slots=True)
class SignalTable:
    """The rules file's signal mapping, indexed for a lookup per event."""

    frustrated_at: int
    intents: dict[str, str]
    by_event: dict[str, tuple[EventSignal, ...]]
    by_page: dict[str, tuple[EventSignal, ...]]

    @staticmethod
    def from_rules(rules: RulesFile) -> SignalTable:
        by_event: dict[str, list[EventSignal]] = {}
        by_page: dict[str, list[EventSignal]] = {}
        for mapping in rules.signals.events:
            for name in mapping.events:
                by_event.setdefault(name.casefold(), []).append(mapping)
            for name in mapping.pages:
                by_page.setdefault(name.casefold(), []).append(mapping)
        return SignalTable(
            rules.signals.frustrated_at, dict(rules.signals.intents),
            {k: tuple(v) for k, v in by_event.items()}, {k: tuple(v) for k, v in by_page.items()},
        )


def matches(condition: PropertyCondition, values: dict[str, Any]) -> bool:
    """Whether ``values[condition.field]`` satisfies the condition (dotted paths allowed).

    >>> matches(PropertyCondition(field="cart.value", at_least=500), {"cart": {"value": 650}})
    True
    """
    value: Any = values
    for part in condition.field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return False
    if condition.equals is not None:
        return bool(value == condition.equals)
    if condition.one_of is not None:
        return value in condition.one_of
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    if condition.at_least is not None and number < condition.at_least:
        return False
    return not (condition.at_most is not None and number > condition.at_most)


def event_signals(event: Event, account_id: str, table: SignalTable) -> list[Signal]:
    if event.type not in ("track", "page") or not event.name:
        return []
    index = table.by_event if event.type == "track" else table.by_page
    out: list[Signal] = []
    for mapping in index.get(event.name.casefold(), ()):
        if all(matches(c, event.properties) for c in mapping.where):
            out.append(Signal(
                account_id=account_id, name=mapping.signal, key=event.message_id, at=event.timestamp,
                kind="event", source_id=event.message_id, record_id=event.message_id,
                text=event.name, person=event.user_id, email=event.email,
            ))
    return out


def ticket_signals(ticket: Ticket, score: Score, account_id: str, table: SignalTable) -> list[Signal]:
    """``ticket``, ``frustrated_ticket`` when the score reaches the threshold, one per intent."""
    if not ticket.raised_by_customer:
        return []

    def make(name: str) -> Signal:
        return Signal(
            account_id=account_id, name=name, key=ticket.ticket_id, at=ticket.created_at,
            kind="ticket", source_id=ticket.ticket_id, record_id=ticket.record_id,
            topic=score.topic or (score.intents[0] if score.intents else None), score=score.score,
            text=(ticket.subject or ticket.body)[:140], url=ticket.url,
            person=ticket.requester_name, email=ticket.requester_email, open=ticket.is_open,
            problem=score.problem,
        )

    names = ["ticket"]
    if score.score >= table.frustrated_at:
        names.append("frustrated_ticket")
    for intent in score.intents:
        names.append(intent)
        if intent in table.intents:
            names.append(table.intents[intent])
    return [make(n) for n in dict.fromkeys(names)]
