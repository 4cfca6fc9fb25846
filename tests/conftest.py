"""Session fixtures: one real Kafka broker and one real Redis for the whole test run.

Where they come from, in order: ``CUEWIRE_KAFKA_BOOTSTRAP`` / ``CUEWIRE_REDIS_URL``
when set; a Docker engine through testcontainers when one answers; otherwise the
project's own local servers (``cuewire_dev.servers``: Kafka jars from Maven Central,
redis-server from Debian's packages), started once and stopped at the end.
Every test that uses them gets unique topic names and a unique Redis key prefix.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def _docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("CUEWIRE_KAFKA_BOOTSTRAP"):
        yield os.environ["CUEWIRE_KAFKA_BOOTSTRAP"]
        return
    if _docker_answers():  # pragma: no cover - no Docker engine on this project's CI
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer("apache/kafka:4.1.1").with_kraft() as container:
            yield container.get_bootstrap_server()
        return
    from cuewire_dev.servers import KafkaBroker, free_port

    broker = KafkaBroker(free_port(), free_port(), tmp_path_factory.mktemp("kafka")).start()
    try:
        yield broker.bootstrap
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("CUEWIRE_REDIS_URL"):
        yield os.environ["CUEWIRE_REDIS_URL"]
        return
    if _docker_answers():  # pragma: no cover
        from testcontainers.redis import RedisContainer

        with RedisContainer("redis:7").with_command("redis-server --appendonly yes") as container:
            host = container.get_container_host_ip()
            yield f"redis://{host}:{container.get_exposed_port(6379)}/0"
        return
    from cuewire_dev.servers import RedisServer, free_port

    server = RedisServer(free_port(), tmp_path_factory.mktemp("redis")).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def unique() -> str:
    """A short id unique to this test: topic suffixes, key prefixes."""
    return uuid.uuid4().hex[:10]
