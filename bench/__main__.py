"""``make bench`` / ``python -m bench``: throughput, scale-out, latency and (optionally) a soak.

Everything runs against one Kafka broker and one Redis started here on
loopback, over one generated input (accounts, identities, Segment events and
10 % tickets in every helpdesk shape), in one run, so the ratios compare like
with like:

1. throughput: (a) bare confluent-kafka loop, (b) Bytewax passthrough, (c) the
   full flow, each ``--repeats`` times, interleaved; medians, c/b and c/a;
2. scale-out: the full flow with ``-w 2`` and with two processes (``-i/-a``);
3. event→alert latency: ``cuewire run`` tailing its topics while
   ``cuewire loadtest`` offers a fixed rate;
4. ``--soak``: ten minutes at a fixed rate over 100,000 accounts, sampling the
   flow's RSS and Redis ``used_memory``;
5. ``--profile``: py-spy samples one full-flow throughput run.

Each measured run is a process of its own (``bench.runner``). Results:
``bench/results/<name>.json``; a table is printed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from config.settings import Settings
from cuewire_dev.loadtest import LoadOptions, Traffic, TrafficConfig, run_loadtest, write_plot
from cuewire_dev.servers import free_port, throwaway_servers

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
PARTITIONS = 4
TOPIC_KINDS = ("events", "tickets", "accounts", "feedback", "alerts", "digest", "dlq")
console = Console()


# ---------------------------------------------------------------------------
# Plumbing
# ---------------------------------------------------------------------------


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
            processes: int = 1, wrap: list[str] | None = None, timeout: float = 900) -> dict[str, Any]:
        """Run one measurement (``processes`` cooperating processes) and return its timing."""
        prefix = f"b{uuid.uuid4().hex[:8]}:"
        env = self.env(topics, prefix)
        addresses = ";".join(f"127.0.0.1:{free_port()}" for _ in range(processes))
        procs = []
        for i in range(processes):
            cmd = [sys.executable, "-m", "bench.runner", variant, "--out-topic", out_topic,
                   "-w", str(workers)]
            if processes > 1:
                cmd += ["-i", str(i), "-a", addresses]
            procs.append(subprocess.Popen([*(wrap or []), *cmd], cwd=ROOT, env=env,
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
        t0, t1 = min(r["t0"] for r in reports), max(r["t1"] for r in reports)
        round_trips: dict[str, list[float]] = {}
        for r in reports:
            for step, (trips, calls) in (r.get("round_trips") or {}).items():
                total = round_trips.setdefault(step, [0.0, 0.0])
                total[0] += trips
                total[1] += calls
        return {"variant": variant, "workers": workers, "processes": processes, "seconds": t1 - t0,
                "round_trips": round_trips}


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
    # Anything else busy on the box skews every figure: record the load it started under.
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": sys.version.split()[0],
            "loadavg_at_start": os.getloadavg(), "at": datetime.now(UTC).isoformat(timespec="seconds")}


# ---------------------------------------------------------------------------
# The measurements
# ---------------------------------------------------------------------------


def throughput(b: Bench, tag: str, n: int, repeats: int) -> dict[str, Any]:
    topics = b.topics(tag)
    out = f"bench.passthrough-out.{tag}"
    b.create(b.settings(topics, "unused:"), [out])
    runs: dict[str, list[float]] = {"a_bare": [], "b_passthrough": [], "c_cuewire": [],
                                    "c_cuewire_w2": [], "c_cuewire_2proc": []}
    plan = [("a_bare", "bare", 1, 1), ("b_passthrough", "passthrough", 1, 1), ("c_cuewire", "cuewire", 1, 1),
            ("c_cuewire_w2", "cuewire", 2, 1), ("c_cuewire_2proc", "cuewire", 1, 2)]
    trips: list[dict[str, list[float]]] = []
    # One discarded round first: the first read of the input warms the broker's page cache.
    for name, variant, workers, procs in plan:
        with console.status(f"warm-up: {name}"):
            b.run(variant, topics, out_topic=out, workers=workers, processes=procs)
    for rep in range(repeats):
        for name, variant, workers, procs in plan:
            with console.status(f"throughput {rep + 1}/{repeats}: {name} over {n:,} records"):
                r = b.run(variant, topics, out_topic=out, workers=workers, processes=procs)
            runs[name].append(n / r["seconds"])
            if name == "c_cuewire":
                trips.append(r["round_trips"])
            console.print(f"  {name:16} run {rep + 1}: {n / r['seconds']:9,.0f} records/s "
                          f"({r['seconds']:.2f} s)")
    # Start-up and shutdown cost of each variant, over empty input topics.
    empty = b.topics(f"{tag}-empty")
    b.create(b.settings(empty, "unused:"), [out])
    overhead = {}
    for name, variant, workers, procs in plan[:3]:
        overhead[name] = b.run(variant, empty, out_topic=out, workers=workers, processes=procs)["seconds"]
    med = {k: median(v) for k, v in runs.items()}
    return {
        "records": n, "repeats": repeats, "runs_per_s": runs, "median_per_s": med,
        "ratio_c_over_b": med["c_cuewire"] / med["b_passthrough"],
        "ratio_c_over_a": med["c_cuewire"] / med["a_bare"],
        "ratio_w2_over_w1": med["c_cuewire_w2"] / med["c_cuewire"],
        "ratio_2proc_over_1": med["c_cuewire_2proc"] / med["c_cuewire"],
        "startup_overhead_s": overhead,
        "redis_round_trips": round_trip_summary(trips),
    }


def round_trip_summary(runs: list[dict[str, list[float]]]) -> dict[str, Any]:
    """Redis round trips of the one-worker runs: per call of each batch step, and all steps'
    round trips per input batch (a call of ``resolve-accounts``), as medians over the runs."""
    per_input: list[float] = []
    per_step: dict[str, list[float]] = {}
    for run in runs:
        batches = run.get("resolve-accounts", [0.0, 0.0])[1]
        if batches:
            per_input.append(sum(trips for trips, _ in run.values()) / batches)
        for step, (trips, calls) in run.items():
            if calls:
                per_step.setdefault(step, []).append(trips / calls)
    return {"per_input_batch": median(per_input) if per_input else None,
            "per_step_call": {step: median(v) for step, v in sorted(per_step.items())}}


class FlowProcess:
    """``cuewire run`` tailing its topics, for latency and soak runs; stopped by its own pid."""

    def __init__(self, b: Bench, topics: dict[str, str], metrics_port: int, log: Path) -> None:
        self.prefix = f"lat{uuid.uuid4().hex[:8]}:"
        env = b.env(topics, self.prefix, CUEWIRE_METRICS_PORT=str(metrics_port))
        self.log = log.open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "cuewire", "run"], cwd=ROOT, env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
        deadline = time.monotonic() + 60
        import urllib.request

        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the flow exited {self.proc.returncode}; see {log}")
            try:
                urllib.request.urlopen(self.metrics_url, timeout=1).read()
                break
            except OSError:
                time.sleep(0.3)
        time.sleep(2)  # the metrics server starts before Bytewax has assigned partitions

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def latency(b: Bench, rate: float, seconds: float, accounts: int) -> dict[str, Any]:
    tag = f"lat{int(rate)}-{uuid.uuid4().hex[:6]}"
    topics = b.topics(tag)
    settings = b.settings(topics, "unused:")
    b.create(settings)
    flow = FlowProcess(b, topics, free_port(), b.tmp / f"flow-{tag}.log")
    try:
        opts = LoadOptions(rate=rate, duration_s=seconds, drain_s=30, metrics_url=flow.metrics_url,
                           slo_p99_ms=1000, traffic=TrafficConfig(accounts=accounts, seed=11))
        with console.status(f"latency: {rate:,.0f} events/s offered for {seconds:.0f} s"):
            result = run_loadtest(settings, opts)
    finally:
        flow.stop()
    name = f"latency-{int(rate)}"
    write_plot(result, RESULTS / f"{name}.png")
    save(name, result)
    return result


def soak(b: Bench, rate: float, seconds: float, accounts: int) -> dict[str, Any]:
    import redis

    tag = f"soak-{uuid.uuid4().hex[:6]}"
    topics = b.topics(tag)
    settings = b.settings(topics, "unused:")
    b.create(settings)
    flow = FlowProcess(b, topics, free_port(), b.tmp / f"flow-{tag}.log")
    client = redis.Redis.from_url(b.redis_url)
    samples: list[dict[str, float]] = []
    stop = threading.Event()
    t0 = time.time()

    def sample() -> None:
        while not stop.wait(5.0):
            samples.append({"t": round(time.time() - t0, 1), "rss_bytes": flow.rss_bytes(),
                            "redis_used_memory": int(client.info("memory")["used_memory"])})

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        opts = LoadOptions(rate=rate, duration_s=seconds, drain_s=60, metrics_url=flow.metrics_url,
                           traffic=TrafficConfig(accounts=accounts, users_per_account=2, seed=13))
        opts.settle_s = 600
        with console.status(f"soak: {rate:,.0f} events/s for {seconds / 60:.0f} min, {accounts:,} accounts"):
            result = run_loadtest(settings, opts)
    finally:
        stop.set()
        sampler.join(timeout=10)
        flow.stop()
    load_start = result["load_started_at"] - t0
    after = [s for s in samples if s["t"] >= load_start + 120 and s["t"] <= load_start + seconds]

    def spread(key: str) -> float | None:
        vals = [s[key] for s in after]
        return (max(vals) - min(vals)) / min(vals) if vals and min(vals) else None

    doc = {"rate": rate, "seconds": seconds, "accounts": accounts, "samples": samples,
           "load_started_s": load_start, "rss_spread_after_2min": spread("rss_bytes"),
           "redis_spread_after_2min": spread("redis_used_memory"), "dlq": result["dlq"],
           "loadtest": {k: result[k] for k in ("throughput", "latency_ms", "alerts", "max_lag_records")}}
    save("soak", doc)
    _soak_plot(doc, RESULTS / "soak.png")
    return doc


def _soak_plot(doc: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4))
    ts = [s["t"] for s in doc["samples"]]
    ax.plot(ts, [s["rss_bytes"] / 2**20 for s in doc["samples"]], label="flow RSS (MiB)")
    ax.plot(ts, [s["redis_used_memory"] / 2**20 for s in doc["samples"]], label="Redis used_memory (MiB)")
    ax.axvline(doc["load_started_s"], color="grey", linestyle=":", label="load starts")
    ax.axvline(doc["load_started_s"] + 120, color="grey", linestyle="--", label="+2 min")
    ax.set_xlabel("seconds")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def profile(b: Bench, tag: str) -> dict[str, Any]:
    """py-spy over one full-flow throughput run: collapsed stacks, then self and inclusive tops."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        return {"error": "py-spy is not installed (pip install py-spy)"}
    raw = RESULTS / "profile-cuewire.txt"
    svg = RESULTS / "profile-cuewire.svg"
    topics = b.topics(tag)
    for fmt, dest in (("raw", raw), ("flamegraph", svg)):
        b.run("cuewire", topics, wrap=[spy, "record", "--format", fmt, "-o", str(dest), "-r", "200",
                                       "--subprocesses", "--"])
    return summarise_profile(raw)


def summarise_profile(raw: Path, top: int = 15) -> dict[str, Any]:
    self_t: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = [f for f in stack.split(";") if f and not f.startswith("process ")]
        # Idle time (waiting on Kafka/condvars in the engine's threads) is not work, and
        # imports are start-up (measured apart, as each variant's start-up + shutdown).
        if not frames or any(s in frames[-1] for s in ("(poll)", "(wait)", "(select)", "(sleep)")):
            continue
        if any("_find_and_load" in f for f in frames):
            continue
        total += n
        self_t[_frame(frames[-1])] += n
        for f in {_frame(f) for f in frames}:
            incl[f] += n
    pct = lambda c: round(100 * c / total, 1) if total else 0.0  # noqa: E731
    return {"samples": total,
            "self": [(f, pct(c)) for f, c in self_t.most_common(top)],
            "inclusive": [(f, pct(c)) for f, c in incl.most_common(top * 2)]}


def _frame(f: str) -> str:
    # "function (path/to/file.py:123)" -> "function (file.py)"
    name, _, where = f.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    return f"{name} ({'/'.join(Path(where).parts[-2:])})" if where else name


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def table(tp: dict[str, Any], lats: list[dict[str, Any]], soak_doc: dict[str, Any] | None) -> Table:
    t = Table(title="cuewire benchmarks (medians; one broker, one input, one run)")
    t.add_column("measure")
    t.add_column("median", justify="right")
    t.add_column("runs", justify="right")
    labels = {"a_bare": "(a) bare confluent-kafka loop", "b_passthrough": "(b) Bytewax passthrough",
              "c_cuewire": "(c) full cuewire flow, 1 worker", "c_cuewire_w2": "(c) full flow, -w 2",
              "c_cuewire_2proc": "(c) full flow, 2 processes"}
    for k, label in labels.items():
        t.add_row(f"{label} (records/s)", f"{tp['median_per_s'][k]:,.0f}",
                  ", ".join(f"{x:,.0f}" for x in tp["runs_per_s"][k]))
    t.add_row("c / b", f"{tp['ratio_c_over_b']:.0%}", "")
    t.add_row("c / a", f"{tp['ratio_c_over_a']:.1%}", "")
    t.add_row("-w 2 / 1 worker", f"{tp['ratio_w2_over_w1']:.2f}×", "")
    t.add_row("2 processes / 1", f"{tp['ratio_2proc_over_1']:.2f}×", "")
    trips = tp.get("redis_round_trips") or {}
    if trips.get("per_input_batch") is not None:
        t.add_row("Redis round trips per input batch (1 worker)", f"{trips['per_input_batch']:.1f}",
                  ", ".join(f"{step} {v:.2f}" for step, v in trips["per_step_call"].items()))
    for r in lats:
        lat = r["latency_ms"]
        t.add_row(f"event→alert at {r['config']['rate']:,.0f}/s offered: p50 / p99 (ms)",
                  f"{lat['p50']} / {lat['p99']}",
                  f"{lat['count']} alerts, read {r['throughput']['flow_read_per_s'] or 0:,.0f}/s, "
                  f"max lag {r['max_lag_records'] or 0:,.0f}")
    if soak_doc:
        t.add_row("soak RSS / Redis spread after 2 min",
                  f"{(soak_doc['rss_spread_after_2min'] or 0):.1%} / "
                  f"{(soak_doc['redis_spread_after_2min'] or 0):.1%}", f"dlq {soak_doc['dlq']}")
    return t


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller input, fewer repeats, short latency runs")
    ap.add_argument("--soak", action="store_true", help="also run the 10-minute soak (100,000 accounts)")
    ap.add_argument("--soak-only", action="store_true",
                    help="run only the soak (keeps the other results from an earlier run)")
    ap.add_argument("--soak-rate", type=float, default=2000.0)
    ap.add_argument("--soak-seconds", type=float, default=600.0)
    ap.add_argument("--profile", action="store_true", help="also profile one full-flow run with py-spy")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--records", type=int, default=None, help="events and tickets in the shared input")
    ap.add_argument("--latency-rates", default="5000,1000", help="offered rates of the latency runs")
    ap.add_argument("--latency-seconds", type=float, default=None)
    args = ap.parse_args(argv)
    repeats = args.repeats or 3
    records = args.records or (20_000 if args.quick else 60_000)
    lat_s = args.latency_seconds or (10.0 if args.quick else 30.0)
    started = time.monotonic()
    with bench_servers() as b:
        if args.soak_only:
            soak_doc = soak(b, args.soak_rate, args.soak_seconds, 100_000)
            console.print(f"soak: RSS spread after 2 min {soak_doc['rss_spread_after_2min']}, "
                          f"Redis {soak_doc['redis_spread_after_2min']}, dlq {soak_doc['dlq']}")
            return 0
        tag = uuid.uuid4().hex[:6]
        with console.status(f"producing the shared input ({records:,} events and tickets)"):
            inp = produce_input(b, tag, accounts=2000, records=records, seed=1)
        console.print(f"input: {inp['total']:,} records {inp['by_topic']}")
        tp = throughput(b, tag, inp["total"], repeats) | {"input": inp, "machine": machine()}
        save("throughput", tp)
        lats = [latency(b, float(r), lat_s, 2000) for r in args.latency_rates.split(",") if r]
        soak_doc = soak(b, args.soak_rate, args.soak_seconds, 100_000) if args.soak else None
        if args.profile:
            with console.status("profiling one full-flow run with py-spy"):
                prof = profile(b, tag)
            save("profile", prof)
            console.print(f"profile: {prof.get('samples')} samples; hottest (self): "
                          + "; ".join(f"{f} {p}%" for f, p in prof.get("self", [])[:5]))
    console.print(table(tp, lats, soak_doc))
    console.print(f"results in {RESULTS}; {time.monotonic() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
