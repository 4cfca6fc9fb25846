"""The functions the flow's steps call: operators wired to state, one batch at a time.

Nothing here imports Bytewax: each method takes a record (or a batch) and
returns what the step emits, so the same code runs under ``cuewire run`` (Kafka,
Redis) and ``cuewire replay`` (a file, in-process Redis). Redis is touched only
in the batch steps, with one pipeline per round.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Concatenate, Literal, ParamSpec, TypeGuard, TypeVar, cast

import orjson
from redis.client import Pipeline

from config.rules import Rule
from contracts.errors import PoisonRecord
from flows import metrics
from flows.delivery import outbox_payload, record_id
from flows.learning import LEARNER_KEY, CheckpointFollower, FeedbackLearner
from flows.record_failures import failure_reason, is_dependency_failure
from flows.rules_source import ActiveRules, RulesSource
from operators.alert_thread import thread_record
from operators.decode import InputKind, Limits, decode_record
from operators.gate import RULE_ID, GateDecision, gate_ticket
from operators.govern import Candidate, Verdict, candidate_from_dict, explain_entry, govern
from operators.holdout import holdout_event, split_holdout
from operators.match import Match, account_conditions_hold, evaluate, later_triggers, timers_for
from operators.near_miss import NearMiss, near_miss, near_miss_ticket
from operators.ordering import OrderPolicy, PartitionMark
from operators.reattach import Unattached
from operators.records import Coordinates, Event, Feedback, Record, Ticket
from operators.render import (
    ALERT_NAMESPACE,
    alert_id,
    cloud_event,
    iso,
    render_dead_letter,
    render_event_unattached,
    render_match_alert,
    render_ticket_alert,
    render_ticket_digest,
)
from operators.resolve import (
    LookupKey,
    Resolved,
    ResolveResult,
    can_reattach,
    candidate_keys,
    record_time_ms,
    resolve_batch,
)
from operators.rule_version import stamp_rule_versions
from operators.score import Score, TicketScorer
from operators.signals import Signal, event_signals, ticket_signals
from operators.variants import in_arm
from operators.versions import Versions, as_of, latest
from operators.weekly_digest import owner_of, render_weekly_digest
from state.governance import GovernanceStore, TicketStatus
from state.identity import IdentityStore
from state.ledger import AlertLedger
from state.progress import EventTimeStore
from state.redis_client import ROUND_TRIPS
from state.weekly import WeeklyDigestStore
from state.windows import WindowStore

if TYPE_CHECKING:
    from flows.partition_ends import PartitionEnds

OutKind = Literal["alerts", "digest", "dlq"]
MAX_RESOLVE_ROUNDS = 4
TICKET_NEAR_MISS = 0.8
"""How close a below-gate ticket must come to make the weekly digest (0.8: score 52 of 65)."""
PATTERN_NEAR_MISS = 0.6
UNSCORED = Score(0, None, None, None, 0.0)
"""Stands in for the score of a ticket whose scoring failed (it is dead-lettered)."""
DUE_CHECK_EVERY = timedelta(seconds=1)
DIGEST_GRACE = timedelta(hours=1)
"""A week's digest waits this long past the week's end for stragglers."""
ORDER_SHARDS = 16
"""Account shards: after ``resolve-accounts`` each account's records go to one of them, and
Bytewax spreads them over the workers."""
LOG_KEY = "log"
"""The one key of ``order-by-log`` and ``resolve-accounts`` (``flows/input_order.py``)."""
REATTACH_MAX = 50_000
"""Most records kept waiting for a link that reaches them (oldest dropped first)."""


P = ParamSpec("P")
R = TypeVar("R")


def counts_round_trips(step: str) -> Callable[[Callable[Concatenate[Steps, P], R]],
                                              Callable[Concatenate[Steps, P], R]]:
    """Export how many Redis round trips each call of a batch step made
    (``cuewire_redis_round_trips_per_batch{step=…}``)."""
    def wrap(fn: Callable[Concatenate[Steps, P], R]) -> Callable[Concatenate[Steps, P], R]:
        observe = metrics.REDIS_ROUND_TRIPS.labels(step).observe

        def measured(self: Steps, /, *args: P.args, **kwargs: P.kwargs) -> R:
            before = ROUND_TRIPS.value
            try:
                return fn(self, *args, **kwargs)
            finally:
                observe(ROUND_TRIPS.value - before)
        functools.update_wrapper(measured, fn)
        return measured
    return wrap


F = TypeVar("F", bound=Callable[..., Any])


def survives(step: str, fallback: Callable[[Any, Any, Outgoing], Any]) -> Callable[[F], F]:
    """A per-record step whose exception becomes the record's dead letter: ``fallback``
    (steps, item, dead letter) says what the step emits instead, so the dead letter
    travels on to the output in the step's own stream."""
    def wrap(fn: F) -> F:
        method = cast(Callable[[Any, Any], Any], fn)

        def guarded(self: Steps, item: Any) -> Any:
            try:
                return method(self, item)
            except Exception as exc:
                if is_dependency_failure(exc):
                    raise
                return fallback(self, item, self.record_failed(step, item, exc))
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

        def guarded(self: Steps, batch: list[Any]) -> list[Any]:
            try:
                return list(method(self, batch))
            except Exception as exc:
                if is_dependency_failure(exc):
                    raise
                if len(batch) == 1:
                    return [carry(batch[0], self.record_failed(step, batch[0], exc))]
            out: list[Any] = []
            for item in batch:
                try:
                    out += method(self, [item])
                except Exception as exc:
                    if is_dependency_failure(exc):
                        raise
                    out.append(carry(item, self.record_failed(step, item, exc)))
            return out
        functools.update_wrapper(guarded, method)
        return cast(F, guarded)
    return wrap


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
    failure: Outgoing | None = None
    """The record's dead letter, when resolving it failed: it goes on, in log order, to
    ``route-others``, which publishes it, and nowhere else."""


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


@dataclass(frozen=True, slots=True)
class PendingAlert:
    """An alert a rule wants to publish, before governance decides (``candidate.alert``
    holds the rendered CloudEvent)."""

    candidate: Candidate
    produced_ms: int | None = None
    ticket_text: str | None = None
    """The triggering ticket's full text, kept with the alert so feedback can teach the model."""


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
    learn_text: str | None = None


class Progress:
    """A line on stderr every ``every`` seconds while the flow runs, so an operator watching
    `cuewire run` sees it working: what went out, and how far event time has got."""

    def __init__(self, every: timedelta = timedelta(seconds=30),
                 write: Callable[[str], object] = lambda line: print(line, file=sys.stderr)) -> None:
        self._every = every
        self._write = write
        self._since: datetime | None = None
        self._counts: dict[str, int] = {}
        self.totals: dict[str, int] = {}
        """Everything this run handed to its sinks, for the line it prints when it stops."""

    def count(self, batch: list[Outgoing], now: datetime) -> None:
        for out in batch:
            self._counts[out.kind] = self._counts.get(out.kind, 0) + 1
            self.totals[out.kind] = self.totals.get(out.kind, 0) + 1
        if self._since is None:
            self._since = now
        elif now - self._since >= self._every:
            self.report(now)

    def report(self, now: datetime) -> None:
        if self._since is None:
            return
        seconds = max((now - self._since).total_seconds(), 1e-9)
        c = self._counts
        self._write(
            f"cuewire: {c.get('alerts', 0):,} alerts, {c.get('digest', 0):,} digest records, "
            f"{c.get('dlq', 0):,} dead letters in the last {seconds:.0f} s"
        )
        self._since, self._counts = now, {}


class EventClock:
    """How far event time has got on this worker: the low watermark of its input partitions.

    Each partition's newest event time is tracked; the watermark is the oldest of
    those among partitions that delivered something in the last ``idle_s`` seconds
    (wall clock), so a partition read behind the others holds timers and weekly
    digests back instead of letting another partition's later records fire them
    early, while a partition that has gone quiet stops holding them.
    """

    def __init__(self, idle_s: float = 5.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._newest: dict[tuple[str, int], datetime] = {}
        self._heard: dict[tuple[str, int], float] = {}
        self._idle_s = idle_s
        self._monotonic = monotonic
        self.ends: dict[tuple[str, int], int] = {}
        """Where a bounded run's partitions end (next offset): one read to its end holds
        nothing back, so the last records' timers fire as they do in a replay."""
        self._ended: set[tuple[str, int]] = set()

    def saw(self, topic: str, partition: int, at: datetime) -> None:
        key = (topic, partition)
        if key not in self._newest or at > self._newest[key]:
            self._newest[key] = at
        self._heard[key] = self._monotonic()

    def newest(self) -> dict[tuple[str, int], datetime]:
        return dict(self._newest)

    def resume(self, newest: dict[tuple[str, int], datetime]) -> None:
        """Start from where a stopped run got to (its partitions count as quiet until read)."""
        quiet = self._monotonic() - self._idle_s - 1
        for key, at in newest.items():
            if key not in self._newest or at > self._newest[key]:
                self._newest[key] = at
                self._heard.setdefault(key, quiet)

    def read(self, topic: str, partition: int, offset: int) -> None:
        """A record of any kind (a dead letter too) was read at ``offset``."""
        if self.ends:
            end = self.ends.get((topic, partition))
            if end is not None and offset >= end - 1:
                self._ended.add((topic, partition))

    def watermark(self) -> datetime | None:
        if not self._newest:
            return None
        now = self._monotonic()
        active = [t for k, t in self._newest.items()
                  if now - self._heard[k] <= self._idle_s and k not in self._ended]
        return min(active) if active else max(self._newest.values())


class Steps:
    """State, scorer and clock for one worker process; its methods are the flow's steps."""

    def __init__(
        self,
        *,
        identity: IdentityStore,
        ledger: AlertLedger,
        windows: WindowStore,
        governance: GovernanceStore,
        weekly: WeeklyDigestStore,
        rules: RulesSource,
        scorer: TicketScorer,
        learner: FeedbackLearner | None,
        follower: CheckpointFollower | None,
        deployment: str,
        limits: Limits,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        timer_lateness: timedelta = timedelta(minutes=5),
        order_policy: OrderPolicy | None = None,
        pipeline: Callable[[], Pipeline],
        reattach_window: timedelta = timedelta(days=7),
    ) -> None:
        self.identity = identity
        self.ledger = ledger
        self.windows = windows
        self.governance = governance
        self.weekly = weekly
        self.rules = rules
        self.scorer = scorer
        self.learner = learner
        self.follower = follower
        self.deployment = deployment
        self.limits = limits
        self.clock = clock
        self.event_time = EventClock()
        self.event_times: EventTimeStore | None = None
        """Where the event clock is kept, so a run resumed from its recovery store goes on from it."""
        self.progress = Progress()
        self._last_checks: dict[str, datetime] = {}
        self.timer_lateness = timer_lateness
        """How long past a timer's due time records may still arrive out of order."""
        self.order_policy = order_policy or OrderPolicy()
        """Which input partitions a record waits for before its account's shard handles it."""
        self.pipeline = pipeline
        """A fresh pipeline on the stores' Redis: steps that touch several stores send their
        commands together."""
        self._records_in: dict[str, Any] = {}
        self._stream_ms: int | None = None
        """The newest ticket or event time ``resolve-accounts`` has seen (ms)."""
        self.reattach_window = reattach_window
        """How long (in stream time) a record that reached no account waits for a link."""
        self.partition_ends: Callable[[], PartitionEnds | None] = lambda: None
        """Makes the broker's answer to "where does each input partition end" (live runs)."""
        self.order_margin_ms = 0
        """A partition read to its end counts as read up to when that was asked, less this."""

    # -- decode ---------------------------------------------------------------

    def decode(self, incoming: Incoming) -> Decoded:
        counter = self._records_in.get(incoming.coords.topic)
        if counter is None:  # labels() hashes its arguments on every call: look each topic up once
            counter = self._records_in[incoming.coords.topic] = metrics.RECORDS_IN.labels(
                incoming.coords.topic)
        counter.inc()
        self.event_time.read(incoming.coords.topic, incoming.coords.partition, incoming.coords.offset)
        fallback = None
        if incoming.coords.timestamp_ms:
            fallback = datetime.fromtimestamp(incoming.coords.timestamp_ms / 1000, UTC)
        try:
            now = self.clock()
            record = decode_record(incoming.kind, incoming.key, incoming.value,
                                   fallback or now, self.limits, now=now)
        except PoisonRecord as exc:
            return Decoded(None, incoming, str(exc))
        except Exception as exc:
            if is_dependency_failure(exc):
                raise
            return Decoded(None, incoming, failure_reason("decode", exc))
        return Decoded(record, incoming)

    @staticmethod
    def is_valid(decoded: Decoded) -> bool:
        return decoded.record is not None

    def dead_letter(self, decoded: Decoded) -> Outgoing:
        return self._dead_letter(decoded.incoming, decoded.error or "unknown error", "decode")

    def source_error(self, incoming: Incoming, error: str) -> Outgoing:
        return self._dead_letter(incoming, error, "kafka-in")

    def record_failed(self, step: str, item: Any, exc: BaseException) -> Outgoing:
        """The dead letter of ``item``, whose handling in ``step`` raised ``exc``."""
        coords, record_id = _whereabouts(item)
        return self._dead_letter(Incoming("tickets", coords.key, None, coords),
                                 failure_reason(step, exc, record_id), step)

    def _dead_letter(self, incoming: Incoming, error: str, step: str) -> Outgoing:
        metrics.DEAD_LETTERS.labels(incoming.coords.topic, step).inc()
        body = render_dead_letter(incoming.coords, incoming.value, error, self.clock(), step)
        return Outgoing("dlq", incoming.key, orjson.dumps(body))

    # -- resolve --------------------------------------------------------------

    def mark_partitions(self, batch: list[Decoded]) -> list[Decoded | PartitionMark]:
        """On the worker that read ``batch``: note how far event time has got, and follow
        the batch with a mark of how far this worker has read its partitions (the mark
        follows the records down the same channel, so it never overtakes them)."""
        if self.follower is not None:
            self.follower.refresh(self.clock())  # reads Redis at most every 30 s
        for d in batch:
            record = d.record
            if isinstance(record, Ticket | Event):
                at = record.created_at if isinstance(record, Ticket) else record.timestamp
                self.event_time.saw(d.incoming.coords.topic, d.incoming.coords.partition, at)
        out: list[Decoded | PartitionMark] = list(batch)
        out += self._partition_marks(batch)
        return out

    @staticmethod
    def is_rejected(item: Decoded | PartitionMark) -> TypeGuard[Decoded]:
        return isinstance(item, Decoded) and item.record is None

    def _partition_marks(self, batch: list[Decoded]) -> list[PartitionMark]:
        newest: dict[tuple[str, int], tuple[int, int]] = {}
        expected = self.order_policy.expected
        for d in batch:
            c = d.incoming.coords
            part = (c.topic, c.partition)
            if c.timestamp_ms is None or part not in expected:
                continue
            ms, offset = newest.get(part, (-1, -1))
            newest[part] = (max(ms, c.timestamp_ms), max(offset, c.offset))
        if not newest:
            return []
        return [PartitionMark(0, tuple((t, p, ms, off) for (t, p), (ms, off) in newest.items()))]

    @staticmethod
    def is_feedback(item: Decoded | PartitionMark) -> TypeGuard[Decoded]:
        return isinstance(item, Decoded) and isinstance(item.record, Feedback)

    @staticmethod
    def timeline_key(item: Decoded | PartitionMark) -> str:
        """Every event, ticket and snapshot goes to one key: one worker puts them in log order
        and joins them with the tables as of their time."""
        return LOG_KEY

    @counts_round_trips("resolve-accounts")
    def resolve(self, batch: list[Decoded], waiting: Unattached[Decoded]) -> list[Located]:
        """Join records, in log order, with the tables as they were at each record's time;
        apply what they teach. Keep what reaches no account in ``waiting``, and hand on,
        after the batch, the kept records a link in this batch now reaches.

        When a batch raises, its records are joined one at a time, so only the record
        that raises becomes a dead letter (carried on to ``route-others``)."""
        try:
            return self._join(batch, waiting)
        except Exception as exc:
            if is_dependency_failure(exc):
                raise
            if len(batch) == 1:
                return [self._failed_join(batch[0], exc)]
        out: list[Located] = []
        for d in batch:
            try:
                out += self._join([d], waiting)
            except Exception as exc:
                if is_dependency_failure(exc):
                    raise
                out.append(self._failed_join(d, exc))
        return out

    def _failed_join(self, d: Decoded, exc: Exception) -> Located:
        dead = self.record_failed("resolve-accounts", d, exc)
        return Located(Resolved(cast(Record, d.record), None, None), d.incoming.coords, dead)

    def _join(self, batch: list[Decoded], waiting: Unattached[Decoded]) -> list[Located]:
        if self._stream_ms is None:
            self._stream_ms = waiting.stream_ms  # (after a restart)
        records = [cast(Record, d.record) for d in batch]
        times, streams = [], []
        for d in batch:
            times.append(self._join_time(d))
            streams.append(self._stream_ms or 0)
        result, fetched = self._resolve(records, times, {})
        self.identity.write(result.writes)
        out = [Located(r, d.incoming.coords) for r, d in zip(result.resolved, batch, strict=True)]
        # Record by record, as if they came one at a time: keep the unattached, and take
        # out what a record's links reach while stream time is still within the window.
        again: list[tuple[Decoded, int]] = []
        for d, r, at, consulted, taught, stream in zip(
                batch, result.resolved, times, result.consulted, result.taught, streams, strict=True):
            if r.account_id is None and can_reattach(r.record):
                waiting.park(d, at, consulted)
            if taught:
                again += waiting.touched(taught, stream)
        if again:
            out += self._reattach(waiting, again, fetched | result.writes)
        if self._stream_ms is not None:
            waiting.advance(self._stream_ms)
        metrics.UNATTACHED_EXPIRED.inc(waiting.expired)
        waiting.expired = 0
        metrics.UNATTACHED_PARKED.set(len(waiting))
        return out

    def _reattach(self, waiting: Unattached[Decoded], again: list[tuple[Decoded, int]],
                  fetched: dict[LookupKey, Versions]) -> list[Located]:
        result, _ = self._resolve([cast(Record, d.record) for d, _at in again], [at for _d, at in again],
                                  fetched)
        self.identity.write(result.writes)
        out = []
        for (d, at), r, keys in zip(again, result.resolved, result.consulted, strict=True):
            if r.account_id is None:
                waiting.park(d, at, keys)
            else:
                metrics.REATTACHED.inc()
                out.append(Located(r, d.incoming.coords))
        return out

    def _resolve(self, records: list[Record], times: list[int], fetched: dict[LookupKey, Versions]
                 ) -> tuple[ResolveResult, dict[LookupKey, Versions]]:
        wanted = candidate_keys(records) - fetched.keys()
        fetched = fetched | (self.identity.fetch_versions(wanted) if wanted else {})
        for _ in range(MAX_RESOLVE_ROUNDS):
            result = resolve_batch(records, times, fetched)
            if not result.missing:
                return result, fetched
            fetched.update(self.identity.fetch_versions(result.missing))
        raise RuntimeError("identity resolution did not converge")  # pragma: no cover

    def _join_time(self, d: Decoded) -> int:
        """A record's time (see ``record_time_ms``); moves stream time on, record by record."""
        at = record_time_ms(cast(Record, d.record), d.incoming.coords.timestamp_ms, self._stream_ms or 0)
        if isinstance(d.record, Ticket | Event) and (self._stream_ms is None or at > self._stream_ms):
            self._stream_ms = at
        return at

    @staticmethod
    def account_shard(item: Located) -> str:
        """Routes a joined record to its account's shard, so one worker handles an account's
        records, in the order ``resolve-accounts`` handed them on."""
        account = item.resolved.account_id
        basis = account.encode() if account else (item.coords.key or b"")
        return str(zlib.crc32(basis) % ORDER_SHARDS)

    @staticmethod
    def learner_key(decoded: Decoded) -> str:
        # One key, so one worker learns and checkpoints; scorers everywhere reload it.
        return LEARNER_KEY

    @counts_round_trips("learn-feedback")
    def learn_feedback(self, keyed: tuple[str, list[Decoded]]) -> list[Outgoing]:
        """Teach the model from reviewers' decisions, once per record (fenced by offset)."""
        _, batch = keyed
        records = [(cast(Feedback, d.record), d.incoming.coords.partition,
                    d.incoming.coords.offset) for d in batch]
        out = self._honour_snoozes(batch)
        if self.learner is None or not records:
            return out
        outcome = self.learner.learn_feedback(records)
        metrics.FEEDBACK.labels("learned").inc(outcome.learned)
        metrics.FEEDBACK.labels("duplicate").inc(outcome.duplicates)
        metrics.FEEDBACK.labels("without_text").inc(outcome.without_text)
        metrics.FEEDBACK.labels("unlabelled").inc(outcome.unlabelled)
        by_offset = {(d.incoming.coords.partition, d.incoming.coords.offset): d for d in batch}
        for partition, offset, reason in outcome.rejected:
            coords = by_offset[(partition, offset)].incoming.coords
            out.append(self._dead_letter(Incoming("feedback", coords.key, None, coords),
                                         f"feedback not learned: {reason}", "learn-feedback"))
        return out

    def _honour_snoozes(self, batch: list[Decoded]) -> list[Outgoing]:
        """Keep reviewers' snoozes for governance; a snooze of an unknown alert is a dead letter."""
        unknown = {id(fb) for fb in self.governance.honour_snoozes(
            [cast(Feedback, d.record) for d in batch])}
        return [self._dead_letter(Incoming("feedback", d.incoming.coords.key, None, d.incoming.coords),
                                  "snooze not honoured: the alert is unknown here and the record "
                                  "names no account_id and rule", "learn-feedback")
                for d in batch if id(d.record) in unknown]

    @staticmethod
    def is_ticket(located: Located) -> bool:
        return located.failure is None and isinstance(located.resolved.record, Ticket)

    # -- tickets --------------------------------------------------------------

    @survives("score-tickets", lambda self, located, dead: ScoredTicket(
        located.resolved, located.coords, located.resolved.record, UNSCORED, dead))
    def score(self, located: Located) -> ScoredTicket:
        ticket = located.resolved.record
        assert isinstance(ticket, Ticket)
        return ScoredTicket(located.resolved, located.coords, ticket, self.scorer.score(ticket.text))

    @survives("gate-tickets", lambda self, scored, dead: GatedTicket(scored, None, dead))
    def gate_ticket(self, scored: ScoredTicket) -> GatedTicket:
        gate = self.rules.current().gate
        if scored.resolved.account_id is None or gate is None or scored.failure:
            return GatedTicket(scored, None)
        decision = gate_ticket(scored.score, scored.resolved.account, scored.ticket.created_at, gate)
        return GatedTicket(scored, decision)

    @staticmethod
    def passed_gate(gated: GatedTicket) -> bool:
        return gated.decision is not None and gated.decision.passed

    @survives("render-ticket-digest", lambda self, gated, dead: dead)
    def render_ticket_digest(self, gated: GatedTicket) -> Outgoing:
        scored, account_id = gated.scored, gated.scored.resolved.account_id
        failure = gated.failure or scored.failure
        if failure is not None:  # an earlier step's dead letter, on its way out
            return failure
        body = render_ticket_digest(
            ticket=scored.ticket, score=scored.score, decision=gated.decision, account_id=account_id,
            detected_at=self.clock(), deployment=self.deployment,
        )
        key = account_id.encode() if account_id else b"unattached"
        return Outgoing("digest", key, orjson.dumps(body))

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
        body = render_ticket_alert(
            ticket=scored.ticket, score=scored.score, decision=decision, rule=RULE_ID,
            account_id=account_id, account=scored.resolved.account, detected_at=self.clock(),
            deployment=self.deployment,
        )
        candidate = Candidate(
            alert_id=body["id"], rule_id=RULE_ID, account_id=account_id,
            signal=body["data"]["signal"], priority=decision.priority,
            promotional=body["data"]["signal"] == "upgrade_intent", at=scored.ticket.created_at,
            account=scored.resolved.account, contact_email=scored.ticket.requester_email,
            alert=body,
        )
        return PendingAlert(candidate, scored.coords.timestamp_ms, scored.ticket.text)

    # -- signals and patterns -------------------------------------------------

    @survives("ticket-signals", lambda self, scored, dead: [dead])
    def ticket_signals(self, scored: ScoredTicket) -> list[Signal | Outgoing]:
        account_id = scored.resolved.account_id
        if account_id is None or scored.failure:
            return []
        table = self.rules.current().table
        found: list[Signal | Outgoing] = []
        found += ticket_signals(scored.ticket, scored.score, account_id, table)
        if not found and scored.ticket.kind == "updated":
            # Status changes carry no signal but do close (or reopen) a ticket.
            return [Signal(account_id, "ticket_status", scored.ticket.ticket_id,
                           scored.ticket.created_at, "ticket", scored.ticket.ticket_id,
                           scored.ticket.record_id,
                           open=(scored.ticket.status or "open") not in ("solved", "closed"))]
        return found

    @survives("event-signals", lambda self, located, dead: [dead])
    def event_signals(self, located: Located) -> list[Signal | Outgoing]:
        record, account_id = located.resolved.record, located.resolved.account_id
        if not isinstance(record, Event) or account_id is None or located.failure is not None:
            return []
        return [*event_signals(record, account_id, self.rules.current().table)]

    @counts_round_trips("match-patterns")
    @isolates_failures("match-patterns")
    def match_patterns(self, batch: list[Signal | Tick | NearMiss | Outgoing]
                       ) -> list[PendingAlert | Outgoing | Tick]:
        """Store the batch's signals, evaluate the rules they trigger, fire due timers,
        file near misses and publish the weekly digests whose week has ended.
        Dead letters from the steps before pass straight through. A tick goes on to
        ``govern``, whose deferred alerts are due on the clock too."""
        passing = [o for o in batch if isinstance(o, Outgoing)]
        active = self.rules.current()
        signals = [s for s in batch if isinstance(s, Signal)]
        near: list[NearMiss] = [n for n in batch if isinstance(n, NearMiss)]
        watermark = self.event_time.watermark()
        windowed = [s for s in signals if s.name in active.windowed]
        timers = [t for s in windowed for t in timers_for(self._arms_for(active, s), s)]
        horizon = active.file.horizon()
        reads: dict[str, tuple[set[str], datetime]] = {}
        for s in windowed:
            names, since = reads.get(s.account_id, (set(), s.at))
            for rule in self._arms_for(active, s):
                names |= rule.when.signals()
            reads[s.account_id] = (names, min(since, s.at - horizon))
        # One round trip before evaluating (tickets' status, windows in and out, the
        # accounts' CRM snapshots) and at most one after (what evaluation decided to keep).
        pipe = self.pipeline()
        read_tickets = self.governance.stage_ticket_reads(pipe, self._ticket_updates(signals, active))
        read_windows = self.windows.stage_exchange(pipe, windowed, timers, reads)
        read_accounts = self.identity.stage_fetch_versions(
            pipe, {("account", s.account_id) for s in windowed} | {("account", n.account_id) for n in near})
        replies = pipe.execute() if len(pipe) else []
        windows, accounts = read_windows(replies), read_accounts(replies)
        matches: list[Match] = []
        seen: set[tuple[str, str, str]] = set()
        for s in windowed:
            window = windows.get(s.account_id, {})
            for rule in self._arms_for(active, s):
                # A record that arrives late (after records with later event times) may
                # complete a pattern as of one of those later records: evaluate as of each.
                for trigger in later_triggers(rule, s, window):
                    if (rule.id, trigger.account_id, trigger.key + trigger.name) in seen:
                        continue
                    seen.add((rule.id, trigger.account_id, trigger.key + trigger.name))
                    found = evaluate(rule, trigger, window)
                    if found is not None:
                        matches.append(found)
                        break
                    close = near_miss(rule, trigger, window, trigger.at,
                                      min_closeness=PATTERN_NEAR_MISS)
                    if close is not None:
                        near.append(close)
        ticks = [t.at for t in batch if isinstance(t, Tick)]
        event_now = [watermark - self.timer_lateness] if watermark else []
        now = max([*ticks, *event_now], default=None)
        due_check = now is not None and self._time_to_check("timers", now)
        if due_check and now is not None:
            matches += self._fire_timers(now, active, near)
            missing = ({("account", m.account_id) for m in matches}
                       | {("account", n.account_id) for n in near}) - accounts.keys()
            accounts |= self.identity.fetch_versions(missing)
        out: list[PendingAlert | Outgoing | Tick] = [*passing]
        out += self._pending(matches, accounts)
        after = self.pipeline()
        if due_check and self.event_times is not None:
            self.event_times.stage_save(after, self.event_time.newest())
        self.governance.stage_ticket_writes(after, read_tickets(replies))
        self.weekly.stage_record(after, near, {
            n.account_id: owner_of(latest(accounts.get(("account", n.account_id), ()))) for n in near})
        if len(after):
            after.execute()
        if due_check and now is not None:
            out += self._weekly_digests(now)
        if ticks:
            out.append(Tick(max(ticks)))
        return out

    @staticmethod
    def _arms_for(active: ActiveRules, signal: Signal) -> Sequence[Rule]:
        """The rules a signal triggers for its account: of a rule with variants, the account's arm."""
        rules = active.by_signal.get(signal.name, ())
        if not any(r.arm for r in rules):
            return rules
        salt = active.file.governance.holdout_salt
        return [r for r in rules if in_arm(r, signal.account_id, salt)]

    def _time_to_check(self, what: str, now: datetime) -> bool:
        """Whether ``now`` has moved a second past the last look at ``what``'s due queue:
        due work is looked for about once a second, not in a round trip per batch."""
        last = self._last_checks.get(what)
        if last is not None and now - last < DUE_CHECK_EVERY:
            return False
        self._last_checks[what] = now
        return True

    def _weekly_digests(self, now: datetime) -> list[Outgoing]:
        out = []
        for owner, week in self.weekly.due_weeks(now - DIGEST_GRACE):
            body = render_weekly_digest(owner, week, self.weekly.take(owner, week), self.deployment,
                                        self.clock())
            out.append(Outgoing("digest", owner.encode(), orjson.dumps(body), alert_id=body["id"]))
        return out

    def _fire_timers(self, now: datetime, active: ActiveRules, near: list[NearMiss]) -> list[Match]:
        due = self.windows.due_timers(now)
        if not due:
            return []
        horizon = active.file.horizon()
        reads: dict[str, tuple[set[str], datetime]] = {}
        for rule_id, first, at in due:
            rule = active.by_id.get(rule_id)
            if rule is None:
                continue
            names, since = reads.get(first.account_id, (set(), at))
            reads[first.account_id] = (names | rule.when.signals(), min(since, at - horizon))
        windows = self.windows.exchange((), (), reads)
        matches = []
        for rule_id, first, at in due:
            rule = active.by_id.get(rule_id)
            if rule is None:
                continue
            for absence in rule.when.absences():
                if absence.first == first.name and first.at + absence.within == at:
                    window = windows.get(first.account_id, {})
                    found = evaluate(rule, first, window, due=at, absence=absence)
                    if found is not None:
                        matches.append(found)
                    elif (close := near_miss(rule, first, window, at, absence=absence,
                                             min_closeness=PATTERN_NEAR_MISS)) is not None:
                        near.append(close)
        return matches

    def _pending(self, matches: list[Match], accounts: dict[LookupKey, Versions]) -> list[PendingAlert]:
        out = []
        now = self.clock()
        for m in matches:
            # The CRM snapshot (and so the consent) in force when the pattern was completed.
            account = as_of(accounts.get(("account", m.account_id), ()), int(m.at.timestamp() * 1000))
            if not account_conditions_hold(m.rule, account, m.at):
                continue
            aid = alert_id(m.rule.id, m.account_id, [s.record_id for s in m.evidence])
            body = render_match_alert(match=m, alert_id_=aid, priority=m.rule.priority,
                                      account=account, detected_at=now, deployment=self.deployment)
            contact = next((s.email for s in reversed(m.evidence) if s.email), None)
            candidate = Candidate(
                alert_id=aid, rule_id=m.rule.id, account_id=m.account_id, signal=m.rule.signal,
                priority=m.rule.priority, promotional=m.rule.promotional, at=m.at, account=account,
                contact_email=contact, cooldown=m.rule.cooldown, alert=body,
            )
            out.append(PendingAlert(candidate))
        return out

    @staticmethod
    def _ticket_updates(signals: list[Signal], active: ActiveRules) -> list[TicketStatus]:
        """What the batch says of its tickets' status, for the governance's frustrated-ticket
        tracking (promotional alerts wait while one is open)."""
        return [
            TicketStatus(s.account_id, s.key, (s.score or 0) >= active.table.frustrated_at, s.open, s.at)
            for s in signals if s.name in ("ticket", "ticket_status")
        ]

    # -- governance -----------------------------------------------------------

    @counts_round_trips("govern")
    @isolates_failures("govern")
    def govern(self, batch: list[PendingAlert | Outgoing | Tick]) -> list[Outgoing]:
        """Cooldown, daily cap, promotional suppression, consent, working hours; in that order.
        Then every id is claimed in the alert ledger, so nothing is published twice.

        Deferred candidates whose retry time has come (by wall clock, or event time in
        a replay) join the batch and are governed again. Digests pass governance straight
        through but are claimed too. The decisions, the claims and the alerts' ticket
        texts go to Redis in one round trip. A tick (the wall clock) brings the due ones in
        when no candidate arrives: after a broker outage, on a quiet night."""
        policy = self.rules.current().file.governance
        out = [o for o in batch if isinstance(o, Outgoing)]
        pending = [p for p in batch if isinstance(p, PendingAlert)]
        watermark = self.event_time.watermark()
        now = max([self.clock(), *([watermark] if watermark else []),
                   *(t.at for t in batch if isinstance(t, Tick))])
        if self._time_to_check("deferred", now):
            pending += [PendingAlert(candidate_from_dict(d)) for d in self.governance.due(now)]
        pipe = self.pipeline()
        if pending:
            produced = {p.candidate.alert_id: (p.produced_ms, p.ticket_text) for p in pending}
            candidates = [p.candidate for p in pending]
            verdicts, writes = govern(candidates, self.governance.fetch(candidates, policy), policy)
            self.governance.stage_commit(pipe, writes, verdicts)
            verdicts = self._stamp_rule_versions(verdicts)
            verdicts, held_out = self._split_holdout(verdicts)
            out += [self._holdout_record(v) for v in held_out]
            for verdict in verdicts:
                if verdict.outcome == "publish":
                    produced_ms, text = produced.get(verdict.candidate.alert_id, (None, None))
                    out.append(self._publishable(verdict, produced_ms, text))
                else:
                    metrics.SUPPRESSED.labels(verdict.outcome, verdict.reason.split(":", 1)[0],
                                              verdict.candidate.rule_id).inc()
                    out.append(self._held_record(verdict))
        return self._claim(pipe, out)

    def _stamp_rule_versions(self, verdicts: list[Verdict]) -> list[Verdict]:
        """Each alert says which version of its rule raised it (``data.rule_version``)."""
        return stamp_rule_versions(verdicts, self.rules.current().by_id)

    def _split_holdout(self, verdicts: list[Verdict]) -> tuple[list[Verdict], list[Verdict]]:
        """Publish verdicts whose account is in the rule's control group are held out
        (``operators/holdout.py``)."""
        active = self.rules.current()
        by_id = active.by_id
        return split_holdout(verdicts, lambda rule: by_id[rule].holdout if rule in by_id else 0.0,
                             active.file.governance.holdout_salt)

    def _holdout_record(self, verdict: Verdict) -> Outgoing:
        body = holdout_event(verdict, now=self.clock(), deployment=self.deployment)
        return Outgoing("digest", verdict.candidate.account_id.encode(), orjson.dumps(body),
                        alert_id=body["id"])

    def _claim(self, pipe: Pipeline, batch: list[Outgoing]) -> list[Outgoing]:
        """Send ``pipe`` with the alerts' ticket texts (for feedback to teach the model).
        The ids are claimed in the ledger by the sink, with every other output record."""
        if self.learner is not None:
            self.learner.stage_remember_alerts(
                pipe, [(o.alert_id, o.learn_text) for o in batch if o.alert_id and o.learn_text])
        if len(pipe):
            pipe.execute()
        return batch

    def _publishable(self, verdict: Verdict, produced_ms: int | None, text: str | None) -> Outgoing:
        c = verdict.candidate
        # In its thread: a new alert names itself, an update goes out as io.cuewire.alert.updated.
        body = thread_record(c.alert or {}, verdict)
        if verdict.queue_for_next_morning:
            body = {**body, "data": {**body["data"], "queue": "next_morning",
                                     "deliver_after": iso(verdict.next_morning_at)
                                     if verdict.next_morning_at else None}}
        return Outgoing("alerts", c.account_id.encode(), orjson.dumps(body), alert_id=c.alert_id,
                        rule=c.rule_id, produced_ms=produced_ms, learn_text=text)

    def _held_record(self, verdict: Verdict) -> Outgoing:
        c = verdict.candidate
        kind = "suppressed" if verdict.outcome == "suppressed" else "deferred"
        data = {**explain_entry(verdict), "alert": (c.alert or {}).get("data")}
        body = cloud_event(
            event_id=str(uuid.uuid5(ALERT_NAMESPACE, f"{kind}\x1f{c.alert_id}\x1f{verdict.reason}")),
            type_=f"io.cuewire.digest.{kind}", subject=c.account_id, time=self.clock(),
            deployment=self.deployment, data=data,
        )
        # Claimed in the ledger like an alert: a replay re-derives the same decision and
        # the digest should not say it twice.
        return Outgoing("digest", c.account_id.encode(), orjson.dumps(body), alert_id=body["id"])

    # -- everything that is not a ticket -------------------------------------

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

    # -- publish once ---------------------------------------------------------

    @staticmethod
    def output_key(out: Outgoing) -> str:
        """Routes outputs to sink partitions: one account's records stay in order."""
        return out.key.decode("utf-8", "replace") if out.key else ""

    def produced(self, batch: list[Outgoing]) -> None:
        """Called by a sink as it hands ``batch`` to Kafka: counts, latency and progress."""
        now = self.clock()
        now_ms = now.timestamp() * 1000
        for out in batch:
            if out.rule:
                metrics.ALERTS_OUT.labels(out.rule).inc()
                if out.produced_ms:
                    metrics.EVENT_TO_ALERT.observe(max(0.0, (now_ms - out.produced_ms) / 1000))
            elif out.kind == "digest":
                metrics.DIGEST_OUT.inc()
        self.progress.count(batch, now)

    @counts_round_trips("claim")
    def claim(self, batch: list[Outgoing]) -> list[Outgoing]:
        """Called by a sink before producing: claim every record's id in the ledger, with the
        record (the outbox a restart settles), and drop what this deployment already
        published or is publishing. The records kept carry their id."""
        now_ms = int(self.clock().timestamp() * 1000)
        identified: list[Outgoing] = []
        claims: list[tuple[str, bytes]] = []
        for out in batch:
            rid = record_id(out.kind, out.value, out.alert_id)
            if rid is None:
                identified.append(out)
                continue
            if rid != out.alert_id:
                out = dataclasses.replace(out, alert_id=rid)
            identified.append(out)
            claims.append((rid, outbox_payload(out.kind, out.key, out.value, now_ms)))
        decisions = iter(self.ledger.claim(claims))
        kept: list[Outgoing] = []
        for out in identified:
            if out.alert_id is None or next(decisions):
                kept.append(out)
            else:
                metrics.DUPLICATES_DROPPED.inc()
        return kept

    @counts_round_trips("publish")
    def published(self, batch: list[Outgoing]) -> None:
        """Called by a sink once ``batch`` is durably written (acknowledged by Kafka)."""
        self.ledger.confirm([o.alert_id for o in batch if o.alert_id])


def _whereabouts(item: object) -> tuple[Coordinates, str | None]:
    """Where a step's item came from, for its dead letter: the input coordinates where
    the item still has them, else the account (as the key) and the record's id."""
    match item:
        case Decoded(record=record, incoming=Incoming(coords=coords)):
            return coords, None if record is None else _record_id(record)
        case Incoming(coords=coords):
            return coords, None
        case Located(resolved=resolved, coords=coords):
            return coords, _record_id(resolved.record)
        case ScoredTicket(coords=coords, ticket=ticket):
            return coords, ticket.record_id
        case GatedTicket(scored=scored):
            return scored.coords, scored.ticket.record_id
        case Signal(account_id=account, record_id=record_id):
            return Coordinates("", -1, -1, account.encode()), record_id
        case NearMiss(account_id=account, evidence=evidence):
            return Coordinates("", -1, -1, account.encode()), evidence[-1] if evidence else None
        case PendingAlert(candidate=candidate):
            return Coordinates("", -1, -1, candidate.account_id.encode()), candidate.alert_id
        case Outgoing(key=key, alert_id=aid):
            return Coordinates("", -1, -1, key), aid
    return Coordinates("", -1, -1), None


def _record_id(record: Record) -> str | None:
    if isinstance(record, Ticket):
        return record.record_id
    if isinstance(record, Event):
        return record.message_id
    if isinstance(record, Feedback):
        return record.alert_id
    return record.account_id
