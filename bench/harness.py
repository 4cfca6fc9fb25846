"""The benchmark's plumbing: its own servers, the shared input, one measured process.

Kafka (KRaft) and redis-server start here on free loopback ports; the input is
written once per run and read by every variant; each measured run is a process
of its own (``bench.runner``), reporting its timing as one JSON line.
"""

from __future__ import annotations

import contextlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console

from config.settings import Settings
from cuewire_dev.loadtest import Traffic, TrafficConfig
from cuewire_dev.servers import free_port, throwaway_servers

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
PARTITIONS = 4
TOPIC_KINDS = ("events", "tickets", "accounts", "feedback", "alerts", "digest", "dlq")
console = Console()


class Bench:
    """The servers, the shared input, and how to start a measured process against them."""

    def __init__(self, bootstrap: str, redis_url: str, tmp: Path) -> None:
        self.bootstrap = bootstrap
        self.redis_url = redis_url
        self.tmp = tmp

    def topics(self, tag: str, inputs_from: str | None = None) -> dict[str, str]:
        names = {k: f"bench.{k}.{tag}" for k in TOPIC_KINDS}
        if inputs_from:
            names |= {k: f"bench.{k}.{inputs_from}" for k in ("events", "tickets", "accounts")}
        return names

    def settings(self, topics: dict[str, str], prefix: str) -> Settings:
        return Settings(kafka_bootstrap=self.bootstrap, redis_url=self.redis_url,  # type: ignore[arg-type]
                        redis_prefix=prefix, kafka_partitions=PARTITIONS, deployment="bench",
                        **{f"topic_{k}": v for k, v in topics.items()})

    def create(self, settings: Settings, extra: Sequence[str] = ()) -> None:
        from confluent_kafka.admin import AdminClient, NewTopic

        from flows.kafka_io import ensure_topics

        ensure_topics(settings)
        if extra:
            admin = AdminClient({"bootstrap.servers": self.bootstrap})
            for f in admin.create_topics([NewTopic(t, PARTITIONS, 1) for t in extra]).values():
                try:
                    f.result(timeout=30)
                except Exception as exc:
                    if "TOPIC_ALREADY_EXISTS" not in str(exc):
                        raise

    def env(self, topics: dict[str, str], prefix: str, **more: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUEWIRE_")}
        env |= {"CUEWIRE_KAFKA_BOOTSTRAP": self.bootstrap, "CUEWIRE_REDIS_URL": self.redis_url,
                "CUEWIRE_REDIS_PREFIX": prefix, "CUEWIRE_KAFKA_PARTITIONS": str(PARTITIONS),
                "CUEWIRE_DEPLOYMENT": "bench", "PYTHONUNBUFFERED": "1"}
        env |= {f"CUEWIRE_TOPIC_{k.upper()}": v for k, v in topics.items()}
        return env | more

    def run(self, variant: str, topics: dict[str, str], *, out_topic: str = "", workers: int = 1,
            processes: int = 1, wrap: list[str] | None = None, timeout: float = 900,
            extra_env: dict[str, str] | None = None, tree: Path = ROOT) -> dict[str, Any]:
        """Run one measurement (``processes`` cooperating processes) and return its timing;
        ``tree`` is the checkout whose code runs (another commit's, for a before/after)."""
        prefix = f"b{uuid.uuid4().hex[:8]}:"
        env = self.env(topics, prefix, **(extra_env or {}))
        addresses = ";".join(f"127.0.0.1:{free_port()}" for _ in range(processes))
        procs = []
        # CPU of the run's processes (the machine is shared: its wall time says less).
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        for i in range(processes):
            cmd = [sys.executable, "-m", "bench.runner", variant, "--out-topic", out_topic,
                   "-w", str(workers)]
            if processes > 1:
                cmd += ["-i", str(i), "-a", addresses]
            procs.append(subprocess.Popen([*(wrap or []), *cmd], cwd=tree, env=env,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        reports = []
        for p in procs:
            try:
                out, err = p.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                for q in procs:
                    q.kill()
                raise RuntimeError(f"{variant} did not finish within {timeout:.0f}s") from None
            if p.returncode != 0:
                raise RuntimeError(f"{variant} exited {p.returncode}: {err.decode()[-1500:]}")
            # The report is the last JSON line (a profiler wrapping the run may print too).
            lines = [ln for ln in out.decode().splitlines() if ln.startswith("{")]
            reports.append(orjson.loads(lines[-1]))
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_s = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
        t0, t1 = min(r["t0"] for r in reports), max(r["t1"] for r in reports)
        # The passthrough also says when it saw its first and last record: the engine's
        # rate without its own start-up and shutdown, which the flow's figure is held to.
        firsts = [r["first"] for r in reports if r.get("first") is not None]
        lasts = [r["last"] for r in reports if r.get("last") is not None]
        first_to_last = max(lasts) - min(firsts) if firsts and lasts else None
        round_trips: dict[str, list[float]] = {}
        for r in reports:
            for step, (trips, calls) in (r.get("round_trips") or {}).items():
                total = round_trips.setdefault(step, [0.0, 0.0])
                total[0] += trips
                total[1] += calls
        return {"variant": variant, "workers": workers, "processes": processes, "seconds": t1 - t0,
                "first_to_last_s": first_to_last, "records": sum(r.get("records") or 0 for r in reports),
                "round_trips": round_trips, "cpu_s": cpu_s}


@contextlib.contextmanager
def bench_servers() -> Iterator[Bench]:
    """A Kafka broker (KRaft) and a redis-server of the benchmark's own, on free loopback
    ports in a temporary directory, stopped on the way out."""
    with tempfile.TemporaryDirectory(prefix="cuewire-bench-") as tmp_name, contextlib.ExitStack() as stack:
        tmp = Path(tmp_name)
        with console.status("starting Kafka (KRaft) and Redis …"):
            broker, redis_server = stack.enter_context(throwaway_servers(tmp))
        yield Bench(broker.bootstrap, redis_server.url, tmp)


def produce_input(b: Bench, tag: str, accounts: int, records: int, seed: int) -> dict[str, Any]:
    """Write the shared input once: snapshots and identities, then events and tickets."""
    from confluent_kafka import Producer

    topics = b.topics(tag)
    settings = b.settings(topics, "unused:")
    b.create(settings)
    traffic = Traffic(TrafficConfig(accounts=accounts, seed=seed, run_id=f"bench{seed}"))
    producer = Producer(settings.kafka_producer())
    kinds: Counter[str] = Counter()

    def send(kind: str, key: bytes | None, value: bytes) -> None:
        while True:
            try:
                producer.produce(settings.topic(kind), value, key)  # type: ignore[arg-type]
                kinds[kind] += 1
                return
            except BufferError:
                producer.poll(0.05)

    for kind, key, value, _ in traffic.setup_records():
        send(kind, key, value)
    now = datetime.now(UTC)
    for _ in range(records):
        kind, key, value, _ = traffic.next_record(now)
        send(kind, key, value)
    if producer.flush(120):
        raise RuntimeError("the input was not fully acknowledged")
    return {"tag": tag, "total": sum(kinds.values()), "by_topic": dict(kinds), "accounts": accounts}


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def save(name: str, doc: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    return path


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    # Anything else busy on the box skews every figure: called before the first server
    # starts, so this is the load the bench started under, not the load it made.
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": sys.version.split()[0],
            "loadavg_at_start": os.getloadavg(), "at": datetime.now(UTC).isoformat(timespec="seconds")}
