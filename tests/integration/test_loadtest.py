"""``cuewire loadtest`` against the session's broker and a real flow process.

A few seconds of a small load: the JSON result must hold sane figures, and the
exit status must follow the SLO (an impossible ``--slo-p99 1ms`` fails, a
generous one passes). Non-loopback brokers are refused before anything is sent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import typer
from typer.testing import CliRunner

from config.settings import Settings
from cuewire_dev.loadtest import loadtest_command
from cuewire_dev.servers import free_port
from flows.kafka_io import ensure_topics

pytestmark = pytest.mark.integration

ROOT = Path(__file__).parents[2]


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(loadtest_command)
    return app


@pytest.fixture
def flow_env(kafka_bootstrap: str, redis_url: str, unique: str) -> Iterator[dict[str, str]]:
    """CUEWIRE_* for unique topics, with ``cuewire run`` tailing them (metrics on)."""
    port = free_port()
    env = {
        "CUEWIRE_KAFKA_BOOTSTRAP": kafka_bootstrap, "CUEWIRE_REDIS_URL": redis_url,
        "CUEWIRE_REDIS_PREFIX": f"lt{unique}:", "CUEWIRE_KAFKA_PARTITIONS": "2",
        "CUEWIRE_METRICS_PORT": str(port),
        **{f"CUEWIRE_TOPIC_{k.upper()}": f"cuewire.{k}.{unique}"
           for k in ("events", "tickets", "accounts", "feedback", "alerts", "digest", "dlq")},
    }
    ensure_topics(Settings(**{k.removeprefix("CUEWIRE_").lower(): v  # type: ignore[arg-type]
                              for k, v in env.items()}))
    base = {k: v for k, v in os.environ.items() if not k.startswith("CUEWIRE_")}
    proc = subprocess.Popen([sys.executable, "-m", "cuewire", "run"], cwd=ROOT, env=base | env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1).read()
                break
            except OSError:
                time.sleep(0.3)
        yield env
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _loadtest(env: dict[str, str], tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    out = tmp_path / f"result-{len(list(tmp_path.iterdir()))}.json"
    result = CliRunner().invoke(
        _cli(),
        ["--rate", "150", "--duration", "3s", "--accounts", "30", "--ticket-share", "0.4",
         "--drain", "8s", "--out", str(out), *extra],
        env=env, catch_exceptions=False,
    )
    doc = orjson.loads(out.read_bytes()) if out.exists() else {}
    return result.exit_code, doc, result.output


def test_a_short_load_reports_sane_figures_and_the_slo_decides_the_exit(
    flow_env: dict[str, str], tmp_path: Path
) -> None:
    code, doc, output = _loadtest(flow_env, tmp_path, "--slo-p99", "1ms")
    assert code == 1, output
    assert doc["slo"] == {"p99_ms": 1.0, "met": False}
    produced = doc["produced"]
    assert produced["total_load"] == 450 and produced["setup"] == 30 + 30 * 3
    assert 0 < produced["tickets"] < produced["total_load"]
    assert doc["throughput"]["achieved_per_s"] > 100
    assert doc["alerts"]["received"] >= 1 and doc["alerts"]["with_latency"] >= 1
    lat = doc["latency_ms"]
    assert 0 < lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["max"] < 30_000
    assert doc["dlq"] == 0
    assert doc["lag"] and all(p["records"] >= 0 for p in doc["lag"])
    assert (tmp_path / "result-0.png").stat().st_size > 1000

    code, doc, output = _loadtest(flow_env, tmp_path, "--slo-p99", "60s", "--no-setup")
    assert code == 0, output
    assert doc["slo"]["met"] is True and doc["produced"]["setup"] == 0


def test_a_broker_that_is_not_on_this_machine_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        _cli(), ["--duration", "1s", "--out", str(tmp_path / "r.json")],
        env={"CUEWIRE_KAFKA_BOOTSTRAP": "192.0.2.10:9092"}, catch_exceptions=False,
    )
    assert result.exit_code == 2
    assert "not a loopback address" in result.output
    assert not (tmp_path / "r.json").exists()
