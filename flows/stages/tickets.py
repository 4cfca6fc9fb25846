"""The tickets stage: score, gate, and what a ticket becomes.

Each ticket a customer wrote is scored (``operators/score.py``) and gated on its account's CRM
snapshot (``operators/gate.py``, rule ``ticket-frustration-gate``). A ticket that
passes is a candidate alert; one below the gate goes to the digest, and to its
owner's weekly digest when it came close (``operators/near_miss.py``). Every
attached ticket also raises signals for the pattern rules (``operators/signals.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import bytewax.operators as op
import orjson
from bytewax.dataflow import Stream, operator

from flows.rules_source import RulesSource
from flows.stages.failures import DeadLetters, dead_letters_apart, survives
from flows.stages.items import GatedTicket, Located, Outgoing, PendingAlert, ScoredTicket
from operators.candidates import ticket_candidate
from operators.gate import gate_ticket
from operators.near_miss import NearMiss, near_miss_ticket
from operators.records import Ticket
from operators.render import render_ticket_digest
from operators.score import Score, TicketScorer
from operators.signals import Signal
from operators.ticket_status import signals_of_ticket

TICKET_NEAR_MISS = 0.8
"""How close a below-gate ticket must come to make the weekly digest (0.8: score 52 of 65)."""
UNSCORED = Score(0, None, None, None, 0.0)
"""Stands in for the score of a ticket whose scoring failed (it is dead-lettered)."""
UNREAD = Score(0, None, None, None, 0.0)
"""Stands in for the score of a record with no customer's words in it: a status change
(Zendesk sends the ticket's first message with it, read when it arrived), a staff comment,
an empty message. No step reads that score: such a ticket is not gated, has no digest
entry and raises no signal but ``ticket_status``."""


class TicketSteps:
    """The ticket branch's per-record steps: the scorer and the rules' gate."""

    def __init__(self, *, rules: RulesSource, scorer: TicketScorer, dead_letters: DeadLetters,
                 clock: Callable[[], datetime], deployment: str) -> None:
        self.rules = rules
        self.scorer = scorer
        self.dead_letters = dead_letters
        self.clock = clock
        self.deployment = deployment

    @survives("score-tickets", lambda self, located, dead: ScoredTicket(
        located.resolved, located.coords, located.resolved.record, UNSCORED, dead))
    def score(self, located: Located) -> ScoredTicket:
        ticket = located.resolved.record
        assert isinstance(ticket, Ticket)
        if not ticket.raised_by_customer:
            return ScoredTicket(located.resolved, located.coords, ticket, UNREAD)
        return ScoredTicket(located.resolved, located.coords, ticket, self.scorer.score(ticket.text))

    @survives("gate-tickets", lambda self, scored, dead: GatedTicket(scored, None, dead))
    def gate_ticket(self, scored: ScoredTicket) -> GatedTicket:
        gate = self.rules.current().gate
        if (scored.resolved.account_id is None or gate is None or scored.failure
                or not scored.ticket.raised_by_customer):
            return GatedTicket(scored, None)
        decision = gate_ticket(scored.score, scored.resolved.account, scored.ticket.created_at, gate)
        return GatedTicket(scored, decision)

    @survives("render-ticket-digest", lambda self, gated, dead: [dead])
    def render_ticket_digest(self, gated: GatedTicket) -> list[Outgoing]:
        """A below-gate or unattached ticket's digest entry; a status change has none (it
        only closes or reopens its ticket, through its signal)."""
        scored, account_id = gated.scored, gated.scored.resolved.account_id
        failure = gated.failure or scored.failure
        if failure is not None:  # an earlier step's dead letter, on its way out
            return [failure]
        if not scored.ticket.raised_by_customer:
            return []
        body = render_ticket_digest(
            ticket=scored.ticket, score=scored.score, decision=gated.decision, account_id=account_id,
            detected_at=self.clock(), deployment=self.deployment,
        )
        key = account_id.encode() if account_id else b"unattached"
        return [Outgoing("digest", key, orjson.dumps(body))]

    @survives("ticket-near-misses", lambda self, gated, dead: [dead])
    def ticket_near_miss(self, gated: GatedTicket) -> list[NearMiss | Outgoing]:
        """A below-gate ticket that came close, for its owner's weekly digest."""
        scored, decision = gated.scored, gated.decision
        account_id = scored.resolved.account_id
        gate = self.rules.current().gate
        if decision is None or account_id is None or gate is None:
            return []
        found = near_miss_ticket(decision, scored.score.score, scored.resolved.account,
                                 account_id=account_id, at=scored.ticket.created_at,
                                 ticket_id=scored.ticket.ticket_id, gate=gate,
                                 min_closeness=TICKET_NEAR_MISS)
        return [found] if found else []

    @survives("ticket-candidates", lambda self, gated, dead: dead)
    def ticket_candidate(self, gated: GatedTicket) -> PendingAlert | Outgoing:
        scored, decision = gated.scored, gated.decision
        account_id = scored.resolved.account_id
        assert account_id is not None and decision is not None
        candidate = ticket_candidate(
            ticket=scored.ticket, score=scored.score, decision=decision, account_id=account_id,
            account=scored.resolved.account, detected_at=self.clock(), deployment=self.deployment,
        )
        return PendingAlert(candidate, scored.coords.timestamp_ms, scored.ticket.text)

    @survives("ticket-signals", lambda self, scored, dead: [dead])
    def ticket_signals(self, scored: ScoredTicket) -> list[Signal | Outgoing]:
        account_id = scored.resolved.account_id
        if account_id is None or scored.failure:
            return []
        return [*signals_of_ticket(scored.ticket, scored.score, account_id, self.rules.current().table)]


def passed_gate(gated: GatedTicket) -> bool:
    return gated.decision is not None and gated.decision.passed


@dataclass(frozen=True)
class GatedTickets:
    candidates: Stream[PendingAlert]
    digest: Stream[Outgoing]
    """Below-gate and unattached tickets, and the dead letters of gating."""
    near_misses: Stream[NearMiss]
    dead_letters: tuple[Stream[Outgoing], ...]
    """Of candidates and of near misses, apart (the caller merges them with its own)."""


def gate_tickets(scored: Stream[ScoredTicket], steps: TicketSteps) -> GatedTickets:
    """Scored tickets through ``steps``' gate: candidates, digest entries, near misses.

    A plain function, not a composite: its steps are its caller's (``tickets.gate-tickets``
    …, and the shadow branch's own ``shadow.gate-tickets`` … with the candidate's gate)."""
    gated = op.map("gate-tickets", scored, steps.gate_ticket)            # GatedTicket
    by_gate = op.branch("split-gated", gated, passed_gate)
    below_gate = op.flat_map("render-ticket-digest", by_gate.falses, steps.render_ticket_digest)  # Outgoing
    candidates, failed = dead_letters_apart("split-failed-candidates", op.map(
        "ticket-candidates", by_gate.trues, steps.ticket_candidate))    # PendingAlert, dlq
    near, failed_near = dead_letters_apart("split-failed-near-misses", op.flat_map(
        "ticket-near-misses", by_gate.falses, steps.ticket_near_miss))  # NearMiss, dlq
    return GatedTickets(candidates, below_gate, near, (failed, failed_near))


@dataclass(frozen=True)
class Tickets:
    candidates: Stream[PendingAlert]
    digest: Stream[Outgoing]
    """Below-gate and unattached tickets, and the dead letters of scoring and gating."""
    near_misses: Stream[NearMiss]
    signals: Stream[Signal]
    dead_letters: Stream[Outgoing]
    scored: Stream[ScoredTicket]
    """Every ticket with its score (a shadow rules file gates them with its own gate)."""


@operator
def tickets(step_id: str, located: Stream[Located], steps: TicketSteps) -> Tickets:
    scored = op.map("score-tickets", located, steps.score)               # ScoredTicket
    gated = gate_tickets(scored, steps)
    signals, failed_signals = dead_letters_apart("split-failed-signals", op.flat_map(
        "ticket-signals", scored, steps.ticket_signals))                # Signal, dlq
    dead = op.merge("merge-dead-letters", *gated.dead_letters, failed_signals)
    return Tickets(gated.candidates, gated.digest, gated.near_misses, signals, dead, scored)
