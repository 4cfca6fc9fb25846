"""The flow's shape: stable step ids, and no stream left dangling.

Step ids label Bytewax's recovery data: renaming one strands its state, so a
change here must come with a migration note (README, "Upgrading"). A stage
(``flows/stages/``) nests its steps' ids under its own (``ingest.decode``). Every
stream must go somewhere — above all every error stream must reach the
dead-letter output.
"""

from collections.abc import Iterator
from pathlib import Path

import fakeredis
import pytest
from bytewax.dataflow import Dataflow, Operator

from config.settings import Settings
from cuewire.wiring import make_parts
from flows.kafka_io import KafkaOutSink, kafka_inputs
from flows.pipeline import build_flow
from flows.replay_io import CallbackSink, file_inputs

PINNED_STEP_IDS = [
    "kafka-in", "to-incoming", "source-errors", "timer-ticks",
    "ingest.decode", "ingest.mark-partitions", "ingest.split-invalid", "ingest.dead-letter",
    "ingest.split-feedback",
    "learning.key-feedback", "learning.collect-feedback", "learning.learn-feedback",
    "accounts.batch-timeline", "accounts.key-timeline", "accounts.order-by-log",
    "accounts.resolve-accounts", "accounts.unkey-timeline", "accounts.batch-account-shards",
    "accounts.key-account-shards", "accounts.to-account-shards",
    "accounts.unkey-account-shards", "accounts.split-tickets",
    "tickets.score-tickets", "tickets.gate-tickets", "tickets.split-gated",
    "tickets.render-ticket-digest", "tickets.ticket-candidates", "tickets.split-failed-candidates",
    "tickets.ticket-near-misses", "tickets.split-failed-near-misses",
    "tickets.ticket-signals", "tickets.split-failed-signals", "tickets.merge-dead-letters",
    "events.route-others", "events.event-signals", "events.split-failed-signals", "events.merge-digest",
    "patterns.merge-signals", "patterns.match-patterns", "patterns.split-digests",
    "govern.merge-candidates", "govern.order-candidates", "govern.govern",
    "publish.merge-outgoing", "publish.key-outgoing", "publish.publish",
]


def kafka_flow() -> Dataflow:
    settings = Settings()
    parts = make_parts(settings, fakeredis.FakeRedis())
    publisher = parts.publisher
    return build_flow(parts, kafka_inputs(settings),
                      KafkaOutSink(settings, publisher.produced, publisher.published))


def _ids(port: object) -> list[str]:
    return list(getattr(port, "stream_ids", {}).values())


def stage_steps(steps: list[Operator]) -> Iterator[Operator]:
    """The flow's steps, a stage's (``flows/stages/``) in its place."""
    for step in steps:
        if type(step).__module__.startswith("flows.stages."):
            yield from stage_steps(step.substeps)
        else:
            yield step


def core_steps(steps: list[Operator]) -> Iterator[Operator]:
    """The steps Bytewax runs: every composite operator opened up."""
    for step in steps:
        if step.substeps:
            yield from core_steps(step.substeps)
        else:
            yield step


def test_step_ids_are_pinned() -> None:
    flow = kafka_flow()
    assert [s.step_id.removeprefix("cuewire.") for s in stage_steps(flow.substeps)] == PINNED_STEP_IDS


@pytest.mark.parametrize("flow_factory", ["kafka", "replay"])
def test_no_stream_is_left_dangling(flow_factory: str, tmp_path: Path) -> None:
    if flow_factory == "kafka":
        flow = kafka_flow()
    else:
        parts = make_parts(Settings(), fakeredis.FakeRedis())
        flow = build_flow(parts, file_inputs(tmp_path / "x.jsonl"), CallbackSink(print, print))
    produced: dict[str, str] = {}
    consumed: set[str] = set()
    for step in core_steps(flow.substeps):
        for name in step.dwn_names:
            for sid in _ids(getattr(step, name)):
                produced[sid] = f"{step.step_id}.{name}"
        for name in step.ups_names:
            consumed.update(_ids(getattr(step, name)))
    assert produced, "the walk found no steps"
    dangling = sorted(port for sid, port in produced.items() if sid not in consumed)
    assert dangling == []
