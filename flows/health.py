"""Liveness and readiness of a running flow process, served beside its metrics.

``/livez`` says the process should be left running: it answers, and once it has
started reading Kafka its partitions are still being polled (a wedged worker
stops polling). ``/readyz`` says the process is doing its job: it is connected
to a broker and consuming every Kafka partition it was given. A process of a
``-i/-a`` cluster becomes ready only once all its peers have joined, because
Bytewax reads nothing before that. ``/metrics`` is Prometheus' exposition.

The Kafka source (``flows/kafka_source.py``) reports each poll and each
librdkafka statistics callback here; the HTTP server reads the state from its
own thread, so every update is one attribute write.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app

STALL_SECONDS = 120.0
"""A partition not polled for this long means the worker is wedged (not live)."""
CONSUMING_SECONDS = 30.0
"""A partition not polled for this long is not being consumed (not ready)."""


@dataclass
class _Partition:
    last_poll: float
    broker_up: bool | None = None


@dataclass
class Health:
    """What this process knows of its own Kafka partitions."""

    clock: Callable[[], float] = time.monotonic
    partitions: dict[tuple[str, int], _Partition] = field(default_factory=dict)

    def polled(self, topic: str, partition: int) -> None:
        part = self.partitions.get((topic, partition))
        if part is None:
            self.partitions[(topic, partition)] = _Partition(self.clock())
        else:
            part.last_poll = self.clock()

    def broker_state(self, topic: str, partition: int, up: bool) -> None:
        part = self.partitions.setdefault((topic, partition), _Partition(self.clock()))
        part.broker_up = up

    def closed(self, topic: str, partition: int) -> None:
        self.partitions.pop((topic, partition), None)

    def live(self) -> tuple[bool, str]:
        now = self.clock()
        for (topic, partition), part in list(self.partitions.items()):
            if now - part.last_poll > STALL_SECONDS:
                return False, f"{topic}[{partition}] not polled for {now - part.last_poll:.0f}s"
        return True, "live"

    def ready(self) -> tuple[bool, str]:
        parts = list(self.partitions.items())
        if not parts:
            return False, "not consuming yet (waiting for the cluster's processes or the broker)"
        now = self.clock()
        for (topic, partition), part in parts:
            if part.broker_up is None:
                return False, f"{topic}[{partition}]: no word from the broker yet"
            if not part.broker_up:
                return False, f"{topic}[{partition}]: no broker connection"
            if now - part.last_poll > CONSUMING_SECONDS:
                return False, f"{topic}[{partition}] not polled for {now - part.last_poll:.0f}s"
        return True, f"consuming {len(parts)} partitions"


HEALTH = Health()
"""This process's health, fed by the Kafka source partitions."""


def brokers_up(stats: dict[str, Any]) -> bool:
    """Whether librdkafka's statistics show a connection to at least one broker.

    >>> brokers_up({"brokers": {"k:9092/1": {"nodeid": 1, "state": "UP"}}})
    True
    >>> brokers_up({"brokers": {"k:9092/1": {"nodeid": 1, "state": "AUTH_REQ"}}})
    False
    """
    brokers = stats.get("brokers") or {}
    return any(b.get("state") == "UP" and int(b.get("nodeid", -1)) >= 0 for b in brokers.values())


def app(health: Health) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """A WSGI app: the probes on /livez and /readyz, Prometheus on every other path."""
    metrics = make_wsgi_app()

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path in ("/livez", "/healthz", "/readyz"):
            ok, why = health.ready() if path == "/readyz" else health.live()
            start_response("200 OK" if ok else "503 Service Unavailable",
                           [("Content-Type", "text/plain; charset=utf-8")])
            return [why.encode() + b"\n"]
        result: Iterable[bytes] = metrics(environ, start_response)
        return result

    return serve


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # probes every few seconds: no log
        pass


class _ThreadedServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def serve(port: int, health: Health = HEALTH, addr: str = "0.0.0.0") -> WSGIServer:
    """Serve metrics and probes on ``port`` from a daemon thread; returns the server."""
    server = make_server(addr, port, app(health), _ThreadedServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name=f"metrics-{port}", daemon=True).start()
    return server
