"""Reading the flow from the outside: alerts and dead letters as they arrive, and consumer lag.

Lag comes from the flow's Prometheus endpoint (``cuewire_consumer_lag`` when exposed,
else the input topics' end offsets minus ``cuewire_records_in_total``).
"""

from __future__ import annotations

import threading
import time
import urllib.request
import uuid

import orjson

from config.settings import Settings


def scrape_metrics(url: str, timeout: float = 1.0) -> dict[str, float]:
    """Prometheus text → ``{"name{labels}": value}`` (enough for counters and gauges)."""
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        text = resp.read().decode()
    out: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        try:
            out[name] = float(value)
        except ValueError:
            continue
    return out


def records_in(metrics: dict[str, float], topics: list[str]) -> float:
    return sum(v for k, v in metrics.items() if k.startswith("cuewire_records_in_total{")
               and any(f'topic="{t}"' in k for t in topics))


class Watcher:
    """Background reader of the alert and dead-letter topics, and lag sampler."""

    def __init__(self, settings: Settings, sent_at: dict[str, float], metrics_url: str | None) -> None:
        from confluent_kafka import Consumer, TopicPartition

        self.settings = settings
        self.sent_at = sent_at
        self.metrics_url = metrics_url
        self.latencies: list[tuple[float, float]] = []  # (arrival, seconds)
        self.alert_ids: set[str] = set()
        self.unmatched = 0
        self.dlq = 0
        self.lag: list[tuple[float, float]] = []  # (time, records)
        self.flow_read: list[tuple[float, float]] = []  # (time, records read so far)
        self.last_alert_at = 0.0
        self.stop = threading.Event()
        self.error: str | None = None
        conf = {**settings.kafka_consumer(), "group.id": f"cuewire-loadtest-{uuid.uuid4().hex[:8]}",
                "enable.auto.commit": "false"}
        self.consumer = Consumer(conf)
        self.meta = Consumer(conf)
        parts = []
        for topic in (settings.topic_alerts, settings.topic_dlq):
            md = self.consumer.list_topics(topic, timeout=10).topics[topic]
            for p in md.partitions:
                _low, high = self.consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
                parts.append(TopicPartition(topic, p, high))
        self.consumer.assign(parts)
        self.inputs = []
        for topic in settings.input_topics:
            md = self.meta.list_topics(topic, timeout=10).topics.get(topic)
            self.inputs += [TopicPartition(topic, p) for p in (md.partitions if md else {})]
        self.threads = [threading.Thread(target=self._read, daemon=True),
                        threading.Thread(target=self._sample, daemon=True)]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def close(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=10)
        self.consumer.close()
        self.meta.close()

    def _read(self) -> None:
        alerts = self.settings.topic_alerts
        try:
            while not self.stop.is_set():
                for msg in self.consumer.consume(500, timeout=0.1):
                    if msg.error():
                        continue
                    arrived = time.time()
                    if msg.topic() != alerts:
                        self.dlq += 1
                        continue
                    self._alert(msg.value(), arrived)
        except Exception as exc:  # reported in the result rather than killing the run silently
            self.error = f"alert reader: {exc.__class__.__name__}: {exc}"

    def _alert(self, value: bytes | None, arrived: float) -> None:
        try:
            event = orjson.loads(value or b"{}")
            data = event.get("data") or {}
        except orjson.JSONDecodeError:
            return
        alert_id = str(event.get("id") or data.get("alert_id"))
        if alert_id in self.alert_ids:
            return
        self.alert_ids.add(alert_id)
        self.last_alert_at = arrived
        times = []
        for ev in data.get("evidence") or []:
            for key in (ev.get("record_id"), ev.get("id")):
                if key and key in self.sent_at:
                    times.append(self.sent_at[key])
                    break
        if times:
            self.latencies.append((arrived, arrived - max(times)))
        else:
            self.unmatched += 1

    def lag_now(self) -> float | None:
        if not self.metrics_url:
            return None
        try:
            m = scrape_metrics(self.metrics_url)
        except OSError:
            return None
        read = records_in(m, self.settings.input_topics)
        self.flow_read.append((time.time(), read))
        if "cuewire_consumer_lag" in m or any(k.startswith("cuewire_consumer_lag{") for k in m):
            return sum(v for k, v in m.items() if k.split("{")[0] == "cuewire_consumer_lag")
        ends = 0
        for tp in self.inputs:
            _low, high = self.meta.get_watermark_offsets(tp, timeout=5, cached=False)
            ends += high
        return max(0.0, ends - read)

    def _sample(self) -> None:
        while not self.stop.wait(1.0):
            lag = self.lag_now()
            if lag is not None:
                self.lag.append((time.time(), lag))
