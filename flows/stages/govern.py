"""The ``govern`` step: cooldown, daily cap, promotional suppression, consent, working hours.

Every candidate alert passes governance (``operators/govern.py`` decides, ``state/governance.py``
keeps what it decided); what is published goes out as an alert, what is held back or
deferred as a digest record, and what is in a rule's control group as a holdout record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import bytewax.operators as op
import orjson
from bytewax.dataflow import Stream, operator

from flows import metrics
from flows.candidate_order import hold_for_order
from flows.event_clock import EventClock
from flows.learning import FeedbackLearner
from flows.rules_source import RulesSource
from flows.stages.due_check import DueCheck
from flows.stages.failures import DeadLetters, counts_round_trips, isolates_failures
from flows.stages.items import Outgoing, PendingAlert, Tick
from operators.candidate_hold import HoldPolicy
from operators.govern import Verdict, candidate_from_dict, govern
from operators.holdout import holdout_event, split_holdout
from operators.rule_version import stamp_rule_versions
from operators.verdict_records import held_record, published_alert
from state.governance import GovernanceStore
from state.unit_of_work import UnitOfWork, UnitsOfWork

ON_ARRIVAL = HoldPolicy(timedelta(0), 0.0)
"""No candidate waits: each is governed as it arrives."""


class Governor:
    """Governance for one worker: its store, the rules' policy and the clocks."""

    def __init__(self, *, governance: GovernanceStore, rules: RulesSource, learner: FeedbackLearner | None,
                 event_time: EventClock, clock: Callable[[], datetime], deployment: str,
                 units: UnitsOfWork,
                 dead_letters: DeadLetters, counted: bool = True,
                 hold: HoldPolicy = ON_ARRIVAL) -> None:
        self.governance = governance
        self.rules = rules
        self.learner = learner
        self.event_time = event_time
        self.clock = clock
        self.deployment = deployment
        self.units = units
        self.dead_letters = dead_letters
        self.hold = hold
        """How long candidates wait to be governed in event-time order (default: not at all)."""
        self.counted = counted
        """Whether suppressions count in the flow's metrics (a shadow branch's do not)."""
        self._due_check = DueCheck()
        """Due work is looked for about once a second, not in a round trip per batch."""

    @counts_round_trips("govern")
    @isolates_failures("govern")
    def govern(self, batch: Sequence[PendingAlert | Outgoing | Tick]) -> list[Outgoing]:
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
        if self._due_check.due(now):
            pending += [PendingAlert(candidate_from_dict(d)) for d in self.governance.due(now)]
        uow = self.units.begin()
        if pending:
            produced = {p.candidate.alert_id: (p.produced_ms, p.ticket_text) for p in pending}
            candidates = [p.candidate for p in pending]
            verdicts, writes = govern(candidates, self.governance.fetch(candidates, policy), policy)
            self.governance.stage_commit(uow, writes, verdicts)
            verdicts = self._stamp_rule_versions(verdicts)
            verdicts, held_out = self._split_holdout(verdicts)
            out += [self._holdout_record(v) for v in held_out]
            for verdict in verdicts:
                if verdict.outcome == "publish":
                    produced_ms, text = produced.get(verdict.candidate.alert_id, (None, None))
                    out.append(self._publishable(verdict, produced_ms, text))
                else:
                    if self.counted:
                        metrics.SUPPRESSED.labels(verdict.outcome, verdict.reason.split(":", 1)[0],
                                                  verdict.candidate.rule_id).inc()
                    out.append(self._held_record(verdict))
        return self._claim(uow, out)

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

    def _claim(self, uow: UnitOfWork, batch: list[Outgoing]) -> list[Outgoing]:
        """Send ``uow`` with the alerts' ticket texts (for feedback to teach the model).
        The ids are claimed in the ledger by the sink, with every other output record."""
        if self.learner is not None:
            self.learner.stage_remember_alerts(
                uow, [(o.alert_id, o.learn_text) for o in batch if o.alert_id and o.learn_text])
        uow.send()
        return batch

    def _publishable(self, verdict: Verdict, produced_ms: int | None, text: str | None) -> Outgoing:
        c = verdict.candidate
        body = published_alert(verdict)
        return Outgoing("alerts", c.account_id.encode(), orjson.dumps(body), alert_id=c.alert_id,
                        rule=c.rule_id, produced_ms=produced_ms, learn_text=text)

    def _held_record(self, verdict: Verdict) -> Outgoing:
        c = verdict.candidate
        body = held_record(verdict, now=self.clock(), deployment=self.deployment)
        # Claimed in the ledger like an alert: a replay re-derives the same decision and
        # the digest should not say it twice.
        return Outgoing("digest", c.account_id.encode(), orjson.dumps(body), alert_id=body["id"])


@operator
def governance(step_id: str, ticket_candidates: Stream[PendingAlert],
               pattern_candidates: Stream[PendingAlert | Tick], governor: Governor,
               live: bool = True) -> Stream[Outgoing]:
    candidates = op.merge("merge-candidates", ticket_candidates, pattern_candidates)
    # Each account's candidates in event-time order, as a replay decides them: live, the
    # wall clock bounds their wait, elsewhere event time does (operators/candidate_hold.py).
    hold = HoldPolicy(None, governor.hold.wait_s) if live else HoldPolicy(governor.hold.lateness, None)
    ordered = hold_for_order("order-candidates", candidates, hold)
    return op.flat_map_batch("govern", ordered, governor.govern)         # Outgoing (ticks: due ones)
