"""The flow's shape: stable step ids, and no stream left dangling.

Step ids label Bytewax's recovery data: renaming one strands its state, so a
change here must come with a migration note. Every stream must go somewhere —
above all every error stream must reach the dead-letter output.
"""

from pathlib import Path

import fakeredis
import pytest
from bytewax.dataflow import Dataflow

from config.settings import Settings
from cuewire.app import make_steps
from flows.kafka_io import KafkaOutSink, kafka_inputs
from flows.pipeline import build_flow
from flows.replay_io import CallbackSink, file_inputs

PINNED_STEP_IDS = [
    "kafka-in", "to-incoming", "source-errors", "timer-ticks",
    "decode", "mark-partitions", "split-invalid", "dead-letter",
    "split-feedback", "key-feedback", "collect-feedback", "learn-feedback",
    "key-timeline", "order-by-log", "resolve-accounts", "unkey-timeline",
    "key-account-shards", "to-account-shards", "unkey-account-shards", "split-tickets", "route-others",
    "score-tickets", "gate-tickets", "split-gated", "render-ticket-digest", "ticket-candidates",
    "ticket-near-misses",
    "ticket-signals", "event-signals", "merge-signals", "match-patterns",
    "merge-candidates", "govern", "merge-outgoing", "key-outgoing", "publish",
]


def kafka_flow() -> Dataflow:
    settings = Settings()
    steps = make_steps(settings, fakeredis.FakeRedis())
    return build_flow(steps, kafka_inputs(settings), KafkaOutSink(settings, steps.produced, steps.published))


def _ids(port: object) -> list[str]:
    return list(getattr(port, "stream_ids", {}).values())


def test_step_ids_are_pinned() -> None:
    flow = kafka_flow()
    assert [s.step_id.removeprefix("cuewire.") for s in flow.substeps] == PINNED_STEP_IDS


@pytest.mark.parametrize("flow_factory", ["kafka", "replay"])
def test_no_stream_is_left_dangling(flow_factory: str, tmp_path: Path) -> None:
    if flow_factory == "kafka":
        flow = kafka_flow()
    else:
        steps = make_steps(Settings(), fakeredis.FakeRedis())
        flow = build_flow(steps, file_inputs(tmp_path / "x.jsonl"), CallbackSink(print, print))
    produced: dict[str, str] = {}
    consumed: set[str] = set()
    for step in flow.substeps:
        for name in step.dwn_names:
            for sid in _ids(getattr(step, name)):
                produced[sid] = f"{step.step_id}.{name}"
        for name in step.ups_names:
            consumed.update(_ids(getattr(step, name)))
    dangling = sorted(port for sid, port in produced.items() if sid not in consumed)
    assert dangling == []
