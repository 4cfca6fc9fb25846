"""Where a step's failure goes: the record's dead letter, in the step's own stream.

``survives`` guards a per-record step, ``isolates_failures`` a batch step (a batch
that raises is handled one item at a time, so only the item that raises becomes a
dead letter); ``counts_round_trips`` exports a batch step's Redis round trips.
A dependency's failure (``flows/record_failures.py``) is raised on, never dead-lettered.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, Protocol, TypeGuard, TypeVar, cast

import bytewax.operators as op
import orjson
from bytewax.dataflow import Stream

from flows import metrics
from flows.record_failures import failure_reason, is_dependency_failure
from flows.stages.items import Decoded, GatedTicket, Incoming, Located, Outgoing, PendingAlert, ScoredTicket
from operators.near_miss import NearMiss
from operators.records import Coordinates, Event, Feedback, Record, Ticket
from operators.render import render_dead_letter
from operators.signals import Signal
from state.redis_client import ROUND_TRIPS

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")
F = TypeVar("F", bound=Callable[..., Any])
X = TypeVar("X")


class DeadLetters:
    """Renders dead letters: a record that could not be read, or whose handling raised."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock

    def rejected(self, decoded: Decoded) -> Outgoing:
        return self.of(decoded.incoming, decoded.error or "unknown error", "decode")

    def source_error(self, incoming: Incoming, error: str) -> Outgoing:
        return self.of(incoming, error, "kafka-in")

    def record_failed(self, step: str, item: Any, exc: BaseException) -> Outgoing:
        """The dead letter of ``item``, whose handling in ``step`` raised ``exc``."""
        coords, record_id = _whereabouts(item)
        return self.of(Incoming("tickets", coords.key, None, coords),
                       failure_reason(step, exc, record_id), step)

    def of(self, incoming: Incoming, error: str, step: str) -> Outgoing:
        metrics.DEAD_LETTERS.labels(incoming.coords.topic, step).inc()
        body = render_dead_letter(incoming.coords, incoming.value, error, self.clock(), step)
        return Outgoing("dlq", incoming.key, orjson.dumps(body))


class Guarded(Protocol):
    """What a guarded step's object has: somewhere to send its dead letters."""

    dead_letters: DeadLetters


def is_output(item: object) -> TypeGuard[Outgoing]:
    return isinstance(item, Outgoing)


def dead_letters_apart(step_id: str, up: Stream[X | Outgoing]) -> tuple[Stream[X], Stream[Outgoing]]:
    """A guarded step's items and its dead letters, as two streams of one type each."""
    branched = op.branch(step_id, up, is_output)
    return cast(Stream[X], branched.falses), branched.trues


def counts_round_trips(step: str) -> Callable[[Callable[Concatenate[S, P], R]],
                                              Callable[Concatenate[S, P], R]]:
    """Export how many Redis round trips each call of a batch step made
    (``cuewire_redis_round_trips_per_batch{step=…}``)."""
    def wrap(fn: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
        observe = metrics.REDIS_ROUND_TRIPS.labels(step).observe

        def measured(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
            before = ROUND_TRIPS.value
            try:
                return fn(self, *args, **kwargs)
            finally:
                observe(ROUND_TRIPS.value - before)
        functools.update_wrapper(measured, fn)
        return measured
    return wrap


def survives(step: str, fallback: Callable[[Any, Any, Outgoing], Any]) -> Callable[[F], F]:
    """A per-record step whose exception becomes the record's dead letter: ``fallback``
    (the step's object, item, dead letter) says what the step emits instead, so the dead
    letter travels on to the output in the step's own stream."""
    def wrap(fn: F) -> F:
        method = cast(Callable[[Any, Any], Any], fn)

        def guarded(self: Guarded, item: Any) -> Any:
            try:
                return method(self, item)
            except Exception as exc:
                if is_dependency_failure(exc):
                    raise
                return fallback(self, item, self.dead_letters.record_failed(step, item, exc))
        functools.update_wrapper(guarded, method)
        return cast(F, guarded)
    return wrap


def isolates_failures(step: str, carry: Callable[[Any, Outgoing], Any] = lambda item, dead: dead
                      ) -> Callable[[F], F]:
    """A batch step that, when a batch raises, handles its items one at a time so only
    the item that raises becomes a dead letter, emitted in the step's own output as
    ``carry`` (item, dead letter) wraps it."""
    def wrap(fn: F) -> F:
        method = cast(Callable[[Any, list[Any]], Iterable[Any]], fn)

        def guarded(self: Guarded, batch: list[Any]) -> list[Any]:
            failed = self.dead_letters.record_failed
            try:
                return list(method(self, batch))
            except Exception as exc:
                if is_dependency_failure(exc):
                    raise
                if len(batch) == 1:
                    return [carry(batch[0], failed(step, batch[0], exc))]
            out: list[Any] = []
            for item in batch:
                try:
                    out += method(self, [item])
                except Exception as exc:
                    if is_dependency_failure(exc):
                        raise
                    out.append(carry(item, failed(step, item, exc)))
            return out
        functools.update_wrapper(guarded, method)
        return cast(F, guarded)
    return wrap


def _whereabouts(item: object) -> tuple[Coordinates, str | None]:
    """Where a step's item came from, for its dead letter: the input coordinates where
    the item still has them, else the account (as the key) and the record's id."""
    match item:
        case Decoded(record=record, incoming=Incoming(coords=coords)):
            return coords, None if record is None else record_id(record)
        case Incoming(coords=coords):
            return coords, None
        case Located(resolved=resolved, coords=coords):
            return coords, record_id(resolved.record)
        case ScoredTicket(coords=coords, ticket=ticket):
            return coords, ticket.record_id
        case GatedTicket(scored=scored):
            return scored.coords, scored.ticket.record_id
        case Signal(account_id=account, record_id=rid):
            return Coordinates("", -1, -1, account.encode()), rid
        case NearMiss(account_id=account, evidence=evidence):
            return Coordinates("", -1, -1, account.encode()), evidence[-1] if evidence else None
        case PendingAlert(candidate=candidate):
            return Coordinates("", -1, -1, candidate.account_id.encode()), candidate.alert_id
        case Outgoing(key=key, alert_id=aid):
            return Coordinates("", -1, -1, key), aid
    return Coordinates("", -1, -1), None


def record_id(record: Record) -> str | None:
    if isinstance(record, Ticket):
        return record.record_id
    if isinstance(record, Event):
        return record.message_id
    if isinstance(record, Feedback):
        return record.alert_id
    return record.account_id
