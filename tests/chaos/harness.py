"""What every chaos scenario shares: its own servers, one input, the flow as a process,
and the count of alert ids on the topic against a replay of the same input.

The servers are the suite's own (``cuewire_dev.servers`` on free ports, data under the
session's temporary directory), because scenarios kill and restart them. Each
scenario gets its own topics and Redis key prefix on them. The input is the
generated sample, produced with strictly increasing log times so the flow's
log order is the file's order, which is the order ``cuewire replay`` reads.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from confluent_kafka import Producer

from config.settings import Settings
from cuewire.app import json_lines_writer, replay
from cuewire_dev.sample import generate_sample, write_jsonl
from cuewire_dev.servers import KafkaBroker, RedisServer, free_port
from flows.kafka_io import ensure_topics, read_to_end

ROOT = Path(__file__).parents[2]
PARTITIONS = 2
Record = tuple[str, bytes | None, bytes | None]
"""(topic kind, key, value) as the sample generator and the poison corpus make them
(a value of ``None`` is a tombstone)."""


def chaos_input(accounts: int = 500, seed: int = 5) -> list[Record]:
    return [(kind, key, raw) for kind, key, raw in generate_sample(n_accounts=accounts, seed=seed)]


_RECORDS_IN = re.compile(r"^cuewire_records_in_total\{[^}]*\} (\S+)$", re.M)


@dataclass
class Stack:
    """A broker and a redis-server of the suite's own, which scenarios may kill."""

    broker: KafkaBroker
    redis: RedisServer

    @classmethod
    def start(cls, root: Path) -> Stack:
        broker = KafkaBroker(free_port(), free_port(), root / "kafka").start()
        try:
            server = RedisServer(free_port(), root / "redis").start()
        except BaseException:
            broker.stop()
            raise
        return cls(broker, server)

    def stop(self) -> None:
        self.redis.stop()
        self.broker.stop()


@dataclass
class Outcome:
    """One scenario's result: alert ids expected (a replay's), and copies published."""

    scenario: str
    expected: frozenset[str]
    published: Counter[str]
    other_duplicates: int = 0
    """Duplicate copies of digest and dead-letter records (by id)."""

    @property
    def lost(self) -> set[str]:
        return set(self.expected - self.published.keys())

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.published.values())

    @property
    def extra(self) -> set[str]:
        return set(self.published.keys() - self.expected)

    def line(self) -> str:
        return (f"{self.scenario:<34} expected {len(self.expected):>4}  "
                f"published {sum(self.published.values()):>4}  lost {len(self.lost):>3}  "
                f"duplicate copies {self.duplicates:>3}  extra {len(self.extra):>3}  "
                f"digest/dlq duplicate copies {self.other_duplicates:>3}")


@dataclass
class Scenario:
    """One scenario's topics, Redis prefix and flow processes on the shared stack."""

    name: str
    stack: Stack
    workdir: Path
    records: Sequence[Record]
    extra_env: dict[str, str] = field(default_factory=dict)
    metrics_port: int = field(default_factory=free_port)
    unique: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    runs: int = 0

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUEWIRE_")}
        env |= {
            "CUEWIRE_KAFKA_BOOTSTRAP": self.stack.broker.bootstrap,
            "CUEWIRE_REDIS_URL": self.stack.redis.url,
            "CUEWIRE_REDIS_PREFIX": f"ch{self.unique}:",
            "CUEWIRE_KAFKA_PARTITIONS": str(PARTITIONS),
            "CUEWIRE_DEPLOYMENT": "chaos",
            "CUEWIRE_METRICS_PORT": str(self.metrics_port),
            "PYTHONUNBUFFERED": "1",
        }
        env |= {f"CUEWIRE_TOPIC_{k.upper()}": self.topic(k)
                for k in ("events", "tickets", "accounts", "feedback", "alerts", "digest", "dlq")}
        return env | self.extra_env

    def topic(self, kind: str) -> str:
        return f"chaos.{self.unique}.{kind}"

    def settings(self) -> Settings:
        return Settings(**{k.removeprefix("CUEWIRE_").lower(): v  # type: ignore[arg-type]
                           for k, v in self.env.items() if k.startswith("CUEWIRE_")})

    def produce(self, records: Iterable[Record] | None = None) -> int:
        """Produce the input in order, with log times one millisecond apart."""
        ensure_topics(self.settings())
        producer = Producer({"bootstrap.servers": self.stack.broker.bootstrap,
                             "enable.idempotence": True, "linger.ms": 20,
                             "message.max.bytes": 2_000_000})  # the corpus has a 1.6 MB record
        base = int(time.time() * 1000) - 100_000
        failed: list[str] = []

        def delivered(err: object, _msg: object) -> None:
            if err is not None:
                failed.append(str(err))

        n = 0
        for n, (kind, key, raw) in enumerate(records if records is not None else self.records, 1):
            if kind == "accounts" and key is None:
                key = f"keyless-{n}".encode()  # the compacted topic refuses records without a key
            producer.produce(self.topic(kind), raw, key, timestamp=base + n, on_delivery=delivered)
        assert producer.flush(60) == 0 and not failed, f"the broker did not take the input: {failed[:3]}"
        return n

    def prime(self) -> None:
        """Produce the CRM snapshots and apply them in a run of their own, as accounts are
        known before their traffic in production; then produce the rest of the input."""
        self.produce([r for r in self.records if r[0] == "accounts"])
        self.run_to_end()
        self.produce([r for r in self.records if r[0] != "accounts"])

    def start_flow(self, *args: str) -> subprocess.Popen[bytes]:
        """``cuewire run ARGS`` as its own process (own session, so signals reach it alone)."""
        self.runs += 1
        log = (self.workdir / f"run-{self.runs}.log").open("wb")
        return subprocess.Popen([sys.executable, "-m", "cuewire", "run", *args], cwd=ROOT,
                                env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def log(self, run: int | None = None) -> str:
        return (self.workdir / f"run-{run or self.runs}.log").read_text(errors="replace")

    def run_to_end(self, *args: str, timeout: float = 240) -> None:
        """One ``--exit-at-end`` pass that must finish cleanly."""
        proc = self.start_flow("--exit-at-end", *args)
        wait(proc, timeout, self)
        assert proc.returncode == 0, f"{self.name}: the flow exited {proc.returncode}:\n{self.log()[-4000:]}"

    def published(self, kind: str = "alerts") -> list[bytes]:
        return [value for _key, value in
                read_to_end({"bootstrap.servers": self.stack.broker.bootstrap}, self.topic(kind), 60)]

    def wait_read(self, at_least: int, proc: subprocess.Popen[bytes], timeout: float = 180,
                  processes: int = 1) -> None:
        """Wait until the flow has read ``at_least`` records, by its own
        ``cuewire_records_in_total`` (summed over its ``processes``, each serving its
        metrics on the port plus its process id). A bounded run hands its records on at
        the input's end, so this, not what has been published, is how far "mid-stream"
        it is. ``proc`` ending first fails the wait."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            read = sum(self._records_read(self.metrics_port + i) for i in range(processes))
            if read >= at_least:
                return
            time.sleep(0.05)
        raise AssertionError(f"{self.name}: the flow did not read {at_least} records (exit {proc.poll()})")

    @staticmethod
    def _records_read(port: int) -> float:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as page:
                text = page.read().decode()
        except OSError:
            text = ""
        return sum(float(n) for n in _RECORDS_IN.findall(text))

    def outcome(self, expected: frozenset[str]) -> Outcome:
        alerts = Counter(orjson.loads(v)["id"] for v in self.published("alerts"))
        others = Counter(orjson.loads(v)["id"] for v in self.published("digest"))
        others += Counter(_dead_letter_coordinates(v) for v in self.published("dlq"))
        return Outcome(self.name, expected, alerts, sum(n - 1 for n in others.values()))


def _dead_letter_coordinates(value: bytes) -> str:
    body = orjson.loads(value)
    return f"{body.get('topic')}:{body.get('partition')}:{body.get('offset')}:{body.get('step')}"


def wait(proc: subprocess.Popen[bytes], timeout: float, scenario: Scenario) -> None:
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill(proc)
        raise AssertionError(
            f"{scenario.name}: the flow did not finish within {timeout:.0f}s:\n{scenario.log()[-4000:]}"
        ) from None


def kill(proc: subprocess.Popen[bytes]) -> None:
    """kill -9 of the flow's process (and whatever it started)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def expected_alert_ids(records: Sequence[Record], workdir: Path) -> frozenset[str]:
    """The alert ids ``cuewire replay`` publishes for the same input."""
    path = workdir / "input.jsonl"
    write_jsonl(records, path)
    lines: list[bytes] = []
    replay(Settings(), path, json_lines_writer({"alerts"}, lines.append))
    ids = [orjson.loads(line)["id"] for line in lines]
    assert len(ids) == len(set(ids)), "a replay published an id twice"
    return frozenset(ids)


def interleave(good: Sequence[Record], hostile: Sequence[Record]) -> list[Record]:
    """``hostile`` spread evenly through ``good`` (CRM snapshots stay first, as in the sample)."""
    accounts = [r for r in good if r[0] == "accounts"] + [r for r in hostile if r[0] == "accounts"]
    rest = [r for r in good if r[0] != "accounts"]
    others = [r for r in hostile if r[0] != "accounts"]
    step = max(1, len(rest) // (len(others) + 1))
    mixed: list[Record] = []
    for i, record in enumerate(rest):
        if i and i % step == 0 and others:
            mixed.append(others.pop(0))
        mixed.append(record)
    return accounts + mixed + others


def expected_alert_ids_of_bytes(records: Sequence[Record], workdir: Path) -> frozenset[str]:
    """A replay's alert ids, each value written as its exact text (records that are not
    UTF-8 cannot be written in a replay file: they can only be dead letters)."""
    path = workdir / "input.jsonl"
    with path.open("wb") as out:
        for kind, _key, raw in records:
            try:
                text = raw.decode("utf-8") if raw is not None else None
            except UnicodeDecodeError:
                continue
            if text is None:
                continue
            out.write(orjson.dumps({"topic": kind, "value": text}) + b"\n")
    lines: list[bytes] = []
    replay(Settings(), path, json_lines_writer({"alerts"}, lines.append))
    return frozenset(orjson.loads(line)["id"] for line in lines)
