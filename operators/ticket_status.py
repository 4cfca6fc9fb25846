"""A ticket's open/closed status, as the flow tracks it for promotional suppression.

Governance holds promotional alerts while an account has a frustrated ticket open
(``operators/govern.py``). A ticket's own signals say whether it is open; a helpdesk
status change raises no signal of its own, so it becomes the synthetic
``ticket_status`` signal, which only closes (or reopens) the ticket.
"""

from __future__ import annotations

from datetime import datetime

from operators.records import Ticket
from operators.score import Score
from operators.signals import Signal, SignalTable, ticket_signals

STATUS_SIGNAL = "ticket_status"
TRACKED = ("ticket", STATUS_SIGNAL)
"""The signals whose ticket governance tracks."""

StatusUpdate = tuple[str, str, bool, bool, datetime]
"""(account id, ticket id, frustrated, open, at)."""


def signals_of_ticket(ticket: Ticket, score: Score, account_id: str, table: SignalTable) -> list[Signal]:
    """The ticket's signals (``operators/signals.py``); for a status change that raises none,
    the one ``ticket_status`` signal that closes or reopens it."""
    found = ticket_signals(ticket, score, account_id, table)
    if found or ticket.kind != "updated":
        return found
    return [Signal(account_id, STATUS_SIGNAL, ticket.ticket_id, ticket.created_at, "ticket",
                   ticket.ticket_id, ticket.record_id, open=ticket.is_open)]


def status_updates(signals: list[Signal], frustrated_at: int) -> list[StatusUpdate]:
    """What a batch's signals say of their tickets: frustrated (its score reached
    ``frustrated_at``), open, and as of when."""
    return [(s.account_id, s.key, (s.score or 0) >= frustrated_at, s.open, s.at)
            for s in signals if s.name in TRACKED]
