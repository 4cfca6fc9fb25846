"""What flows between the stages: one small frozen dataclass per kind of item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from operators.decode import InputKind
from operators.gate import GateDecision
from operators.govern import Candidate
from operators.ordering import PartitionMark
from operators.records import Coordinates, Record, Ticket
from operators.resolve import Resolved
from operators.score import Score
from operators.value_class import value_class

OutKind = Literal["alerts", "digest", "dlq"]


@value_class
class Incoming:
    """One input record before decoding: its kind, bytes and coordinates."""

    kind: InputKind
    key: bytes | None
    value: bytes | None
    coords: Coordinates


@value_class
class Decoded:
    record: Record | None
    incoming: Incoming
    error: str | None = None


@value_class
class TimelineBatch:
    """One worker's batch of events, tickets, snapshots and its partition mark, as the one
    item that crosses to ``order-by-log``'s worker. Bytewax pickles and sends each item on its
    own, so a batch is one pickle and one message, not one per record."""

    items: tuple[Decoded | PartitionMark, ...]


@value_class
class Located:
    """A resolved record with the coordinates it arrived at (for latency and dead letters)."""

    resolved: Resolved
    coords: Coordinates
    failure: Outgoing | None = None
    """The record's dead letter, when resolving it failed: it goes on, in log order, to
    ``route-others``, which publishes it, and nowhere else."""


@value_class
class ShardBatch:
    """The joined records of one batch that go to one account shard, in the order they
    were joined: they cross to the shard's worker as one item (see :class:`TimelineBatch`),
    and the records of one account carry its CRM snapshot once, not each a copy."""

    shard: str
    records: tuple[Located, ...]


@dataclass(frozen=True, slots=True)
class ScoredTicket:
    resolved: Resolved
    coords: Coordinates
    ticket: Ticket
    score: Score
    failure: Outgoing | None = None
    """The ticket's dead letter, when scoring it failed: the ticket branch carries it to
    the output (``render-ticket-digest``) and does nothing else with the ticket."""


@dataclass(frozen=True, slots=True)
class GatedTicket:
    scored: ScoredTicket
    decision: GateDecision | None
    failure: Outgoing | None = None


@dataclass(frozen=True, slots=True)
class Tick:
    """A wall-clock tick: time to fire the absence timers that are due."""

    at: datetime


@value_class
class PendingAlert:
    """An alert a rule wants to publish, before governance decides (``candidate.alert``
    holds the rendered CloudEvent)."""

    candidate: Candidate
    produced_ms: int | None = None
    ticket_text: str | None = None
    """The triggering ticket's full text, kept with the alert so feedback can teach the model."""


@value_class
class Outgoing:
    """One record to publish: which output, its key, its JSON value."""

    kind: OutKind
    key: bytes | None
    value: bytes
    alert_id: str | None = None
    rule: str | None = None
    produced_ms: int | None = None
    """When the record that completed the evidence was produced (event→alert latency)."""
    learn_text: str | None = None
