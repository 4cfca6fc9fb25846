"""One load test run: produce the setup and the load at the offered rate, then let the flow drain."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from config.settings import Settings
from cuewire_dev.loadtest.options import LoadOptions, require_loopback
from cuewire_dev.loadtest.result import percentile, result_document
from cuewire_dev.loadtest.traffic import Traffic
from cuewire_dev.loadtest.watcher import Watcher


def run_loadtest(settings: Settings, opts: LoadOptions,
                 progress: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Produce the traffic, watch the outputs, and return the result document."""
    from confluent_kafka import Producer

    require_loopback(settings.kafka_bootstrap.split(","), "Kafka bootstrap")
    if opts.metrics_url:
        require_loopback([urlparse(opts.metrics_url).hostname or ""], "metrics URL")
    if opts.rate <= 0 or opts.duration_s <= 0:
        raise ValueError("rate and duration must be positive")
    traffic = Traffic(opts.traffic)
    producer = Producer({**settings.kafka_producer(), "linger.ms": 2})
    topics = {k: settings.topic(k) for k in ("events", "tickets", "accounts")}  # type: ignore[arg-type]
    sent_at: dict[str, float] = {}
    watcher = Watcher(settings, sent_at, opts.metrics_url)
    watcher.start()
    counts = {"setup": 0, "events": 0, "tickets": 0}
    started_at = datetime.now(UTC)
    try:
        if opts.setup:
            for kind, key, value, _ in traffic.setup_records():
                _produce(producer, topics[kind], key, value)
                counts["setup"] += 1
            producer.flush(60)
            _settle(watcher, opts, progress)
        t0 = time.time()
        total = int(opts.rate * opts.duration_s)
        deadline = t0 + opts.duration_s + 5.0
        sent = 0
        last_report = t0
        while sent < total and time.time() < deadline:
            now = time.time()
            due = min(total, int((now - t0) * opts.rate)) - sent
            at = datetime.fromtimestamp(now, UTC)
            for _ in range(max(0, min(due, 5000))):
                kind, key, value, ref = traffic.next_record(at)
                if ref is not None and (kind == "tickets" or len(sent_at) < opts.max_tracked):
                    sent_at[ref] = time.time()
                _produce(producer, topics[kind], key, value)
                counts[kind] += 1
                sent += 1
            producer.poll(0)
            if progress and now - last_report >= 0.5:
                last_report = now
                progress(_snapshot(watcher, sent, total, now - t0))
            time.sleep(max(0.0, min(0.005, t0 + (sent + 1) / opts.rate - time.time())))
        produce_end = time.time()
        producer.flush(60)
        _drain(watcher, opts, progress, sent, total, t0)
    finally:
        watcher.close()
    return result_document(settings, opts, traffic, watcher, counts, started_at, t0, produce_end)


def _produce(producer: Any, topic: str, key: bytes | None, value: bytes) -> None:
    for _ in range(1000):
        try:
            producer.produce(topic, value, key)
            return
        except BufferError:
            producer.poll(0.01)
    raise RuntimeError("the producer queue stayed full for 10 s: is Kafka up?")


def _settle(watcher: Watcher, opts: LoadOptions, progress: Callable[..., None] | None) -> None:
    """Give the flow time to apply the CRM snapshots and identities before the load starts."""
    deadline = time.time() + opts.settle_s
    if not opts.metrics_url:
        time.sleep(min(5.0, opts.drain_s))
        return
    while time.time() < deadline:
        lag = watcher.lag_now()
        if progress:
            progress({"phase": "setup", "lag": lag})
        if lag is not None and lag <= 0:
            return
        time.sleep(0.5)


def _drain(watcher: Watcher, opts: LoadOptions, progress: Callable[..., None] | None,
           sent: int, total: int, t0: float) -> None:
    """Wait for the flow to catch up: lag zero (or no new alert for 3 s), bounded by --drain."""
    deadline = time.time() + opts.drain_s
    while time.time() < deadline:
        time.sleep(0.5)
        if progress:
            progress({**_snapshot(watcher, sent, total, time.time() - t0), "phase": "drain"})
        quiet = time.time() - max(watcher.last_alert_at, deadline - opts.drain_s) > 3.0
        lag = watcher.lag[-1][1] if watcher.lag else None
        if quiet and (lag == 0 or (not opts.metrics_url)):
            return


def _snapshot(watcher: Watcher, sent: int, total: int, elapsed: float) -> dict[str, Any]:
    recent = [lat for _, lat in watcher.latencies[-500:]]
    return {"phase": "load", "sent": sent, "total": total, "elapsed": elapsed,
            "alerts": len(watcher.alert_ids), "dlq": watcher.dlq,
            "p99_ms": (percentile(recent, 99) or 0) * 1000 if recent else None,
            "lag": watcher.lag[-1][1] if watcher.lag else None}
