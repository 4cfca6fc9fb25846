"""Reviewers' feedback on the topic teaches the model once, and later scores change."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import redis

from config.settings import Settings
from config.taxonomy import load_taxonomy
from cuewire.app import run_kafka
from operators.learned_score import LearnedScorer
from state.model_store import ModelStore
from tests.e2e.test_flow_kafka import produce, read
from tests.e2e.test_flow_kafka import settings as settings

pytestmark = pytest.mark.e2e

TEXT = "Our weekly report totals do not match the invoice numbers and we need this fixed"
SIMILAR = "The report totals do not match our invoice numbers"


def test_feedback_changes_later_scores_and_is_learned_once(settings: Settings, tmp_path: Path) -> None:
    account = {"account_id": "acct_fb", "mrr": 9000, "contacts": ["kim@fb.test"]}
    ticket = {"source": "generic", "ticket_id": "FB-1", "requester_email": "kim@fb.test",
              "subject": "", "body": TEXT, "created_at": "2026-11-20T10:00:00Z"}
    produce(settings, [("accounts", b"acct_fb", orjson.dumps(account))])
    run_kafka(settings, exit_at_end=True, epoch_seconds=1)
    produce(settings, [("tickets", b"acct_fb", orjson.dumps(ticket))])
    run_kafka(settings, exit_at_end=True, epoch_seconds=1)
    alerts = read(settings, "alerts")
    assert len(alerts) == 1, "the ticket must alert for there to be feedback on it"
    alert_id = alerts[0]["id"]

    store = ModelStore(redis.Redis.from_url(settings.redis_url.get_secret_value()),
                       settings.redis_prefix)
    assert store.head() is None
    feedback = {"alert_id": alert_id, "decision": "dismissed",
                "labels": {"frustrated": False}, "by": "riley@vendor.test",
                "at": "2026-11-20T11:00:00Z"}
    produce(settings, [("feedback", alert_id.encode(), orjson.dumps(feedback))] * 20)
    run_kafka(settings, exit_at_end=True, epoch_seconds=1)
    version = store.head()
    assert version is not None, "learning wrote a checkpoint"

    taxonomy = load_taxonomy()
    seed = LearnedScorer.seeded(taxonomy)
    checkpoint = store.load(version)
    assert checkpoint is not None
    taught = LearnedScorer.from_state(taxonomy, checkpoint.state)
    assert taught.score(SIMILAR).score < seed.score(SIMILAR).score

    # A restart re-reads the feedback topic: the fence keeps it from teaching twice.
    run_kafka(settings, exit_at_end=True, epoch_seconds=1)
    assert store.head() == version
    assert read(settings, "dlq") == []
