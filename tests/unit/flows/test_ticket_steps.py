"""Which ticket records the ticket stage reads with the model, and what the others still do."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from flows.rules_source import RulesSource
from flows.stages.failures import DeadLetters
from flows.stages.items import Located
from flows.stages.tickets import TicketSteps
from operators.records import Coordinates, Ticket
from operators.resolve import Resolved
from operators.score import Score

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
SOLVED = Ticket("zendesk:ev-2", "zendesk:77", "zendesk", "updated", "Broken export",
                "Nothing exports since Monday, we are losing days", AT, status="solved")
"""A status change: Zendesk sends the ticket's first message with it."""


class ReadingScorer:
    """Scores every text frustrated, and keeps what it was asked to read."""

    def __init__(self) -> None:
        self.read: list[str] = []

    def score(self, text: str) -> Score:
        self.read.append(text)
        return Score(90, "churn_risk", "data_integrity", None, 0.9)


def steps(scorer: ReadingScorer) -> TicketSteps:
    return TicketSteps(rules=RulesSource(None), scorer=scorer, dead_letters=DeadLetters(lambda: AT),
                       clock=lambda: AT, deployment="test")


def located(ticket: Ticket) -> Located:
    return Located(Resolved(ticket, "acct_42", None), Coordinates("tickets", 0, 1, b"acct_42"))


def test_a_status_change_is_not_read_by_the_model_and_still_closes_its_ticket() -> None:
    scorer = ReadingScorer()
    ticket_steps = steps(scorer)
    scored = ticket_steps.score(located(SOLVED))
    assert scorer.read == []
    [status] = ticket_steps.ticket_signals(scored)
    assert (status.name, status.key, status.open) == ("ticket_status", "zendesk:77", False)
    assert ticket_steps.gate_ticket(scored).decision is None
    assert ticket_steps.render_ticket_digest(ticket_steps.gate_ticket(scored)) == []


def test_a_staff_comment_or_an_empty_message_is_not_read_either() -> None:
    scorer = ReadingScorer()
    ticket_steps = steps(scorer)
    ticket_steps.score(located(replace(SOLVED, kind="updated", status=None, subject="", body="")))
    ticket_steps.score(located(replace(SOLVED, kind="created", subject="", body="  ")))
    assert scorer.read == []


def test_what_a_customer_wrote_is_read_and_signalled() -> None:
    scorer = ReadingScorer()
    ticket_steps = steps(scorer)
    reply = replace(SOLVED, record_id="zendesk:ev-3", kind="replied", status="open")
    scored = ticket_steps.score(located(reply))
    assert scorer.read == [reply.text]
    assert "frustrated_ticket" in {s.name for s in ticket_steps.ticket_signals(scored)}
