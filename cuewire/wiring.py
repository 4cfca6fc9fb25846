"""The flow's collaborators, wired from settings: every store over one Redis client, the
ticket model, the rules, and the shadow branch's own; the one place that knows them all."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import redis

from config.settings import Settings
from config.taxonomy import load_taxonomy
from flows.event_clock import EventClock
from flows.learning import CheckpointFollower, FeedbackLearner
from flows.pipeline import Parts
from flows.published_alerts import PublishedAlerts
from flows.rules_source import RulesSource
from flows.stages.accounts import LogOrdering
from flows.stages.events import EventSteps
from flows.stages.failures import DeadLetters
from flows.stages.govern import Governor
from flows.stages.ingest import Decoder
from flows.stages.learning import FeedbackSteps
from flows.stages.patterns import PatternEngine
from flows.stages.publish import Publisher
from flows.stages.shadow import ShadowParts, check_candidate, shadow_progress
from flows.stages.tickets import TicketSteps
from flows.table_join import AccountJoin
from operators.candidate_hold import HoldPolicy
from operators.decode import Limits
from operators.ordering import OrderPolicy
from operators.score import TicketScorer
from state.governance import GovernanceStore
from state.identity import IdentityStore
from state.keys import DAY, Keyspace, TTLs
from state.ledger import AlertLedger
from state.model_cache import startup_scorer
from state.model_store import AlertTexts, ModelStore
from state.progress import EventTimeStore
from state.unit_of_work import UnitsOfWork
from state.weekly import WeeklyDigestStore
from state.windows import WindowStore


def make_parts(settings: Settings, client: redis.Redis,
               clock: Callable[[], datetime] | None = None, *,
               ordering: LogOrdering | None = None,
               event_times: EventTimeStore | None = None) -> Parts:
    """Every stage's collaborators over ``client``: the stores, the rules, the scorer."""
    keyspace = Keyspace(settings.redis_prefix)
    ttls = TTLs(account=settings.account_ttl_days * DAY, identity=settings.identity_ttl_days * DAY,
                alert_sent=settings.ledger_ttl_days * DAY)
    clock = clock or (lambda: datetime.now(UTC))
    deployment = settings.deployment
    rules = RulesSource(settings.rules)
    taxonomy = load_taxonomy(settings.taxonomy)
    scorer = startup_scorer(taxonomy)
    models = ModelStore(client, settings.redis_prefix)
    follower = CheckpointFollower(scorer, models)
    follower.refresh(datetime.now(UTC), force=True)
    learner = FeedbackLearner(scorer, models, AlertTexts(client, settings.redis_prefix))
    identity = IdentityStore(client, keyspace, ttls)
    governance = GovernanceStore(client, keyspace, ttls)
    units = UnitsOfWork(client)
    dead_letters = DeadLetters(clock)
    event_time = EventClock()
    ordering = ordering or LogOrdering(OrderPolicy())
    acknowledged = PublishedAlerts()
    patterns = PatternEngine(
        windows=WindowStore(client, keyspace, ttls, rules.current().file.horizon()),
        identity=identity, governance=governance, weekly=WeeklyDigestStore(client, keyspace, ttls),
        event_times=event_times, event_time=event_time, rules=rules, dead_letters=dead_letters,
        clock=clock, deployment=deployment,
        timer_lateness=timedelta(seconds=settings.timer_lateness_seconds), units=units,
        acknowledged=acknowledged)
    shadow = make_shadow(settings, client, patterns, rules, ttls, scorer) if settings.shadow_rules else None
    return Parts(
        dead_letters=dead_letters,
        decoder=Decoder(limits=Limits(settings.max_record_bytes, settings.max_json_depth,
                                      timedelta(days=365.25 * settings.date_window_years)),
                        event_time=event_time, order_policy=ordering.policy, follower=follower,
                        clock=clock, event_times=event_times),
        ordering=ordering,
        join=AccountJoin(identity=identity, reattach_window=timedelta(hours=settings.reattach_window_hours),
                         dead_letters=dead_letters),
        tickets=TicketSteps(rules=rules, scorer=scorer, dead_letters=dead_letters, clock=clock,
                            deployment=deployment),
        events=EventSteps(rules=rules, dead_letters=dead_letters, clock=clock, deployment=deployment),
        patterns=patterns,
        governor=Governor(governance=governance, rules=rules, learner=learner, event_time=event_time,
                          clock=clock, deployment=deployment, units=units,
                          dead_letters=dead_letters,
                          hold=govern_hold(settings)),
        learning=FeedbackSteps(learner=learner, governance=governance, dead_letters=dead_letters,
                               shadow_governance=shadow.governor.governance if shadow else None),
        publisher=Publisher(ledger=AlertLedger(client, keyspace, ttls, run_id=uuid.uuid4().hex[:12]),
                            clock=clock, acknowledged=acknowledged),
        event_time=event_time,
        shadow=shadow,
    )


def govern_hold(settings: Settings) -> HoldPolicy:
    """How long a candidate waits for its account's earlier ones (``operators/candidate_hold.py``):
    the live and the shadow branch wait alike, so each decides as a replay would."""
    return HoldPolicy(timedelta(seconds=settings.govern_lateness_seconds), settings.govern_wait_ms / 1000)


def make_shadow(settings: Settings, client: redis.Redis, live: PatternEngine, live_rules: RulesSource,
                ttls: TTLs, scorer: TicketScorer) -> ShadowParts:
    """The shadow branch's collaborators: the candidate rules file over the shadow keys
    (``Keyspace.shadow()``), sharing with the live ones only what is read, never written:
    accounts and identities, the event clock, the clock and the scorer (tickets are scored
    once; the candidate's gate reads the scores). Its alerts teach no model."""
    rules = RulesSource(settings.shadow_rules)
    check_candidate(live_rules.current(), rules.current(), settings.shadow_rules)
    keyspace = Keyspace(settings.redis_prefix).shadow()
    governance = GovernanceStore(client, keyspace, ttls)
    units = UnitsOfWork(client)
    return ShadowParts(
        tickets=TicketSteps(rules=rules, scorer=scorer, dead_letters=live.dead_letters,
                            clock=live.clock, deployment=live.deployment),
        patterns=PatternEngine(
            windows=WindowStore(client, keyspace, ttls, rules.current().file.horizon()),
            identity=live.identity, governance=governance, weekly=WeeklyDigestStore(client, keyspace, ttls),
            event_times=None, event_time=live.event_time, rules=rules, dead_letters=live.dead_letters,
            clock=live.clock, deployment=live.deployment, timer_lateness=live.timer_lateness, units=units),
        governor=Governor(governance=governance, rules=rules, learner=None, event_time=live.event_time,
                          clock=live.clock, deployment=live.deployment, units=units,
                          dead_letters=live.dead_letters, counted=False, hold=govern_hold(settings)),
        publisher=Publisher(ledger=AlertLedger(client, keyspace, ttls, run_id=uuid.uuid4().hex[:12]),
                            clock=live.clock, progress=shadow_progress(), counted=False),
    )
