"""One freshly started ``cuewire run`` on topics of its own, and what tests compare it with.

The live-against-replay tests all do the same three things: start the flow as a user
would (a subprocess with ``CUEWIRE_*`` settings), produce records to its input topics,
and compare what it published with what ``cuewire replay`` makes of the same records.
Each test says what must agree through its own ``outcome`` function (by output id).

    with running_flow("joins", kafka, redis_url) as (topics, env):
        produce(producer, topics, records)
        expected = replayed(records, tmp_path / "in.jsonl", env, outcome)
        live = published(kafka, topics, outcome)
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from confluent_kafka import Producer

from config.settings import Settings
from flows.kafka_io import ensure_topics, read_to_end

ROOT = Path(__file__).parents[2]
TOPIC_KINDS = ("events", "tickets", "accounts", "feedback", "alerts", "digest", "dlq")
Record = tuple[str, str, dict[str, Any]]
"""(input kind, Kafka key, JSON value)."""
Outcome = Callable[[list[dict[str, Any]]], dict[str, tuple[Any, ...]]]
"""What must agree, by output id, given the decoded records of the alerts and digest topics."""


def z(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def produce(producer: Producer, topics: dict[str, str], records: list[Record]) -> None:
    for kind, key, value in records:
        producer.produce(topics[kind], orjson.dumps(value), key.encode())
    assert producer.flush(30) == 0


@contextlib.contextmanager
def running_flow(name: str, kafka: str, redis_url: str, extra_env: dict[str, str] | None = None
                 ) -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    """A ``cuewire run`` on three-partition topics and a Redis prefix of its own; yields
    (topics by kind, the environment it runs with). On the way out it must still be running."""
    unique = uuid.uuid4().hex[:8]
    topics = {k: f"cuewire.{k}.{name}{unique}" for k in TOPIC_KINDS}
    base = {k: v for k, v in os.environ.items() if not k.startswith("CUEWIRE_")}
    env = base | {"CUEWIRE_DEPLOYMENT": name, "CUEWIRE_KAFKA_BOOTSTRAP": kafka,
                  "CUEWIRE_REDIS_URL": redis_url, "CUEWIRE_REDIS_PREFIX": f"{name}{unique}:",
                  "CUEWIRE_KAFKA_PARTITIONS": "3", **(extra_env or {})}
    env |= {f"CUEWIRE_TOPIC_{k.upper()}": v for k, v in topics.items()}
    ensure_topics(Settings(**{k.removeprefix("CUEWIRE_").lower(): v  # type: ignore[arg-type]
                              for k, v in env.items() if k.startswith("CUEWIRE_") and k != "CUEWIRE_RULES"}))
    with tempfile.TemporaryDirectory() as logs:
        log = Path(logs) / "flow.stderr"
        with log.open("wb") as stderr:
            proc = subprocess.Popen([sys.executable, "-m", "cuewire", "run"], cwd=ROOT, env=env,
                                    stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            yield topics, env
            assert proc.poll() is None, f"the flow exited: {log.read_text()[-3000:]}"
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            print(log.read_text()[-3000:], file=sys.stderr)


def replayed(records: list[Record], path: Path, env: dict[str, str], outcome: Outcome
             ) -> dict[str, tuple[Any, ...]]:
    """What ``cuewire replay`` of ``records`` (in production order) publishes, by ``outcome``."""
    path.write_bytes(b"".join(
        orjson.dumps({"topic": kind, "key": key, "value": value}) + b"\n" for kind, key, value in records))
    command = [sys.executable, "-m", "cuewire", "replay", str(path), "--include", "alerts,digest"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return outcome([orjson.loads(line)["value"] for line in done.stdout.splitlines() if line.strip()])


def published(kafka: str, topics: dict[str, str], outcome: Outcome) -> dict[str, tuple[Any, ...]]:
    """What the flow has published on its alerts and digest topics so far, by ``outcome``."""
    conf = {"bootstrap.servers": kafka}
    return outcome([orjson.loads(v) for kind in ("alerts", "digest")
                    for _k, v in read_to_end(conf, topics[kind], 20)])


def wait_for(check: Callable[[], bool], what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


def settled_difference(kafka: str, topics: dict[str, str], outcome: Outcome,
                       expected: dict[str, tuple[Any, ...]], seconds: float) -> str | None:
    """Wait (up to ``seconds``) for the topics to show ``expected``, then a moment more in
    case anything else follows; None when they agree, else what is missing, extra, changed."""
    deadline = time.monotonic() + seconds
    while published(kafka, topics, outcome) != expected and time.monotonic() < deadline:
        time.sleep(1.0)
    time.sleep(2.0)
    live = published(kafka, topics, outcome)
    missing = sorted(v for k, v in expected.items() if k not in live)
    extra = sorted(v for k, v in live.items() if k not in expected)
    changed = sorted((expected[k], live[k]) for k in expected.keys() & live.keys() if expected[k] != live[k])
    if missing or extra or changed:
        return f"missing {missing}; extra {extra}; changed {changed}"
    return None
