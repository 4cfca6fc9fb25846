"""The learning stage: reviewers' feedback teaches the model on one worker, and snoozes
are kept for governance.

Every feedback record goes to one key (``LEARNER_KEY``) and is collected in small
batches, so one worker learns and checkpoints (``flows/learning.py``); scorers
everywhere reload the checkpoints. What cannot be learned or honoured is a dead letter,
and so is a record whose handling raises: the others in its batch go on.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import bytewax.operators as op
from bytewax.dataflow import Stream, operator

from flows import metrics
from flows.learning import LEARNER_KEY, FeedbackLearner
from flows.stages.failures import DeadLetters, counts_round_trips, isolates_failures
from flows.stages.items import Decoded, Incoming, Outgoing
from operators.records import Feedback
from state.governance import GovernanceStore

FEEDBACK_BATCH = 500
FEEDBACK_WAIT = timedelta(seconds=5)


class FeedbackSteps:
    """Feedback into the learner and the reviewers' snoozes into governance."""

    def __init__(self, *, learner: FeedbackLearner | None, governance: GovernanceStore,
                 dead_letters: DeadLetters, shadow_governance: GovernanceStore | None = None) -> None:
        self.learner = learner
        self.governance = governance
        self.dead_letters = dead_letters
        self.shadow_governance = shadow_governance
        """A shadow branch's governance (``CUEWIRE_SHADOW_RULES``): it honours the snoozes too."""

    @counts_round_trips("learn-feedback")
    def learn_feedback(self, keyed: tuple[str, list[Decoded]]) -> list[Outgoing]:
        """Teach the model from reviewers' decisions, once per record (fenced by offset)."""
        _, batch = keyed
        return self._learn(batch)

    @isolates_failures("learn-feedback")
    def _learn(self, batch: list[Decoded]) -> list[Outgoing]:
        """:meth:`learn_feedback` of one batch. A record whose handling raises (a snooze
        ending past year 9999 once moved to UTC) is handled apart and becomes its own dead
        letter; the learner's fence and its reload after a failed batch keep the others
        from teaching twice or not at all."""
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
            out.append(self.dead_letters.of(Incoming("feedback", coords.key, None, coords),
                                            f"feedback not learned: {reason}", "learn-feedback"))
        return out

    def _honour_snoozes(self, batch: list[Decoded]) -> list[Outgoing]:
        """Keep reviewers' snoozes for governance; a snooze of an unknown alert is a dead letter."""
        mirrors = [self.shadow_governance] if self.shadow_governance is not None else []
        unknown = {id(fb) for fb in self.governance.honour_snoozes(
            [cast(Feedback, d.record) for d in batch], mirrors)}
        return [self.dead_letters.of(Incoming("feedback", d.incoming.coords.key, None, d.incoming.coords),
                                     "snooze not honoured: the alert is unknown here and the record "
                                     "names no account_id and rule", "learn-feedback")
                for d in batch if id(d.record) in unknown]


def learner_key(decoded: Decoded) -> str:
    # One key, so one worker learns and checkpoints; scorers everywhere reload it.
    return LEARNER_KEY


@operator
def learning(step_id: str, feedback: Stream[Decoded], steps: FeedbackSteps) -> Stream[Outgoing]:
    keyed = op.key_on("key-feedback", feedback, learner_key)              # ("model", Decoded)
    batches = op.collect("collect-feedback", keyed, timeout=FEEDBACK_WAIT,
                         max_size=FEEDBACK_BATCH)                         # ("model", [Decoded])
    return op.flat_map("learn-feedback", batches, steps.learn_feedback)   # Outgoing(dlq)
