"""Each reviewer decision is exported once, by rule and verdict, however often it is delivered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client import REGISTRY

from config.taxonomy import load_taxonomy
from flows.learning import FeedbackLearner
from operators.learned_score import LearnedScorer
from operators.records import Feedback
from state.model_store import AlertTexts, ModelStore
from state.redis_client import connect

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)


def count(rule: str, decision: str, verdict: str) -> float:
    return REGISTRY.get_sample_value("cuewire_feedback_decisions_total",
                                     {"rule": rule, "decision": decision, "verdict": verdict}) or 0.0


def test_decisions_are_counted_once_per_record_by_rule(redis_url: str, unique: str) -> None:
    client, prefix = connect(redis_url), f"t{unique}:"
    learner = FeedbackLearner(LearnedScorer.seeded(load_taxonomy()), ModelStore(client, prefix),
                              AlertTexts(client, prefix))
    rule = f"rule-{unique.lower()}"
    sent = (Feedback("a1", "sent", {"rule": rule}, None, NOW), 0, 10)
    dismissed = (Feedback("a2", "dismissed", {"rule": rule}, None, NOW), 0, 11)
    before = count("unknown", "approved", "useful")
    learner.learn_feedback([sent, dismissed, (Feedback("a3", "approved", {}, None, NOW), 0, 12)])
    learner.learn_feedback([sent, dismissed])  # a redelivery: above nothing, counts nothing
    assert count(rule, "sent", "useful") == 1
    assert count(rule, "dismissed", "not_useful") == 1
    assert count("unknown", "approved", "useful") == before + 1
