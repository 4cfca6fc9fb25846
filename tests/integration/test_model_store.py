"""Model checkpoints, the feedback fence and alert texts against a real redis-server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis

from config.taxonomy import Taxonomy, load_taxonomy
from contracts.errors import DependencyDown
from flows.learning import CheckpointFollower, FeedbackLearner
from operators.learned_score import LearnedScorer, state_to_json
from operators.records import Feedback
from state.model_store import (
    AlertTexts,
    FeedbackFence,
    ModelStore,
    ModelTTLs,
    StaleCheckpoint,
)
from state.redis_client import connect

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
GANTT = "The gantt view jumps around when I drag a bar"
SIMILAR = "The gantt view jumps around again"


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    return connect(redis_url)


@pytest.fixture
def prefix(unique: str) -> str:
    return f"t{unique}:"


def feedback(alert_id: str, **labels: object) -> Feedback:
    return Feedback(alert_id=alert_id, decision="approved", labels=dict(labels),
                    by="riley@vendor.com", at=NOW)


def learner_for(client: redis.Redis, prefix: str, taxonomy: Taxonomy) -> FeedbackLearner:
    return FeedbackLearner(LearnedScorer.seeded(taxonomy), ModelStore(client, prefix),
                           AlertTexts(client, prefix))


def test_checkpoint_round_trip(client: redis.Redis, prefix: str, taxonomy: Taxonomy) -> None:
    store = ModelStore(client, prefix)
    assert store.head() is None and store.load() is None
    scorer = LearnedScorer.seeded(taxonomy)
    scorer.learn(GANTT, {"frustrated": True, "signal": "churn_risk"})
    version = store.save(scorer.to_state(), FeedbackFence({0: 41}), expected_head=None)
    assert version == 1 and store.head() == 1

    checkpoint = store.load()
    assert checkpoint is not None
    assert checkpoint.version == 1
    assert checkpoint.fence.offsets == {0: 41}
    restored = LearnedScorer.from_state(taxonomy, checkpoint.state)
    assert state_to_json(restored.to_state()) == state_to_json(scorer.to_state())
    for text in (GANTT, "Our data disappeared", "What's in the Pro plan?"):
        assert restored.assess(text) == scorer.assess(text)


def test_every_key_has_a_ttl_and_a_superseded_version_expires_soon(
        client: redis.Redis, prefix: str, taxonomy: Taxonomy) -> None:
    store = ModelStore(client, prefix)
    state = LearnedScorer.seeded(taxonomy).to_state()
    store.save(state, FeedbackFence(), expected_head=None)
    store.save(state, FeedbackFence({0: 1}), expected_head=1)
    AlertTexts(client, prefix).remember([("a-1", "some ticket text")])
    keys = client.keys(f"{prefix}*")
    assert len(keys) == 4  # head, v1, v2, one alert text
    ttls = {(k.decode() if isinstance(k, bytes) else k): client.ttl(k) for k in keys}
    assert all(ttl > 0 for ttl in ttls.values()), ttls
    assert ttls[store.keys.version(1)] <= ModelTTLs().superseded
    assert ttls[store.keys.version(2)] > ModelTTLs().superseded


def test_a_write_from_a_stale_head_is_refused_and_writes_nothing(
        client: redis.Redis, prefix: str, taxonomy: Taxonomy) -> None:
    store = ModelStore(client, prefix)
    state = LearnedScorer.seeded(taxonomy).to_state()
    store.save(state, FeedbackFence(), expected_head=None)
    with pytest.raises(StaleCheckpoint):
        store.save(state, FeedbackFence({0: 5}), expected_head=None)
    assert store.head() == 1
    assert not client.exists(store.keys.version(2))


def test_a_redelivered_feedback_record_does_not_teach_twice(
        client: redis.Redis, prefix: str, taxonomy: Taxonomy) -> None:
    learner = learner_for(client, prefix, taxonomy)
    learner.remember_alerts([("alert-1", GANTT)])
    record = (feedback("alert-1", frustrated=True, signal="churn_risk"), 0, 17)

    first = learner.learn_feedback([record])
    assert (first.learned, first.duplicates, first.checkpoint) == (1, 0, 1)
    after_first = state_to_json(learner.scorer.to_state())

    again = learner.learn_feedback([record])
    assert (again.learned, again.duplicates, again.checkpoint) == (0, 1, None)
    assert state_to_json(learner.scorer.to_state()) == after_first
    assert ModelStore(client, prefix).head() == 1

    # A restarted learner (fresh seed model) reads the checkpoint and its fence back.
    restarted = learner_for(client, prefix, taxonomy)
    replay = restarted.learn_feedback([record])
    assert (replay.learned, replay.duplicates) == (0, 1)
    assert state_to_json(restarted.scorer.to_state()) == after_first
    assert restarted.fence.offsets == {0: 17}


def test_a_batch_with_a_redelivery_inside_learns_each_record_once(
        client: redis.Redis, prefix: str, taxonomy: Taxonomy) -> None:
    learner = learner_for(client, prefix, taxonomy)
    learner.remember_alerts([("a1", GANTT), ("a2", "Where is the print button?")])
    outcome = learner.learn_feedback([
        (feedback("a2", frustrated=False), 1, 3),
        (feedback("a1", frustrated=True), 0, 5),
        (feedback("a1", frustrated=True), 0, 5),  # redelivered within the batch
        (feedback("a1", frustrated=True), 0, 4),  # out of order: applied in offset order
        (feedback("gone", frustrated=True), 0, 6),  # the alert's text expired
        (feedback("a2"), 1, 4),  # a decision without labels
        (feedback("a1", frustrated="very"), 1, 5),  # a label of the wrong type
    ])
    assert outcome.learned == 3
    assert outcome.duplicates == 1
    assert outcome.without_text == 1
    assert outcome.unlabelled == 1
    assert outcome.rejected == [(1, 5, "label 'frustrated' must be true, false or null, not str")]
    assert learner.fence.offsets == {0: 6, 1: 5}
    late = learner.learn_feedback([(feedback("a1", frustrated=True), 0, 4)])  # behind the fence
    assert (late.learned, late.duplicates, late.checkpoint) == (0, 1, None)


def test_feedback_changes_later_scores_for_similar_tickets_on_every_worker(
        client: redis.Redis, prefix: str, taxonomy: Taxonomy) -> None:
    learner = learner_for(client, prefix, taxonomy)
    other_process = LearnedScorer.seeded(taxonomy)
    follower = CheckpointFollower(other_process, ModelStore(client, prefix), reload_seconds=30)
    assert follower.refresh(NOW, force=True) is False  # nothing learned yet: the seed model
    before = other_process.score(SIMILAR).score

    learner.remember_alerts([(f"alert-{i}", GANTT) for i in range(5)])
    learner.learn_feedback([(feedback(f"alert-{i}", frustrated=True, signal="churn_risk"), 0, i)
                            for i in range(5)])

    assert follower.refresh(NOW + timedelta(seconds=5)) is False  # not time to look yet
    assert follower.refresh(NOW + timedelta(seconds=31)) is True
    assert other_process.checkpoint_version == 1
    after = other_process.score(SIMILAR)
    assert after.score > before
    assert after.score >= 50
    assert after.score == learner.scorer.score(SIMILAR).score


def test_two_learners_by_mistake_still_learn_each_record_once(
        client: redis.Redis, prefix: str, taxonomy: Taxonomy) -> None:
    a, b = learner_for(client, prefix, taxonomy), learner_for(client, prefix, taxonomy)
    a.remember_alerts([("x", GANTT), ("y", "The timeline export hangs forever")])
    a.learn_feedback([(feedback("x", frustrated=True), 0, 1)])        # a writes v1
    outcome = b.learn_feedback([(feedback("y", frustrated=True), 1, 1),
                                (feedback("x", frustrated=True), 0, 1)])  # b started before v1
    assert (outcome.learned, outcome.duplicates, outcome.checkpoint) == (1, 1, 2)
    assert b.fence.offsets == {0: 1, 1: 1}

    expected = LearnedScorer.seeded(taxonomy)
    expected.learn(GANTT, {"frustrated": True})
    expected.learn("The timeline export hangs forever", {"frustrated": True})
    assert state_to_json(b.scorer.to_state()) == state_to_json(expected.to_state())


def test_alert_texts_round_trip(client: redis.Redis, prefix: str) -> None:
    texts = AlertTexts(client, prefix)
    assert texts.remember([("a", "first ticket"), ("b", "zweites Ticket – ümlaut")]) == 2
    assert texts.fetch(["b", "missing", "a"]) == ["zweites Ticket – ümlaut", None, "first ticket"]
    assert texts.fetch([]) == []


def test_redis_down_is_a_dependency_error(prefix: str) -> None:
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    with pytest.raises(DependencyDown):
        ModelStore(dead, prefix).head()
    with pytest.raises(DependencyDown):
        AlertTexts(dead, prefix).fetch(["a"])


def test_a_false_signal_dismissal_teaches_no_signal_even_without_labels(
        client: redis.Redis, prefix: str, taxonomy: Taxonomy) -> None:
    learner = learner_for(client, prefix, taxonomy)
    text = "We will cancel our contract at renewal unless the export is fixed"
    learner.remember_alerts([(f"fs-{i}", text) for i in range(8)] + [("nu", text)])
    before = no_signal_p(learner.scorer, text)
    dismissed = [(Feedback(f"fs-{i}", "dismissed", {}, "riley@vendor.com", NOW, reason="false_signal"), 0, i)
                 for i in range(8)]
    not_useful = (Feedback("nu", "dismissed", {}, "riley@vendor.com", NOW, reason="not_useful"), 0, 8)
    outcome = learner.learn_feedback([*dismissed, not_useful])
    assert (outcome.learned, outcome.unlabelled) == (8, 1)
    # The model now reads "no signal" in this text more than it did.
    assert no_signal_p(learner.scorer, text) > before


def no_signal_p(scorer: LearnedScorer, text: str) -> float:
    heads = scorer.heads
    probs = heads.probabilities(heads.logits(scorer.representer.represent(text)))["signal"]
    return float(probs[heads.classes["signal"].index("none")])
