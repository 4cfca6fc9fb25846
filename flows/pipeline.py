"""The cuewire dataflow, top to bottom. Read this file to know what the product does.

Step ids are schema: Bytewax labels recovery data with them, so a renamed step
strands its state. ``tests/unit/test_flow_shape.py`` pins the list.
"""

from __future__ import annotations

from collections.abc import Callable

import bytewax.operators as op
from bytewax.dataflow import Dataflow, Stream
from bytewax.outputs import Sink

from flows.steps import Incoming, Outgoing, Steps

InputBuilder = Callable[[Dataflow, Steps], tuple[Stream[Incoming], Stream[Outgoing] | None]]
"""Adds the input step(s); returns the records and, if the source has one, its error stream."""


def build_flow(
    steps: Steps, read_inputs: InputBuilder, sink: Sink[Outgoing], flow_id: str = "cuewire"
) -> Dataflow:
    flow = Dataflow(flow_id)
    incoming, source_errors = read_inputs(flow, steps)                   # Incoming, Outgoing(dlq)?

    decoded = op.map("decode", incoming, steps.decode)                   # Decoded
    checked = op.branch("split-invalid", decoded, steps.is_valid)
    rejected = op.map("dead-letter", checked.falses, steps.dead_letter)  # Outgoing(dlq)

    located = op.flat_map_batch("resolve-accounts", checked.trues, steps.resolve)  # Located
    by_kind = op.branch("split-tickets", located, steps.is_ticket)
    scored = op.map("score-tickets", by_kind.trues, steps.score)         # ScoredTicket
    gated = op.map("gate-tickets", scored, steps.gate_ticket)            # GatedTicket
    tickets_out = op.map("render-tickets", gated, steps.render_ticket)   # Outgoing(alerts|digest)
    others_out = op.flat_map("route-others", by_kind.falses, steps.route_other)  # Outgoing(digest)

    outputs = [tickets_out, others_out, rejected] + ([source_errors] if source_errors else [])
    outgoing = op.merge("merge-outgoing", *outputs)
    once = op.flat_map_batch("claim-alerts", outgoing, steps.claim_alerts)  # Outgoing, duplicates gone
    op.output("publish", once, sink)
    return flow
