"""The probes a cluster restarts and routes by: what makes a flow process live and ready."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flows import metrics
from flows.health import CONSUMING_SECONDS, STALL_SECONDS, Health, app


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def probe(health: Health, path: str) -> tuple[str, str]:
    got: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> Callable[[bytes], None]:
        got["status"] = status
        return lambda _b: None

    body = b"".join(app(health)({"PATH_INFO": path, "REQUEST_METHOD": "GET"}, start_response))
    return got["status"], body.decode()


def test_a_process_is_ready_only_once_every_partition_is_connected_and_polled() -> None:
    clock = Clock()
    health = Health(clock)
    assert not health.ready()[0], "nothing consumed yet (peers still joining)"
    health.polled("t", 0)
    health.polled("t", 1)
    assert not health.ready()[0], "no statistics from librdkafka yet"
    health.broker_state("t", 0, True)
    health.broker_state("t", 1, False)
    ok, why = health.ready()
    assert not ok and "t[1]" in why and "no broker" in why
    health.broker_state("t", 1, True)
    assert health.ready() == (True, "consuming 2 partitions")
    clock.now += CONSUMING_SECONDS + 1
    health.polled("t", 0)
    ok, why = health.ready()
    assert not ok and "t[1] not polled" in why


def test_a_process_is_live_until_a_partition_stops_being_polled() -> None:
    clock = Clock()
    health = Health(clock)
    assert health.live()[0], "waiting for peers is no reason to restart"
    health.polled("t", 0)
    clock.now += STALL_SECONDS - 1
    assert health.live()[0]
    clock.now += 2
    assert not health.live()[0]
    health.closed("t", 0)
    assert health.live()[0]


def test_the_probes_answer_with_status_codes_and_metrics_stay_on_their_path() -> None:
    clock = Clock()
    health = Health(clock)
    assert probe(health, "/readyz")[0].startswith("503")
    assert probe(health, "/livez")[0].startswith("200")
    health.polled("t", 0)
    health.broker_state("t", 0, True)
    assert probe(health, "/readyz") == ("200 OK", "consuming 1 partitions\n")
    clock.now += STALL_SECONDS + 1
    assert probe(health, "/livez")[0].startswith("503")
    metrics.RECORDS_IN.labels("t").inc()
    status, body = probe(health, "/metrics")
    assert status.startswith("200") and 'cuewire_records_in_total{topic="t"}' in body
