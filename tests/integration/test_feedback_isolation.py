"""One bad feedback record in a batch becomes its own dead letter; the rest of the batch
is learned and honoured, against a real redis-server."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from config.taxonomy import load_taxonomy
from flows.learning import FeedbackLearner
from flows.stages.failures import DeadLetters
from flows.stages.items import Decoded, Incoming
from flows.stages.learning import FeedbackSteps
from operators.decode import decode_record
from operators.learned_score import LearnedScorer
from operators.records import Coordinates
from state.governance import GovernanceStore
from state.keys import Keyspace, TTLs
from state.model_store import AlertTexts, ModelStore
from state.redis_client import connect

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)


def feedback(offset: int, body: dict[str, object]) -> Decoded:
    raw = orjson.dumps(body)
    coords = Coordinates("cuewire.feedback", 0, offset, b"k")
    return Decoded(decode_record("feedback", b"k", raw, now=NOW), Incoming("feedback", b"k", raw, coords))


def snooze(alert_id: str, until: str) -> dict[str, object]:
    return {"alert_id": alert_id, "decision": "snoozed", "until": until, "at": "2026-11-20T10:00:00Z",
            "account_id": "acct_42", "rule": f"rule-{alert_id}"}


def test_a_record_whose_handling_raises_is_a_dead_letter_and_the_batch_goes_on(
        redis_url: str, unique: str) -> None:
    client, prefix = connect(redis_url), f"t{unique}:"
    keys = Keyspace(prefix)
    learner = FeedbackLearner(LearnedScorer.seeded(load_taxonomy()), ModelStore(client, prefix),
                              AlertTexts(client, prefix))
    learner.remember_alerts([("a3", "The export keeps failing and nobody answers.")])
    steps = FeedbackSteps(learner=learner, governance=GovernanceStore(client, keys, TTLs()),
                          dead_letters=DeadLetters(lambda: NOW))
    batch = [
        feedback(10, snooze("a1", "2026-12-04T00:00:00Z")),
        # Valid on the wire; past year 9999 once moved to UTC.
        feedback(11, snooze("a2", "9999-12-31T23:00:00-05:00")),
        feedback(12, {"alert_id": "a3", "decision": "dismissed", "reason": "false_signal",
                      "at": "2026-11-20T10:30:00Z"}),
    ]
    out = steps.learn_feedback(("model", batch))

    [dead] = [orjson.loads(o.value) for o in out]
    assert all(o.kind == "dlq" for o in out)
    assert (dead["topic"], dead["partition"], dead["offset"], dead["step"]) == ("cuewire.feedback", 0, 11,
                                                                                 "learn-feedback")
    assert dead["error"] == ("learn-feedback failed: OverflowError (a date or number out of range) "
                             "on record a2")
    # The records either side were honoured and learned.
    assert client.zcard(keys.governance_snooze("acct_42", "rule-a1")) == 1
    assert learner.fence.offsets == {0: 12}
    # A redelivery of the same batch teaches nothing twice and dead-letters the same record.
    again = steps.learn_feedback(("model", batch))
    assert [orjson.loads(o.value)["offset"] for o in again] == [11]
