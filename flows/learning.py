"""Reviewers' feedback into the learned scorer, and checkpoints out to every worker; no Bytewax here.

Feedback names only an alert (CONTRACTS.md), so the flow keeps the text of
every ticket it alerts on (:meth:`FeedbackLearner.remember_alerts`, Redis,
30-day TTL). A feedback record then becomes one lesson: the alert's text with
the reviewer's labels.

How the flow uses this module:

1. **At start-up** (every process): build the scorer and a
   :class:`CheckpointFollower`; ``follower.refresh(now, force=True)`` loads the
   newest checkpoint, if any, over the seed model.
2. **When a ticket alert is about to be published** (the ``govern`` batch step,
   with the ledger's claims, before producing):
   ``learner.stage_remember_alerts(uow, [(alert_id, ticket_text), …])``.
3. **Feedback** goes to *one* learner: key every feedback record by the same
   key (``LEARNER_KEY``) and collect small batches, so one worker learns; then
   ``learner.learn_feedback([(feedback, partition, offset), …])``. Labels that
   have the wrong type come back in ``LearnOutcome.rejected`` with their
   coordinates, for the dead-letter topic.
4. **Everywhere else**: ``follower.refresh(now)`` in any step (it reads Redis
   at most once per ``reload_seconds``) picks up the learner's checkpoints.

Learning is fenced: a record at or below the last offset learned for its
partition (stored inside the checkpoint) teaches nothing, so a redelivered or
replayed record never teaches twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contracts.errors import DependencyDown, PoisonRecord
from flows.metrics import FEEDBACK_DECISIONS
from operators.feedback_lesson import lesson_of
from operators.learned_score import LearnedScorer
from operators.measure_precision import feedback_rule, verdict_of
from operators.records import Feedback
from state.model_store import AlertTexts, Checkpoint, FeedbackFence, ModelStore, StaleCheckpoint
from state.unit_of_work import UnitOfWork, remember_alert_texts

LEARNER_KEY = "model"
"""Key every feedback record by this, so one worker does all the learning."""
SAVE_ATTEMPTS = 5
DEFAULT_RELOAD_SECONDS = 30.0

FeedbackItem = tuple[Feedback, int, int, str | None]
"""(feedback, partition, offset, the alert's ticket text or ``None`` if unknown)."""


def labels_of(feedback: Feedback) -> dict[str, Any]:
    """The labels a feedback record teaches (:func:`operators.feedback_lesson.lesson_of`):
    those the reviewer gave, and "no signal" for a false-signal dismissal without one.

    Any other decision alone ("approved", "dismissed" as not useful) does not say *why*,
    so it teaches nothing.
    """
    return lesson_of(feedback)


@dataclass(slots=True)
class LearnOutcome:
    """What one batch of feedback did."""

    learned: int = 0
    duplicates: int = 0
    """At or below the fence: already learned from (a redelivery or a replay)."""
    without_text: int = 0
    """The alert's ticket text is unknown or expired."""
    unlabelled: int = 0
    rejected: list[tuple[int, int, str]] = field(default_factory=list)
    """(partition, offset, what was wrong) of records whose labels have the wrong type."""
    checkpoint: int | None = None
    """The checkpoint written for this batch, if anything changed."""
    decisions: list[Feedback] = field(default_factory=list)
    """The records above the fence: each decision counted once for precision metrics."""


def _adopt(scorer: LearnedScorer, checkpoint: Checkpoint) -> None:
    newer = LearnedScorer.from_state(scorer.taxonomy, checkpoint.state, base=scorer)
    newer.checkpoint_version = checkpoint.version
    scorer.replace_models(newer)


class CheckpointFollower:
    """Keeps a process's scorer on the newest checkpoint, polling the head every few seconds."""

    def __init__(self, scorer: LearnedScorer, store: ModelStore, *,
                 reload_seconds: float = DEFAULT_RELOAD_SECONDS) -> None:
        self.scorer = scorer
        self.store = store
        self.reload_seconds = reload_seconds
        self._checked_at: datetime | None = None

    def refresh(self, now: datetime, *, force: bool = False) -> bool:
        """Load a newer checkpoint if one exists and it is time to look; whether one was loaded."""
        if (not force and self._checked_at is not None
                and (now - self._checked_at).total_seconds() < self.reload_seconds):
            return False
        self._checked_at = now
        checkpoint = self.store.load_if_newer(self.scorer.checkpoint_version)
        if checkpoint is None:
            return False
        _adopt(self.scorer, checkpoint)
        return True


class FeedbackLearner:
    """Applies feedback to the scorer once per record, and checkpoints it atomically with its fence."""

    def __init__(self, scorer: LearnedScorer, store: ModelStore, alert_texts: AlertTexts, *,
                 rebuild: Callable[[], LearnedScorer] | None = None) -> None:
        self.scorer = scorer
        self.store = store
        self.alert_texts = alert_texts
        self._rebuild = rebuild or scorer.start_over
        self._fence = FeedbackFence()
        self._fence_version: int | None = None  # the checkpoint the fence (and scorer) came from
        self._synced = False
        self._dirty = False

    @property
    def fence(self) -> FeedbackFence:
        return self._fence.copy()

    def remember_alerts(self, alerts: Iterable[tuple[str, str]]) -> int:
        """Keep each alert's ticket text for the feedback that may follow; call before publishing."""
        return self.alert_texts.remember(alerts)

    def stage_remember_alerts(self, uow: UnitOfWork, alerts: Iterable[tuple[str, str]]) -> int:
        """:meth:`remember_alerts`, added to a unit of work the flow sends anyway."""
        return remember_alert_texts(uow, self.alert_texts, alerts)

    def learn_feedback(self, records: Sequence[tuple[Feedback, int, int]]) -> LearnOutcome:
        """Look up the alerts' texts, then :meth:`learn_batch`."""
        texts = self.alert_texts.fetch([fb.alert_id for fb, _, _ in records])
        outcome = self.learn_batch([(fb, p, o, t) for (fb, p, o), t in zip(records, texts, strict=True)])
        count_decisions(outcome.decisions)
        return outcome

    def learn_batch(self, items: Sequence[FeedbackItem]) -> LearnOutcome:
        """Learn from each record above the fence, then write one checkpoint with the new fence."""
        ordered = sorted(items, key=lambda item: (item[1], item[2]))
        for _ in range(SAVE_ATTEMPTS):
            self._sync()
            fence = self._fence.copy()
            outcome = LearnOutcome()
            self._dirty = True  # until the checkpoint holds what the scorer now knows
            for feedback, partition, offset, text in ordered:
                if not fence.admit(partition, offset):
                    outcome.duplicates += 1
                    continue
                outcome.decisions.append(feedback)
                labels = labels_of(feedback)
                if text is None:
                    outcome.without_text += 1
                elif not labels:
                    outcome.unlabelled += 1
                else:
                    try:
                        self.scorer.learn(text, labels)
                    except PoisonRecord as exc:
                        outcome.rejected.append((partition, offset, str(exc)))
                    else:
                        outcome.learned += 1
            if fence.offsets == self._fence.offsets:
                self._dirty = False
                return outcome
            try:
                version = self.store.save(self.scorer.to_state(), fence,
                                          expected_head=self.scorer.checkpoint_version)
            except StaleCheckpoint:
                continue  # another writer won: reload its checkpoint and apply the batch again
            self.scorer.checkpoint_version = version
            self._fence = fence
            self._fence_version = version
            self._dirty = False
            outcome.checkpoint = version
            return outcome
        raise DependencyDown(f"could not write a model checkpoint in {SAVE_ATTEMPTS} attempts: "
                             "another learner keeps moving the head")

    def _sync(self) -> None:
        """Start from the newest checkpoint (and its fence); after a failed write, undo the batch."""
        head = self.store.head()
        if (self._synced and not self._dirty and head == self._fence_version
                and head == self.scorer.checkpoint_version):
            return
        checkpoint = self.store.load(head) if head is not None else None
        if checkpoint is not None:
            _adopt(self.scorer, checkpoint)
            self._fence = checkpoint.fence
            self._fence_version = checkpoint.version
        else:
            if self._dirty or self.scorer.checkpoint_version is not None:
                self.scorer.replace_models(self._rebuild())
            self._fence = FeedbackFence()
            self._fence_version = None
        self._synced = True
        self._dirty = False


def count_decisions(decisions: Iterable[Feedback]) -> None:
    """Export each decision once (``cuewire_feedback_decisions_total``), by rule and verdict."""
    for feedback in decisions:
        rule = feedback_rule(feedback)
        FEEDBACK_DECISIONS.labels(rule, feedback.decision, verdict_of(feedback.decision)).inc()


def outcome_summary(outcome: LearnOutcome) -> Mapping[str, int | None]:
    """Counts only (no text, no labels): safe for logs and metrics."""
    return {"learned": outcome.learned, "duplicates": outcome.duplicates,
            "without_text": outcome.without_text, "unlabelled": outcome.unlabelled,
            "rejected": len(outcome.rejected), "checkpoint": outcome.checkpoint}
