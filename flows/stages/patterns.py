"""The patterns stage: signals into per-account windows, the pattern rules evaluated on them.

``match-patterns`` stores each batch's signals (``state/windows.py``), evaluates the
rules they trigger (``operators/match.py``; what came close, ``operators/near_miss.py``),
fires the absence timers that are due, files near misses for the weekly digests
(``state/weekly.py``) and publishes the digests whose week has ended. Tickets'
status changes are tracked here for governance's promotional suppression.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeGuard, cast

import bytewax.operators as op
import orjson
from bytewax.dataflow import Stream, operator

from config.rules import Rule
from flows import metrics
from flows.event_clock import EventClock
from flows.published_alerts import PublishedAlerts
from flows.rules_source import ActiveRules, RulesSource
from flows.stages.due_check import DueCheck
from flows.stages.failures import DeadLetters, counts_round_trips, isolates_failures
from flows.stages.items import Outgoing, PendingAlert, Tick
from operators.batch_triggers import BatchSignals, later_triggers_in_batch
from operators.candidates import match_candidate, snapshot_at
from operators.match import Match, distinct, evaluate, match_alert_id, match_of, timers_for
from operators.near_miss import NearMiss, near_miss, near_miss_of
from operators.resolve import LookupKey
from operators.rule_progress import evaluate as progress
from operators.signals import Signal
from operators.ticket_status import status_updates
from operators.variants import in_arm
from operators.versions import Versions, latest
from operators.weekly_digest import owner_of, render_weekly_digest
from state.governance import GovernanceStore, TicketStatus
from state.identity import IdentityStore
from state.progress import EventTimeStore
from state.unit_of_work import UnitsOfWork
from state.weekly import WeeklyDigestStore
from state.windows import WindowStore

PATTERN_NEAR_MISS = 0.6
DIGEST_GRACE = timedelta(hours=1)
"""A week's digest waits this long past the week's end for stragglers."""


class PatternEngine:
    """Windows, timers and near misses for the pattern rules, on one worker."""

    def __init__(self, *, windows: WindowStore, identity: IdentityStore, governance: GovernanceStore,
                 weekly: WeeklyDigestStore, event_times: EventTimeStore | None, event_time: EventClock,
                 rules: RulesSource, dead_letters: DeadLetters, clock: Callable[[], datetime],
                 deployment: str, timer_lateness: timedelta, units: UnitsOfWork,
                 acknowledged: PublishedAlerts | None = None) -> None:
        self.windows = windows
        self.identity = identity
        self.governance = governance
        self.weekly = weekly
        self.event_times = event_times
        """Where the event clock is kept, so a run resumed from its recovery store goes on from it."""
        self.event_time = event_time
        self.rules = rules
        self.dead_letters = dead_letters
        self.clock = clock
        self.deployment = deployment
        self.timer_lateness = timer_lateness
        """How long past a timer's due time records may still arrive out of order."""
        self.units = units
        """Each batch's reads and writes, two round trips at most (before and after evaluating)."""
        self._due_check = DueCheck()
        """Due work is looked for about once a second, not in a round trip per batch."""
        self.acknowledged = acknowledged
        """Alerts Kafka has acknowledged: a candidate re-derived for one of them is left out
        (``flows/published_alerts.py``)."""

    @counts_round_trips("match-patterns")
    @isolates_failures("match-patterns")
    def match_patterns(self, batch: list[Signal | NearMiss | Tick]
                       ) -> list[PendingAlert | Outgoing | Tick]:
        """Store the batch's signals, evaluate the rules they trigger, fire due timers,
        file near misses and publish the weekly digests whose week has ended. A tick
        goes on to ``govern``, whose deferred alerts are due on the clock too."""
        active = self.rules.current()
        signals = [s for s in batch if isinstance(s, Signal)]
        near: list[NearMiss] = [n for n in batch if isinstance(n, NearMiss)]
        watermark = self.event_time.watermark()
        windowed = [s for s in signals if s.name in active.windowed]
        # Each signal's rules, once per batch (three passes read them).
        arms: dict[tuple[str, str], Sequence[Rule]] = {}
        triggered: list[tuple[Signal, Sequence[Rule]]] = []
        for s in windowed:
            if (s.name, s.account_id) not in arms:
                arms[(s.name, s.account_id)] = self._arms_for(active, s)
            triggered.append((s, arms[(s.name, s.account_id)]))
        timers = [t for s, rules in triggered for t in timers_for(rules, s)]
        horizon = active.file.horizon()
        reads: dict[str, tuple[set[str], datetime]] = {}
        for s, rules in triggered:
            names, since = reads.get(s.account_id, (set(), s.at))
            for rule in rules:
                names |= rule.when.signals()
            reads[s.account_id] = (names, min(since, s.at - horizon))
        # One round trip before evaluating (tickets' status, windows in and out, the
        # accounts' CRM snapshots) and at most one after (what evaluation decided to keep).
        uow = self.units.begin()
        tickets = uow.read(self.governance.stage_ticket_reads(uow, self._ticket_updates(signals, active)))
        staged_windows = self.windows.stage_exchange(uow, windowed, timers, reads)
        staged_accounts = self.identity.stage_fetch_versions(
            uow, {("account", s.account_id) for s in windowed} | {("account", n.account_id) for n in near})
        uow.send()
        windows, accounts = staged_windows.value, staged_accounts.value
        matches: list[Match] = []
        seen: set[tuple[str, str, str, str, datetime]] = set()
        # A record that arrives late (after records with later event times) may complete a
        # pattern as of one of those later records: it is evaluated as of each. The batch's
        # own signals are triggers themselves, so only those kept from earlier batches are
        # looked up (over the whole window, a bounded run's one batch made that quadratic).
        in_batch: dict[str, list[Signal]] = {}
        for s, _rules in triggered:
            in_batch.setdefault(s.account_id, []).append(s)
        batches = {account: BatchSignals(batch_signals) for account, batch_signals in in_batch.items()}
        priors = {account: b.prior(windows.get(account, {})) for account, b in batches.items()}
        for s, rules in triggered:
            window = windows.get(s.account_id, {})
            batch_of, prior = batches[s.account_id], priors[s.account_id]
            for rule in rules:
                for trigger in later_triggers_in_batch(rule, s, prior, batch_of):
                    # A trigger is a signal at its time: two records of one ticket share a key.
                    evaluated = (rule.id, trigger.account_id, trigger.key, trigger.name, trigger.at)
                    if evaluated in seen:
                        continue
                    seen.add(evaluated)
                    # One reading of the rule for both: its match, or else how close it came.
                    got = progress(rule, trigger, window)
                    found = match_of(rule, trigger, got)
                    if found is not None:
                        # Not the first match only: in log order each later record would
                        # have been evaluated with this one in its window (cooldown decides).
                        matches.append(found)
                        continue
                    close = near_miss_of(rule, trigger, got, trigger.at, min_closeness=PATTERN_NEAR_MISS)
                    if close is not None:
                        near.append(close)
        ticks = [t.at for t in batch if isinstance(t, Tick)]
        event_now = [watermark - self.timer_lateness] if watermark else []
        now = max([*ticks, *event_now], default=None)
        due_check = now is not None and self._due_check.due(now)
        if due_check and now is not None:
            matches += self._fire_timers(now, active, near)
            missing = ({("account", m.account_id) for m in matches}
                       | {("account", n.account_id) for n in near}) - accounts.keys()
            accounts |= self.identity.fetch_versions(missing)
        out: list[PendingAlert | Outgoing | Tick] = []
        out += self._pending(distinct(matches), accounts)
        if due_check and self.event_times is not None:
            self.event_times.stage_save(uow, self.event_time.newest())
        self.governance.stage_ticket_writes(uow, tickets.value)
        self.weekly.stage_record(uow, near, {
            n.account_id: owner_of(latest(accounts.get(("account", n.account_id), ()))) for n in near})
        uow.send()
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
            if self.acknowledged is not None and match_alert_id(m) in self.acknowledged:
                metrics.REDERIVED_SKIPPED.inc()
                continue
            # The CRM snapshot (and so the consent) in force when the pattern was completed.
            candidate = match_candidate(m, snapshot_at(accounts, m.account_id, m.at),
                                        detected_at=now, deployment=self.deployment)
            if candidate is not None:
                out.append(PendingAlert(candidate))
        return out

    @staticmethod
    def _ticket_updates(signals: list[Signal], active: ActiveRules) -> list[TicketStatus]:
        """What the batch says of its tickets' status, for the governance's frustrated-ticket
        tracking (promotional alerts wait while one is open)."""
        return [TicketStatus(*update) for update in status_updates(signals, active.table.frustrated_at)]


def is_candidate(item: PendingAlert | Outgoing | Tick) -> TypeGuard[PendingAlert | Tick]:
    return not isinstance(item, Outgoing)


@dataclass(frozen=True)
class Patterns:
    candidates: Stream[PendingAlert | Tick]
    """What the rules found, and the clock's ticks, for governance (deferred alerts fall due)."""
    digest: Stream[Outgoing]
    """The weekly near-miss digests, and the dead letters of signals that broke a batch."""


@operator
def patterns(step_id: str, ticket_signals: Stream[Signal], event_signals: Stream[Signal],
             near_misses: Stream[NearMiss], ticks: Stream[Tick], engine: PatternEngine) -> Patterns:
    signals = op.merge("merge-signals", ticket_signals, event_signals, near_misses, ticks)
    found = op.flat_map_batch("match-patterns", signals, engine.match_patterns)
    by_kind = op.branch("split-digests", found, is_candidate)
    return Patterns(by_kind.trues, cast(Stream[Outgoing], by_kind.falses))
