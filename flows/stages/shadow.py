"""The shadow branch: a candidate rules file beside the live one, on the same records, in one flow.

With ``CUEWIRE_SHADOW_RULES`` the signals, near misses, ticket candidates and clock
ticks the shared stages produce fan out to a second ``patterns`` → ``govern`` →
``publish`` chain: the same stage composites, with collaborators over the candidate
file, over their own Redis keys (``Keyspace.shadow()``: windows, timers, cooldowns,
caps, the deferred queue and the ledger never touch the live ones) and their own
sink, the output topics' ``.shadow`` siblings. Nothing of the branch reaches
``cuewire.alerts``, the live digest or reviewers; nor does it count in the metrics.

An alert both files raise has the same id on both topics (ids are deterministic in
rule, account and evidence, and each branch has its own ledger), which is how
``cuewire report --shadow`` tells overlap from change.

Tickets are scored once; the branch gates the scored tickets with the candidate's own
ticket gate (``gate_tickets``, the tickets stage's gate steps), so a gate change shows
as the alerts it adds and removes. Signals are derived once, by the live file, so a
candidate must raise the same signals: :func:`check_candidate` refuses one that does
not at start-up (what a signal change would do is ``cuewire backtest``'s question).
Its steps are ``<flow>.shadow.…``; without a candidate the flow has none of them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from bytewax.dataflow import Stream, operator
from bytewax.outputs import FixedPartitionedSink

from contracts.errors import ConfigurationError
from flows.progress import Progress
from flows.rules_source import ActiveRules
from flows.stages.govern import Governor, governance
from flows.stages.items import Outgoing, ScoredTicket, Tick
from flows.stages.patterns import PatternEngine, patterns
from flows.stages.publish import Publisher, publish
from flows.stages.tickets import TicketSteps, gate_tickets
from operators.signals import Signal

STEP = "shadow"
"""The branch's step id under the flow's: its steps are ``cuewire.shadow.<stage>.<step>``."""


@dataclass
class ShadowParts:
    """The branch's collaborators: the candidate's ticket gate, patterns, governance and ledger."""

    tickets: TicketSteps
    patterns: PatternEngine
    governor: Governor
    publisher: Publisher


def shadow_progress() -> Progress:
    """The branch's progress line, told apart from the live one's."""
    return Progress(write=lambda line: print(line.replace("cuewire:", "cuewire shadow:", 1),
                                             file=sys.stderr))


def is_shadow_step(step_id: str, flow_id: str = "cuewire") -> bool:
    """Whether ``step_id`` is one of the shadow branch's (state a recovery store may drop)."""
    return step_id.startswith(f"{flow_id}.{STEP}.")


def check_candidate(live: ActiveRules, candidate: ActiveRules, path: object) -> None:
    """Refuse a candidate whose signals differ from the live file's: the branch reads the
    signals the live file derived."""
    if live.table != candidate.table:
        raise ConfigurationError(
            f"CUEWIRE_SHADOW_RULES={path}: its signals differ from the live rules file's; a "
            "shadow branch reads the live signals, so change those in both files, or try the "
            "change with `cuewire backtest --rules LIVE --rules CANDIDATE HISTORY`")


@operator
def shadow_branch(step_id: str, scored_tickets: Stream[ScoredTicket], ticket_signals: Stream[Signal],
                  event_signals: Stream[Signal], ticks: Stream[Tick],
                  parts: ShadowParts, sink: FixedPartitionedSink[Outgoing, None] | None,
                  live: bool = True) -> None:
    """The candidate's ticket gate, patterns, governance and publishing of the live stages'
    scored tickets and signals, to ``sink`` (the ``.shadow`` topics: the tickets below the
    candidate's gate are on its digest topic too)."""
    if sink is None:
        raise ConfigurationError("a shadow rules file needs the .shadow output topics: no shadow sink given")
    gated = gate_tickets(scored_tickets, parts.tickets)
    found = patterns("patterns", ticket_signals, event_signals, gated.near_misses, ticks, parts.patterns)
    governed = governance("govern", gated.candidates, found.candidates, parts.governor, live)
    publish("publish", sink, parts.publisher, governed, found.digest, gated.digest, *gated.dead_letters)
