"""What a platform team watches, from a live two-process cluster over real Kafka and Redis.

Two ``cuewire run -i/-a`` processes serve their own metrics and probes (port +
process id): the probes say ready once each consumes its partitions, the two
processes' ``cuewire_records_in_total`` add up to the records produced, and
the monitoring consumer group holds every partition's end offset.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import orjson
import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from config.settings import Settings
from cuewire_dev.servers import free_port
from flows.kafka_io import ensure_topics

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]
PARTITIONS = 2
INPUTS = ("events", "tickets", "accounts", "feedback")


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


def _records_in(metrics_text: str) -> int:
    return sum(int(float(v)) for v in re.findall(r"^cuewire_records_in_total\{[^}]*\} (\S+)$",
                                                  metrics_text, re.M))


def _wait(what: str, check, deadline_s: float, procs: list[subprocess.Popen[bytes]]):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        for p in procs:
            if p.poll() is not None:
                pytest.fail(f"a flow process exited with {p.returncode} while waiting for {what}: "
                            f"{p.stderr.read().decode()[-4000:] if p.stderr else ''}")
        time.sleep(0.5)
    pytest.fail(f"timed out after {deadline_s:.0f}s waiting for {what}")


def _free_port_pair() -> int:
    for _ in range(50):
        base = free_port()
        try:
            import socket

            with socket.socket() as s:
                s.bind(("127.0.0.1", base + 1))
            return base
        except OSError:
            continue
    raise RuntimeError("no two consecutive free ports")


def test_two_processes_serve_metrics_that_add_up_and_commit_offsets_for_monitoring(
        kafka_bootstrap: str, redis_url: str, unique: str) -> None:
    topics = {f"topic_{k}": f"cuewire.{k}.obs{unique}" for k in (*INPUTS, "alerts", "digest", "dlq")}
    settings = Settings(kafka_bootstrap=kafka_bootstrap, redis_url=redis_url,  # type: ignore[arg-type]
                        deployment=f"obs{unique}", kafka_partitions=PARTITIONS, **topics)
    ensure_topics(settings)
    port = _free_port_pair()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUEWIRE_")}
    env |= {f"CUEWIRE_{k.upper()}": v for k, v in topics.items()}
    env |= {"CUEWIRE_KAFKA_BOOTSTRAP": kafka_bootstrap, "CUEWIRE_REDIS_URL": redis_url,
            "CUEWIRE_REDIS_PREFIX": f"obs{unique}:", "CUEWIRE_DEPLOYMENT": f"obs{unique}",
            "CUEWIRE_METRICS_PORT": str(port)}
    addresses = f"127.0.0.1:{free_port()};127.0.0.1:{free_port()}"
    procs = [subprocess.Popen([sys.executable, "-m", "cuewire", "run", "-i", str(i), "-a", addresses,
                               "--epoch-seconds", "1"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for i in range(2)]
    try:
        urls = [f"http://127.0.0.1:{port + i}" for i in range(2)]
        _wait("both processes ready", lambda: all(_get(u + "/readyz")[0] == 200 for u in urls), 180, procs)
        assert all(_get(u + "/livez")[0] == 200 for u in urls)

        producer = Producer({"bootstrap.servers": kafka_bootstrap})
        sent = 0
        for kind in INPUTS:  # something on every partition, so both processes read records
            for partition in range(PARTITIONS):
                for n in range(5):
                    value = {"type": "track", "event": "Login", "userId": f"u{n}",
                             "messageId": f"{kind}-{partition}-{n}", "timestamp": "2026-11-20T10:00:00Z"}
                    producer.produce(settings.topic(kind), orjson.dumps(value), f"k{n}".encode(),  # type: ignore[arg-type]
                                     partition=partition)
                    sent += 1
        assert producer.flush(30) == 0

        def counts() -> list[int] | None:
            seen = [_records_in(_get(u + "/metrics")[1]) for u in urls]
            return seen if sum(seen) == sent else None

        per_process = _wait("the processes' records-in to add up", counts, 120, procs)
        assert all(n > 0 for n in per_process), f"one process read nothing: {per_process}"

        group = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": settings.monitoring_group_id(),
                          "enable.auto.commit": False})
        try:
            parts = [TopicPartition(settings.topic(k), p) for k in INPUTS for p in range(PARTITIONS)]

            def committed_to_the_end() -> bool:
                got = group.committed(parts, timeout=10)
                return all(tp.offset == 5 for tp in got)

            _wait("the monitoring group's offsets to reach the ends", committed_to_the_end, 60, procs)
        finally:
            group.close()
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
