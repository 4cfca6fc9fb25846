"""The shadow branch's shape and boundaries: its own step ids, keys and topics, and a
candidate it cannot run faithfully refused at start-up."""

from __future__ import annotations

import inspect
import sqlite3
from pathlib import Path

import fakeredis
import pytest
import yaml
from bytewax.dataflow import Dataflow
from bytewax.recovery import init_db_dir

from config.rules import DEFAULT_RULES
from config.settings import Settings
from contracts.errors import ConfigurationError
from cuewire.app import json_lines_writer
from cuewire.wiring import make_parts
from flows import metrics
from flows.kafka_io import KafkaOutSink, kafka_inputs
from flows.pipeline import build_flow
from flows.recovery_store import check_recovery_store, stranded_steps
from flows.replay_io import CallbackSink, file_inputs
from flows.stages.items import Outgoing
from state.keys import Keyspace
from tests.unit.flows.test_flow_shape import PINNED_STEP_IDS, stage_steps

SHADOW_STEP_IDS = [
    "shadow.gate-tickets", "shadow.split-gated", "shadow.render-ticket-digest",
    "shadow.ticket-candidates", "shadow.split-failed-candidates",
    "shadow.ticket-near-misses", "shadow.split-failed-near-misses",
    "shadow.patterns.merge-signals", "shadow.patterns.match-patterns", "shadow.patterns.split-digests",
    "shadow.govern.merge-candidates", "shadow.govern.order-candidates", "shadow.govern.govern",
    "shadow.publish.merge-outgoing", "shadow.publish.key-outgoing", "shadow.publish.publish",
]


def candidate(tmp_path: Path, edit: tuple[str, str] = ("", "")) -> Path:
    path = tmp_path / "candidate.yaml"
    path.write_text(DEFAULT_RULES.read_text().replace(*edit))
    return path


def shadow_flow(settings: Settings) -> Dataflow:
    parts = make_parts(settings, fakeredis.FakeRedis())
    assert parts.shadow is not None
    shadow = parts.shadow.publisher
    return build_flow(parts, kafka_inputs(settings),
                      KafkaOutSink(settings, parts.publisher.produced, parts.publisher.published),
                      shadow_sink=KafkaOutSink(settings.shadow_outputs(), shadow.produced, shadow.published))


def step_ids(flow: Dataflow) -> list[str]:
    return [s.step_id.removeprefix("cuewire.") for s in stage_steps(flow.substeps)]


def test_a_shadow_branch_adds_only_its_own_shadow_steps(tmp_path: Path) -> None:
    ids = step_ids(shadow_flow(Settings(shadow_rules=candidate(tmp_path))))
    assert ids == PINNED_STEP_IDS + SHADOW_STEP_IDS


def test_without_a_candidate_the_flow_is_as_it_was() -> None:
    parts = make_parts(Settings(), fakeredis.FakeRedis())
    assert parts.shadow is None
    flow = build_flow(parts, file_inputs(Path("in.jsonl")), CallbackSink(print, print))
    assert [i for i in step_ids(flow) if i.startswith("shadow")] == []


def test_a_shadow_branch_without_its_sink_refuses_to_build(tmp_path: Path) -> None:
    parts = make_parts(Settings(shadow_rules=candidate(tmp_path)), fakeredis.FakeRedis())
    with pytest.raises(ConfigurationError, match="shadow sink"):
        build_flow(parts, file_inputs(tmp_path / "in.jsonl"), CallbackSink(print, print))


def test_the_shadow_branch_has_its_own_keys_ledger_and_unmetered_parts(tmp_path: Path) -> None:
    parts = make_parts(Settings(redis_prefix="cw:", shadow_rules=candidate(tmp_path)), fakeredis.FakeRedis())
    assert parts.shadow is not None
    engine, governor, publisher = parts.shadow.patterns, parts.shadow.governor, parts.shadow.publisher
    for store in (engine.windows, engine.governance, engine.weekly, governor.governance, publisher.ledger):
        assert store._ks.prefix == "cw:shadow:"  # type: ignore[attr-defined]
    assert engine.identity is parts.patterns.identity  # accounts are read, never written, here
    assert engine.event_time is parts.event_time and engine.event_times is None
    assert governor.learner is None and not governor.counted and not publisher.counted
    assert parts.governor.counted and parts.publisher.counted


def test_no_live_key_is_a_shadow_key() -> None:
    live, shadow = Keyspace("cw:"), Keyspace("cw:").shadow()
    for name, method in inspect.getmembers(Keyspace, inspect.isfunction):
        if name.startswith("_") or name in ("shadow", "pattern"):
            continue
        args = {1: (), 2: (("account", "acct_1"),) if name in ("lookup", "table") else ("a",),
                3: ("a", "b")}[len(inspect.signature(method).parameters)]
        if name == "model_checkpoint":
            args = ("scorer", 1)
        assert not getattr(live, name)(*args).startswith("cw:shadow:"), name
        assert getattr(shadow, name)(*args).startswith("cw:shadow:"), name


def test_shadow_outputs_are_the_live_topics_siblings() -> None:
    settings = Settings(topic_alerts="a", topic_digest="d", topic_dlq="q", topic_events="e")
    shadow = settings.shadow_outputs()
    assert shadow.output_topics == ["a.shadow", "d.shadow", "q.shadow"]
    assert shadow.input_topics == settings.input_topics and settings.output_topics == ["a", "d", "q"]


def test_a_candidate_with_other_signals_is_refused_and_one_with_another_gate_is_not(tmp_path: Path) -> None:
    governance = candidate(tmp_path, ("cooldown: 48h", "cooldown: 24h"))  # governance may differ
    assert make_parts(Settings(shadow_rules=governance), fakeredis.FakeRedis()).shadow is not None
    gate = candidate(tmp_path, ("score_alone: 80", "score_alone: 70"))  # the branch gates on its own
    parts = make_parts(Settings(shadow_rules=gate), fakeredis.FakeRedis())
    assert parts.shadow is not None
    shadow_gate, live_gate = parts.shadow.tickets.rules.current().gate, parts.tickets.rules.current().gate
    assert shadow_gate is not None and live_gate is not None
    assert (shadow_gate.score_alone, live_gate.score_alone) == (70, 80)
    doc = yaml.safe_load(DEFAULT_RULES.read_text())
    doc["signals"]["events"][0]["events"].append("Pricing Calculator Used")
    signals = tmp_path / "signals.yaml"
    signals.write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigurationError, match=r"its signals differ from.*cuewire backtest"):
        make_parts(Settings(shadow_rules=signals), fakeredis.FakeRedis())


def test_a_shadow_rules_file_that_does_not_load_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nrules: [{id: x}]\n")
    with pytest.raises(ValueError, match="shadow_rules"):
        Settings(shadow_rules=bad)


def test_a_recovery_store_may_hold_a_removed_shadow_branchs_state(tmp_path: Path) -> None:
    recovery = tmp_path / "recovery"
    recovery.mkdir()
    init_db_dir(recovery, 1)
    with sqlite3.connect(next(recovery.glob("*.sqlite3"))) as db:
        db.executemany("INSERT INTO snaps (step_id, state_key, snap_epoch, ser_change) "
                       "VALUES (?, 'out', 1, x'00')",
                       [("cuewire.shadow.publish.publish",), ("cuewire.shadowy.step",)])
    flow = build_flow(make_parts(Settings(), fakeredis.FakeRedis()), file_inputs(tmp_path / "in.jsonl"),
                      CallbackSink(print, print))
    assert stranded_steps(recovery, flow) == ["cuewire.shadowy.step"]  # only the branch's own
    with pytest.raises(ConfigurationError):
        check_recovery_store(recovery, flow)


def test_replay_output_names_shadow_records_by_their_topic() -> None:
    lines: list[bytes] = []
    kinds = {"alerts", "alerts.shadow"}
    live, shadow = json_lines_writer(kinds, lines.append), json_lines_writer(kinds, lines.append, ".shadow")
    batch = [Outgoing("alerts", b"k", b'{"id":"a"}'), Outgoing("digest", b"k", b'{"id":"d"}')]
    live(batch)
    shadow(batch)
    assert lines == [b'{"topic":"alerts","value":{"id":"a"}}\n',
                     b'{"topic":"alerts.shadow","value":{"id":"a"}}\n']


def test_a_shadow_publisher_counts_nothing_in_the_alert_metrics(tmp_path: Path) -> None:
    parts = make_parts(Settings(shadow_rules=candidate(tmp_path)), fakeredis.FakeRedis())
    assert parts.shadow is not None
    counter = metrics.ALERTS_OUT.labels("shadow-count-test")
    batch = [Outgoing("alerts", b"k", b"{}", alert_id="a", rule="shadow-count-test")]
    before = counter._value.get()
    parts.shadow.publisher.produced(batch)
    assert counter._value.get() == before
    parts.publisher.produced(batch)
    assert counter._value.get() == before + 1
