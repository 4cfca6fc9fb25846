"""Live runs: ``cuewire run`` tailing its topics while ``cuewire loadtest`` offers a rate.

``latency`` measures event→alert time at one offered rate; ``soak`` runs longer
over many accounts and samples the flow's RSS and Redis ``used_memory`` every
five seconds, to see whether either levels off.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from bench.harness import RESULTS, ROOT, Bench, console, save
from cuewire_dev.loadtest import LoadOptions, TrafficConfig, run_loadtest, write_plot
from cuewire_dev.servers import free_port


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
