"""Where `cuewire replay` keeps its state: a private redis-server on a unix socket when one
is installed, fakeredis when not; the outputs are the same either way."""

from __future__ import annotations

import gc
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from config.settings import Settings
from contracts.errors import ConfigurationError
from cuewire.app import json_lines_writer, replay
from cuewire_dev.servers import fetch_redis
from state import private_redis
from state.private_redis import find_redis_server

D0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def history(path: Path) -> Path:
    lines: list[dict[str, object]] = [
        {"topic": "accounts", "value": {"account_id": "a1", "mrr": 900, "contacts": ["p@a1.test"]}}]
    for n in range(6):
        lines.append({"topic": "events", "value": {
            "type": "track", "event": "Pricing Page Viewed", "userId": "u1", "messageId": f"m{n}",
            "timestamp": (D0 + timedelta(hours=n)).isoformat(), "context": {"groupId": "a1"}}})
    lines.append({"topic": "tickets", "value": {
        "source": "generic", "ticket_id": "t1", "requester_email": "p@a1.test", "subject": "",
        "body": "How do I cancel our subscription? We were charged twice.",
        "created_at": (D0 + timedelta(hours=7)).isoformat()}})
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    return path


def outputs(path: Path, store: str) -> list[bytes]:
    lines: list[bytes] = []
    replay(Settings(), path, json_lines_writer({"alerts", "digest"}, lines.append),
           clock=lambda: D0 - timedelta(days=1), store=store)
    return lines


@pytest.fixture
def redis_binary(monkeypatch: pytest.MonkeyPatch) -> Path:
    binary, env = fetch_redis()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(private_redis.SERVER_SETTING, str(binary))
    return binary


def test_a_replay_on_redis_server_publishes_what_one_on_fakeredis_does(
        tmp_path: Path, redis_binary: Path) -> None:
    path = history(tmp_path / "in.jsonl")
    on_server = outputs(path, "server")
    assert on_server, "the history should alert at least once"
    assert on_server == outputs(path, "fakeredis")


def test_the_private_server_is_gone_when_the_run_ends(tmp_path: Path, redis_binary: Path) -> None:
    found = find_redis_server()
    assert found is not None
    with private_redis.private_redis(*found) as client:
        socket_path = Path(client.connection_pool.connection_kwargs["path"])
        client.set("k", "v")
        assert socket_path.exists()
    assert not socket_path.parent.exists()


def test_each_replay_starts_from_empty_state(tmp_path: Path, redis_binary: Path) -> None:
    # The ledger would drop every alert of a second run that shared the first one's Redis.
    path = history(tmp_path / "in.jsonl")
    assert outputs(path, "server") == outputs(path, "server")


def test_the_named_server_setting_must_be_an_executable(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(private_redis.SERVER_SETTING, str(tmp_path / "no-such-redis-server"))
    with pytest.raises(ConfigurationError, match="CUEWIRE_REDIS_SERVER"):
        find_redis_server()


def test_asking_for_the_server_where_none_is_installed_says_how_to_get_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(private_redis, "find_redis_server", lambda: None)
    with pytest.raises(ConfigurationError, match="apt-get install redis-server"):
        outputs(history(tmp_path / "in.jsonl"), "server")


def test_without_a_server_auto_falls_back_to_fakeredis_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(private_redis, "find_redis_server", lambda: None)
    path = history(tmp_path / "in.jsonl")
    assert outputs(path, "auto") == outputs(path, "fakeredis")
    assert "no redis-server found" in capsys.readouterr().err


def test_auto_uses_the_server_when_one_is_installed(tmp_path: Path, redis_binary: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Path] = []
    real = private_redis.private_redis

    def spy(binary: Path, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        started.append(binary)
        return real(binary, env)

    monkeypatch.setattr(private_redis, "private_redis", spy)
    outputs(history(tmp_path / "in.jsonl"), "auto")
    assert started == [Path(os.environ[private_redis.SERVER_SETTING])]


def test_a_replay_leaves_the_cycle_collector_as_it_found_it(tmp_path: Path, redis_binary: Path) -> None:
    before = gc.get_threshold()
    outputs(history(tmp_path / "in.jsonl"), "server")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
