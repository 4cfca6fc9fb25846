"""Both servers together: throwaway ones for the demo and benchmarks, or detached for ``make up``."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

from cuewire_dev.servers.kafka_broker import KafkaBroker
from cuewire_dev.servers.processes import cache_dir, free_port
from cuewire_dev.servers.redis_server import RedisServer

STATE_FILE_NAME = "stack.json"


@contextlib.contextmanager
def throwaway_servers(directory: Path) -> Iterator[tuple[KafkaBroker, RedisServer]]:
    """A Kafka broker and a redis-server on free loopback ports, their data under
    ``directory``, both stopped on the way out: the stack the demo and the benchmarks
    run against."""
    broker = KafkaBroker(free_port(), free_port(), directory / "kafka").start()
    try:
        redis_server = RedisServer(free_port(), directory / "redis").start()
    except BaseException:
        broker.stop()
        raise
    try:
        yield broker, redis_server
    finally:
        redis_server.stop()
        broker.stop()


def _stack_file() -> Path:
    return cache_dir() / STATE_FILE_NAME


def up(kafka_port: int = 9092, redis_port: int = 6379) -> dict[str, str]:
    """Start both servers detached (for `make up`), recording their pids."""
    existing = status()
    if existing:
        return existing
    data = cache_dir() / "stack"
    kafka = KafkaBroker(kafka_port, free_port(), data / "kafka").start()
    redis = RedisServer(redis_port, data / "redis").start()
    info = {
        "bootstrap": kafka.bootstrap, "redis_url": redis.url,
        "kafka_pid": str(kafka.process.pid if kafka.process else ""),
        "redis_pid": str(redis.process.pid if redis.process else ""),
    }
    _stack_file().write_text(json.dumps(info))
    return info


def status() -> dict[str, str]:
    path = _stack_file()
    if not path.exists():
        return {}
    info: dict[str, str] = json.loads(path.read_text())
    for key in ("kafka_pid", "redis_pid"):
        try:
            os.kill(int(info[key]), 0)
        except (OSError, ValueError, KeyError):
            return {}
    return info


def down() -> None:
    path = _stack_file()
    if not path.exists():
        return
    info = json.loads(path.read_text())
    for key in ("redis_pid", "kafka_pid"):
        try:
            pid = int(info[key])
            os.kill(pid, signal.SIGTERM)
            for _ in range(150):
                os.kill(pid, 0)
                time.sleep(0.2)
        except (OSError, ValueError, KeyError):
            pass
    path.unlink(missing_ok=True)
