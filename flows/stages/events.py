"""The events stage: what is not a ticket becomes signals, or an unattached digest record.

A Segment event on an account raises the signals the rules name
(``operators/signals.py``); a track or page call that reached no account is
published to the digest as ``io.cuewire.digest.event.unattached``. The dead
letters of records whose join failed leave here too.
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
from flows.stages.items import Located, Outgoing
from operators.records import Event
from operators.render import render_event_unattached
from operators.signals import Signal, event_signals


class EventSteps:
    def __init__(self, *, rules: RulesSource, dead_letters: DeadLetters,
                 clock: Callable[[], datetime], deployment: str) -> None:
        self.rules = rules
        self.dead_letters = dead_letters
        self.clock = clock
        self.deployment = deployment

    @survives("route-others", lambda self, located, dead: [dead])
    def route_other(self, located: Located) -> list[Outgoing]:
        if located.failure is not None:  # resolve's dead letter, on its way out
            return [located.failure]
        resolved = located.resolved
        record = resolved.record
        if isinstance(record, Event) and record.type in ("track", "page") and not resolved.account_id:
            body = render_event_unattached(record, self.clock(), self.deployment)
            return [Outgoing("digest", b"unattached", orjson.dumps(body))]
        return []

    @survives("event-signals", lambda self, located, dead: [dead])
    def event_signals(self, located: Located) -> list[Signal | Outgoing]:
        record, account_id = located.resolved.record, located.resolved.account_id
        if not isinstance(record, Event) or account_id is None or located.failure is not None:
            return []
        return [*event_signals(record, account_id, self.rules.current().table)]


@dataclass(frozen=True)
class Events:
    signals: Stream[Signal]
    digest: Stream[Outgoing]
    """Unattached events, and the dead letters of records whose join or signals failed."""


@operator
def events(step_id: str, others: Stream[Located], steps: EventSteps) -> Events:
    digest = op.flat_map("route-others", others, steps.route_other)      # Outgoing(digest, dlq)
    signals, failed = dead_letters_apart("split-failed-signals", op.flat_map(
        "event-signals", others, steps.event_signals))                  # Signal, dlq
    return Events(signals, op.merge("merge-digest", digest, failed))
