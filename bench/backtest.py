"""``python -m bench.backtest``: how fast ``cuewire backtest`` replays a month of history.

Writes the benchmark's generated traffic (account snapshots and identities,
then events and 10 % tickets, event times spread evenly over 30 days) to a
replay file, then backtests the shipped rules against a copy whose frustration
gate lets a ticket alone alert from score 70 instead of 80. Prints records/s
per run, its CPU seconds and the process's peak RSS so far (the first run's peak,
then the larger of both), and the diff's counts; writes ``bench/results/backtest.json``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from bench.harness import save
from config.rules import DEFAULT_RULES
from config.settings import Settings
from cuewire.backtest_cmd import run_rules
from cuewire_dev.loadtest import Traffic, TrafficConfig
from operators.measure_backtest import diff_runs

START = datetime(2026, 10, 1, tzinfo=UTC)


def write_history(path: Path, records: int, accounts: int) -> int:
    traffic = Traffic(TrafficConfig(accounts=accounts, seed=3, run_id="backtest"))
    step = timedelta(days=30) / max(records, 1)
    written = 0
    with path.open("wb") as fh:
        def write(kind: str, value: bytes) -> None:
            fh.write(b'{"topic":"' + kind.encode() + b'","value":' + value + b"}\n")

        for kind, _key, value, _ in traffic.setup_records():
            write(kind, value)
            written += 1
        for i in range(records):
            kind, _key, value, _ = traffic.next_record(START + step * i)
            write(kind, value)
            written += 1
    return written


def cpu_seconds() -> float:
    """This process's user and system CPU time (the private redis-server's is its own)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.backtest", description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000, help="events and tickets in the history")
    ap.add_argument("--accounts", type=int, default=2000)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-backtest-") as tmp:
        history = Path(tmp) / "history.jsonl"
        total = write_history(history, args.records, args.accounts)
        looser = Path(tmp) / "looser.yaml"
        looser.write_text(DEFAULT_RULES.read_text().replace("score_alone: 80", "score_alone: 70"))
        runs, seconds, cpu, peak_mb = [], [], [], []
        for rules in (DEFAULT_RULES, looser):
            started, cpu_started = time.monotonic(), cpu_seconds()
            out, _ = run_rules(Settings(), rules, history)
            seconds.append(time.monotonic() - started)
            cpu.append(cpu_seconds() - cpu_started)
            peak_mb.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # (kB on Linux)
            runs.append(out)
            print(f"{rules.name}: {total:,} records in {seconds[-1]:.1f} s "
                  f"({total / seconds[-1]:,.0f} records/s), {cpu[-1]:.1f} CPU-s, "
                  f"peak RSS so far {peak_mb[-1]:,.0f} MB", flush=True)
    diff = diff_runs(*runs)
    doc = {"records": total, "seconds": seconds, "records_per_s": [total / s for s in seconds],
           "cpu_seconds": cpu, "peak_rss_mb": peak_mb,
           "alerts": [diff.alerts_a, diff.alerts_b], "only_a": len(diff.only_a),
           "only_b": len(diff.only_b), "reprioritised": len(diff.reprioritised),
           "at": datetime.now(UTC).isoformat()}
    print(orjson.dumps(doc).decode())
    save("backtest", doc)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
