"""The cuewire dataflow, top to bottom. Read this file to know what the product does.

Step ids are schema: Bytewax labels recovery data with them, so a renamed step
strands its state. ``tests/unit/test_flow_shape.py`` pins the list.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import bytewax.operators as op
from bytewax.dataflow import Dataflow, Stream
from bytewax.inputs import SimplePollingSource
from bytewax.outputs import FixedPartitionedSink

from flows import shutdown
from flows.input_order import log_order
from flows.steps import Incoming, Outgoing, Steps, Tick
from flows.table_join import hand_off, table_join

InputBuilder = Callable[[Dataflow, Steps], tuple[Stream[Incoming], Stream[Outgoing] | None]]
"""Adds the input step(s); returns the records and, if the source has one, its error stream."""


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
    steps: Steps, read_inputs: InputBuilder, sink: FixedPartitionedSink[Outgoing, None], *,
    live: bool = True,
    flow_id: str = "cuewire",
) -> Dataflow:
    flow = Dataflow(flow_id)
    incoming, source_errors = read_inputs(flow, steps)                   # Incoming, Outgoing(dlq)?
    ticks = op.input("timer-ticks", flow, TimerTicks(timedelta(seconds=1), live))  # Tick

    decoded = op.map("decode", incoming, steps.decode)                   # Decoded
    marked = op.flat_map_batch("mark-partitions", decoded, steps.mark_partitions)  # Decoded, PartitionMark
    checked = op.branch("split-invalid", marked, steps.is_rejected)
    rejected = op.map("dead-letter", checked.trues, steps.dead_letter)   # Outgoing(dlq)

    by_source = op.branch("split-feedback", checked.falses, steps.is_feedback)
    feedback = op.key_on("key-feedback", by_source.trues, steps.learner_key)  # ("model", Decoded)
    feedback_batches = op.collect("collect-feedback", feedback, timeout=timedelta(seconds=5),
                                  max_size=500)                          # ("model", [Decoded])
    feedback_out = op.flat_map("learn-feedback", feedback_batches, steps.learn_feedback)  # dlq
    # Events, tickets and CRM snapshots in log order on one worker, each joined with the
    # tables (accounts, identity links, consent) as they were at its own time.
    timeline = op.key_on("key-timeline", by_source.falses, steps.timeline_key)  # ("log", Decoded|Mark)
    ordered = op.stateful_batch("order-by-log", timeline, log_order(
        steps.order_policy, steps.partition_ends, steps.order_margin_ms))  # ("log", Decoded)
    joined = op.stateful_batch("resolve-accounts", ordered, table_join(steps))  # ("log", Located)
    # From here on an account is one worker's, and its records come in log order.
    located = op.key_rm("unkey-timeline", joined)                        # Located
    sharded = op.key_on("key-account-shards", located, steps.account_shard)
    handed = op.stateful_batch("to-account-shards", sharded, hand_off(live))
    in_order = op.key_rm("unkey-account-shards", handed)               # Located
    by_kind = op.branch("split-tickets", in_order, steps.is_ticket)
    others_out = op.flat_map("route-others", by_kind.falses, steps.route_other)  # Outgoing(digest)

    scored = op.map("score-tickets", by_kind.trues, steps.score)         # ScoredTicket
    gated = op.map("gate-tickets", scored, steps.gate_ticket)            # GatedTicket
    by_gate = op.branch("split-gated", gated, steps.passed_gate)
    below_gate = op.map("render-ticket-digest", by_gate.falses, steps.render_ticket_digest)  # Outgoing
    ticket_alerts = op.map("ticket-candidates", by_gate.trues, steps.ticket_candidate)  # PendingAlert
    ticket_near = op.flat_map("ticket-near-misses", by_gate.falses, steps.ticket_near_miss)  # NearMiss

    ticket_signals = op.flat_map("ticket-signals", scored, steps.ticket_signals)        # Signal
    event_signals = op.flat_map("event-signals", by_kind.falses, steps.event_signals)   # Signal
    signals = op.merge("merge-signals", ticket_signals, event_signals, ticket_near, ticks)
    patterns = op.flat_map_batch("match-patterns", signals, steps.match_patterns)
    # ^ PendingAlert, and Outgoing(digest) for the weekly near-miss digests

    candidates = op.merge("merge-candidates", ticket_alerts, patterns)     # PendingAlert | Outgoing | Tick
    governed = op.flat_map_batch("govern", candidates, steps.govern)      # Outgoing (ticks: due ones)

    outputs = [governed, below_gate, others_out, rejected, feedback_out]
    outputs += [source_errors] if source_errors else []
    outgoing = op.merge("merge-outgoing", *outputs)
    keyed = op.key_on("key-outgoing", outgoing, steps.output_key)         # (Kafka key, Outgoing)
    op.output("publish", keyed, sink)
    return flow
