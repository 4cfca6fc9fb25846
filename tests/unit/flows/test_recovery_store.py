"""A recovery store from a flow of another shape is refused before anything runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import fakeredis
import pytest
from bytewax.dataflow import Dataflow
from bytewax.recovery import init_db_dir

from config.settings import Settings
from contracts.errors import ConfigurationError
from cuewire.wiring import make_parts
from flows.pipeline import build_flow
from flows.recovery_store import check_recovery_store, stranded_steps
from flows.replay_io import CallbackSink, file_inputs


def flow(tmp_path: Path) -> Dataflow:
    parts = make_parts(Settings(), fakeredis.FakeRedis())
    return build_flow(parts, file_inputs(tmp_path / "in.jsonl"), CallbackSink(print, print))


def store(tmp_path: Path, *step_ids: str) -> Path:
    recovery = tmp_path / "recovery"
    recovery.mkdir()
    init_db_dir(recovery, 1)
    with sqlite3.connect(next(recovery.glob("*.sqlite3"))) as db:
        db.executemany("INSERT INTO snaps (step_id, state_key, snap_epoch, ser_change) "
                       "VALUES (?, 'log', 1, x'00')", [(s,) for s in step_ids])
    return recovery


def test_a_store_of_this_flows_steps_is_accepted(tmp_path: Path) -> None:
    recovery = store(tmp_path, "cuewire.file-in", "cuewire.accounts.order-by-log",
                     "cuewire.accounts.resolve-accounts")
    assert stranded_steps(recovery, flow(tmp_path)) == []
    check_recovery_store(recovery, flow(tmp_path))


def test_a_store_from_before_the_stages_is_refused_naming_its_steps(tmp_path: Path) -> None:
    recovery = store(tmp_path, "cuewire.file-in", "cuewire.order-by-log", "cuewire.resolve-accounts")
    assert stranded_steps(recovery, flow(tmp_path)) == ["cuewire.order-by-log", "cuewire.resolve-accounts"]
    stranded = r"cuewire.order-by-log, cuewire.resolve-accounts\): .*move it aside"
    with pytest.raises(ConfigurationError, match=stranded):
        check_recovery_store(recovery, flow(tmp_path))


def test_an_empty_store_is_accepted(tmp_path: Path) -> None:
    check_recovery_store(store(tmp_path), flow(tmp_path))
