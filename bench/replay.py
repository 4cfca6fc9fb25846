"""``python -m bench.replay``: how fast ``cuewire replay`` (the embedded mode backtests use)
goes over the benchmark's generated traffic, by where its state lives.

Writes the history once (account snapshots and identities, then events and
10 % tickets over 30 days, as ``bench.backtest`` does), then replays it
``--repeats`` times per store, interleaved: ``server`` (a private redis-server
on a unix socket, what ``cuewire replay`` uses when one is installed) and
``fakeredis`` (in-process, its fallback). Records/s count from the first
record read to the end of the flow; start-up (the model, the server) is
reported apart. Every store must publish the same outputs. Results:
``bench/results/replay.json``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from bench.backtest import write_history
from bench.harness import machine, save

STORES = ("server", "fakeredis")


def replay_once(history: Path, store: str) -> dict[str, Any]:
    """One replay of ``history``: seconds from the first record read to the flow's end."""
    from config.settings import Settings
    from cuewire.app import replay
    from cuewire.backtest_cmd import history_span
    from flows import replay_io

    _, earliest = history_span(history)
    pinned = earliest or datetime.now(UTC)
    first: list[float] = []
    read = replay_io.read_replay_file

    def timed(path: Path) -> Any:
        for incoming in read(path):
            if not first:
                first.append(time.perf_counter())
            yield incoming

    outputs: list[bytes] = []
    started = time.perf_counter()
    replay_io.read_replay_file = timed  # type: ignore[assignment]
    try:
        replay(Settings(), history, lambda batch: outputs.extend(o.value for o in batch),
               clock=lambda: pinned, store=store)
    finally:
        replay_io.read_replay_file = read  # type: ignore[assignment]
    ended = time.perf_counter()
    return {"store": store, "seconds": ended - first[0], "startup_s": first[0] - started,
            "outputs": len(outputs), "alert_digest": hash(tuple(sorted(outputs)))}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.replay", description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=30_000, help="events and tickets in the history")
    ap.add_argument("--accounts", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--stores", default=",".join(STORES), help="comma-separated: server, fakeredis")
    ap.add_argument("--history", type=Path, default=None,
                    help="replay this file (written first if it does not exist) instead of a temporary one")
    ap.add_argument("--name", default="replay", help="results file (bench/results/NAME.json)")
    args = ap.parse_args(argv)
    stores = [s for s in args.stores.split(",") if s]
    at_start = machine()
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        history = args.history or Path(tmp) / "history.jsonl"
        if not history.exists():
            write_history(history, args.records, args.accounts)
        total = sum(1 for line in history.open("rb") if line.strip())
        runs: dict[str, list[dict[str, Any]]] = {s: [] for s in stores}
        for rep in range(args.repeats):
            for store in stores:
                r = replay_once(history, store)
                runs[store].append(r)
                print(f"{store:9} run {rep + 1}: {total / r['seconds']:8,.0f} records/s "
                      f"({r['seconds']:.2f} s, start-up {r['startup_s']:.2f} s, {r['outputs']} outputs)",
                      flush=True)
    digests = {r["alert_digest"] for rs in runs.values() for r in rs}
    if len(digests) > 1:
        print("the stores published different outputs", file=sys.stderr)
        return 1
    med = {s: statistics.median(total / r["seconds"] for r in rs) for s, rs in runs.items()}
    doc = {"records": total, "repeats": args.repeats, "median_per_s": med,
           "runs_per_s": {s: [total / r["seconds"] for r in rs] for s, rs in runs.items()},
           "startup_s": {s: statistics.median(r["startup_s"] for r in rs) for s, rs in runs.items()},
           "machine": at_start}
    save(args.name, doc)
    print(orjson.dumps({"records": total, "median_per_s": med}).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
