"""`cuewire run` against a Kafka that is not there: a few lines naming Kafka, not hundreds."""

from __future__ import annotations

import os
import socket
import subprocess
import sys


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_kafka_down_is_a_few_lines_naming_it(redis_url: str) -> None:
    env = {**os.environ, "CUEWIRE_REDIS_URL": redis_url,
           "CUEWIRE_KAFKA_BOOTSTRAP": f"127.0.0.1:{closed_port()}"}
    done = subprocess.run([sys.executable, "-m", "cuewire", "run", "--exit-at-end"], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1, done.stderr
    assert 1 <= len(lines) <= 12, done.stderr[-2000:]  # librdkafka alone printed ~195
    assert "Traceback" not in done.stderr
    assert lines[-1].startswith("cuewire: dependency down: Kafka at")
    assert "CUEWIRE_KAFKA_BOOTSTRAP" in lines[-1]
