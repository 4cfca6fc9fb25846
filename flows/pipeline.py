"""The cuewire dataflow, top to bottom. Read this file to know what the product does.

Each line is a stage (``flows/stages/``): a Bytewax composite operator whose steps
are named inside it, with only the collaborators it needs (:class:`Parts`).
Step ids are schema: Bytewax labels recovery data with them (``<flow>.<stage>.<step>``),
so a renamed step strands its state. ``tests/unit/flows/test_flow_shape.py`` pins the list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import bytewax.operators as op
from bytewax.dataflow import Dataflow, Stream
from bytewax.inputs import SimplePollingSource
from bytewax.outputs import FixedPartitionedSink

from flows import shutdown
from flows.event_clock import EventClock
from flows.stages.accounts import LogOrdering, accounts
from flows.stages.events import EventSteps, events
from flows.stages.failures import DeadLetters
from flows.stages.govern import Governor, governance
from flows.stages.ingest import Decoder, ingest
from flows.stages.items import Incoming, Outgoing, Tick
from flows.stages.learning import FeedbackSteps, learning
from flows.stages.patterns import PatternEngine, patterns
from flows.stages.publish import Publisher, publish
from flows.stages.shadow import ShadowParts, shadow_branch
from flows.stages.tickets import TicketSteps, tickets
from flows.table_join import AccountJoin

InputBuilder = Callable[[Dataflow, DeadLetters], tuple[Stream[Incoming], Stream[Outgoing] | None]]
"""Adds the input step(s); returns the records and, if the source has one, its error stream."""


@dataclass
class Parts:
    """Each stage's collaborators, built once per process (``cuewire/app.py``)."""

    dead_letters: DeadLetters
    decoder: Decoder
    ordering: LogOrdering
    join: AccountJoin
    tickets: TicketSteps
    events: EventSteps
    patterns: PatternEngine
    governor: Governor
    learning: FeedbackSteps
    publisher: Publisher
    event_time: EventClock
    shadow: ShadowParts | None = None
    """A candidate rules file's patterns, governance and ledger (``CUEWIRE_SHADOW_RULES``)."""


class TimerTicks(SimplePollingSource[Tick]):
    """A tick every ``interval`` on one worker, so absence timers fire on the wall clock
    even when no record arrives (and govern's deferred alerts go out). It ends when a stop
    is asked for (``flows/shutdown.py``). With ``live=False`` (replays, runs that stop at the
    end of their input) it ticks never and timers follow event time alone."""

    def __init__(self, interval: timedelta, live: bool) -> None:
        super().__init__(interval)
        self._live = live

    def next_item(self) -> Tick:
        if not self._live or shutdown.STOP.is_set():
            raise StopIteration
        return Tick(datetime.now(UTC))


def build_flow(
    parts: Parts, read_inputs: InputBuilder, sink: FixedPartitionedSink[Outgoing, None], *,
    live: bool = True,
    flow_id: str = "cuewire",
    shadow_sink: FixedPartitionedSink[Outgoing, None] | None = None,
) -> Dataflow:
    flow = Dataflow(flow_id)
    incoming, source_errors = read_inputs(flow, parts.dead_letters)      # Incoming, Outgoing(dlq)?
    ticks = op.input("timer-ticks", flow, TimerTicks(timedelta(seconds=1), live))  # Tick

    # Bytes to records; what cannot be read is a dead letter; feedback goes its own way.
    read = ingest("ingest", incoming, parts.decoder, parts.dead_letters)
    learned = learning("learning", read.feedback, parts.learning)        # Outgoing(dlq)
    # Events, tickets and CRM snapshots in log order on one worker, each joined with the
    # tables (accounts, identity links, consent) as they were at its own time; from there
    # on an account is one worker's, and its records come in log order.
    located = accounts("accounts", read.timeline, parts.ordering, parts.join, live)

    ticket = tickets("tickets", located.tickets, parts.tickets)         # candidates, digest, …
    event = events("events", located.others, parts.events)              # signals, digest
    found = patterns("patterns", ticket.signals, event.signals, ticket.near_misses, ticks,
                     parts.patterns)                                     # candidates, digest
    governed = governance("govern", ticket.candidates, found.candidates, parts.governor, live)  # Outgoing

    outputs = [governed, found.digest, ticket.digest, ticket.dead_letters, event.digest,
               read.rejected, learned]
    outputs += [source_errors] if source_errors else []
    publish("publish", sink, parts.publisher, *outputs)
    if parts.shadow:  # CUEWIRE_SHADOW_RULES: a candidate's alerts beside these, to the .shadow topics
        shadow_branch("shadow", ticket.scored, ticket.signals, event.signals, ticks, parts.shadow,
                      shadow_sink, live)
    return flow
