"""The functions the flow's steps call: operators wired to state, one batch at a time.

Nothing here imports Bytewax: each method takes a record (or a batch) and
returns what the step emits, so the same code runs under ``cuewire run`` (Kafka,
Redis) and ``cuewire replay`` (a file, in-process Redis). Redis is touched only
in the batch steps, with one pipeline per round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

from contracts.errors import PoisonRecord
from flows import metrics
from operators.decode import InputKind, Limits, decode_record
from operators.gate import RULE_ID, FrustrationGate, GateDecision, gate_ticket
from operators.records import Coordinates, Event, Record, Ticket
from operators.render import (
    render_dead_letter,
    render_event_unattached,
    render_ticket_alert,
    render_ticket_digest,
)
from operators.resolve import Resolved, candidate_keys, resolve_batch
from operators.score import Score, TicketScorer
from state.identity import IdentityStore
from state.ledger import AlertLedger

OutKind = Literal["alerts", "digest", "dlq"]
MAX_RESOLVE_ROUNDS = 4


@dataclass(frozen=True, slots=True)
class Incoming:
    """One input record before decoding: its kind, bytes and coordinates."""

    kind: InputKind
    key: bytes | None
    value: bytes | None
    coords: Coordinates


@dataclass(frozen=True, slots=True)
class Decoded:
    record: Record | None
    incoming: Incoming
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Located:
    """A resolved record with the coordinates it arrived at (for latency and dead letters)."""

    resolved: Resolved
    coords: Coordinates


@dataclass(frozen=True, slots=True)
class ScoredTicket:
    resolved: Resolved
    coords: Coordinates
    ticket: Ticket
    score: Score


@dataclass(frozen=True, slots=True)
class GatedTicket:
    scored: ScoredTicket
    decision: GateDecision | None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One record to publish: which output, its key, its JSON value."""

    kind: OutKind
    key: bytes | None
    value: bytes
    alert_id: str | None = None
    rule: str | None = None
    produced_ms: int | None = None
    """When the record that completed the evidence was produced (event→alert latency)."""


class Steps:
    """State, scorer and clock for one worker process; its methods are the flow's steps."""

    def __init__(
        self,
        *,
        identity: IdentityStore,
        ledger: AlertLedger,
        scorer: TicketScorer,
        deployment: str,
        limits: Limits,
        gate: FrustrationGate = FrustrationGate(),  # noqa: B008 - frozen
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.identity = identity
        self.ledger = ledger
        self.scorer = scorer
        self.deployment = deployment
        self.limits = limits
        self.gate = gate
        self.clock = clock

    # -- decode ---------------------------------------------------------------

    def decode(self, incoming: Incoming) -> Decoded:
        metrics.RECORDS_IN.labels(incoming.coords.topic).inc()
        fallback = None
        if incoming.coords.timestamp_ms:
            fallback = datetime.fromtimestamp(incoming.coords.timestamp_ms / 1000, UTC)
        try:
            record = decode_record(incoming.kind, incoming.key, incoming.value,
                                   fallback or self.clock(), self.limits)
        except PoisonRecord as exc:
            return Decoded(None, incoming, str(exc))
        return Decoded(record, incoming)

    @staticmethod
    def is_valid(decoded: Decoded) -> bool:
        return decoded.record is not None

    def dead_letter(self, decoded: Decoded) -> Outgoing:
        return self._dead_letter(decoded.incoming, decoded.error or "unknown error", "decode")

    def source_error(self, incoming: Incoming, error: str) -> Outgoing:
        return self._dead_letter(incoming, error, "kafka-in")

    def _dead_letter(self, incoming: Incoming, error: str, step: str) -> Outgoing:
        metrics.DEAD_LETTERS.labels(incoming.coords.topic, step).inc()
        body = render_dead_letter(incoming.coords, incoming.value, error, self.clock(), step)
        return Outgoing("dlq", incoming.key, orjson.dumps(body))

    # -- resolve --------------------------------------------------------------

    def resolve(self, batch: list[Decoded]) -> Iterable[Located]:
        valid = [d for d in batch if d.record is not None]
        records = [d.record for d in valid if d.record is not None]
        fetched = self.identity.fetch(candidate_keys(records))
        for _ in range(MAX_RESOLVE_ROUNDS):
            result = resolve_batch(records, fetched)
            if not result.missing:
                break
            fetched.update(self.identity.fetch(result.missing))
        else:  # pragma: no cover - resolution chains are at most three links long
            raise RuntimeError("identity resolution did not converge")
        self.identity.write(result.writes)
        metrics.REDIS_ROUND_TRIPS.observe(self.identity.round_trips)
        self.identity.round_trips = 0
        return [Located(r, d.incoming.coords) for r, d in zip(result.resolved, valid, strict=True)]

    @staticmethod
    def is_ticket(located: Located) -> bool:
        return isinstance(located.resolved.record, Ticket)

    # -- tickets --------------------------------------------------------------

    def score(self, located: Located) -> ScoredTicket:
        ticket = located.resolved.record
        assert isinstance(ticket, Ticket)
        return ScoredTicket(located.resolved, located.coords, ticket, self.scorer.score(ticket.text))

    def gate_ticket(self, scored: ScoredTicket) -> GatedTicket:
        if scored.resolved.account_id is None:
            return GatedTicket(scored, None)
        decision = gate_ticket(scored.score, scored.resolved.account, scored.ticket.created_at,
                               self.gate)
        return GatedTicket(scored, decision)

    def render_ticket(self, gated: GatedTicket) -> Outgoing:
        scored, decision = gated.scored, gated.decision
        account_id = scored.resolved.account_id
        now = self.clock()
        if account_id is not None and decision is not None and decision.passed:
            body = render_ticket_alert(
                ticket=scored.ticket, score=scored.score, decision=decision, rule=RULE_ID,
                account_id=account_id, account=scored.resolved.account, detected_at=now,
                deployment=self.deployment,
            )
            return Outgoing("alerts", account_id.encode(), orjson.dumps(body),
                            alert_id=body["id"], rule=RULE_ID, produced_ms=scored.coords.timestamp_ms)
        body = render_ticket_digest(
            ticket=scored.ticket, score=scored.score, decision=decision, account_id=account_id,
            detected_at=now, deployment=self.deployment,
        )
        key = account_id.encode() if account_id else b"unattached"
        return Outgoing("digest", key, orjson.dumps(body))

    # -- everything that is not a ticket -------------------------------------

    def route_other(self, located: Located) -> list[Outgoing]:
        resolved = located.resolved
        record = resolved.record
        if isinstance(record, Event) and record.type in ("track", "page") and not resolved.account_id:
            body = render_event_unattached(record, self.clock(), self.deployment)
            return [Outgoing("digest", b"unattached", orjson.dumps(body))]
        return []

    # -- publish once ---------------------------------------------------------

    def claim_alerts(self, batch: list[Outgoing]) -> list[Outgoing]:
        """Drop alerts whose id this deployment already published (or is publishing)."""
        alert_ids = [o.alert_id for o in batch if o.alert_id]
        decisions = iter(self.ledger.claim(alert_ids))
        kept: list[Outgoing] = []
        for out in batch:
            if out.alert_id is None or next(decisions):
                kept.append(out)
            else:
                metrics.DUPLICATES_DROPPED.inc()
        return kept

    def published(self, batch: list[Outgoing]) -> None:
        """Called by a sink once ``batch`` is durably written."""
        alert_ids = [o.alert_id for o in batch if o.alert_id]
        self.ledger.confirm(alert_ids)
        now_ms = self.clock().timestamp() * 1000
        for out in batch:
            if out.rule:
                metrics.ALERTS_OUT.labels(out.rule).inc()
                if out.produced_ms:
                    metrics.EVENT_TO_ALERT.observe(max(0.0, (now_ms - out.produced_ms) / 1000))
            elif out.kind == "digest":
                metrics.DIGEST_OUT.inc()


def record_summary(record: Any) -> str:
    """Coordinates-only description of a record, safe for logs."""
    if isinstance(record, Ticket):
        return f"ticket {record.ticket_id}"
    if isinstance(record, Event):
        return f"event {record.message_id}"
    return type(record).__name__
