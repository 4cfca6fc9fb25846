"""``python -m bench.state``: what the flow keeps in Redis per input record, by key family.

Starts its own Kafka and Redis, produces the throughput benchmark's input, runs
the full flow over it once, then sums ``MEMORY USAGE`` over the run's keys,
grouped by the segment after the key prefix (``win``, ``timers``, ``id``, …;
``state/keys.py`` names them). Prints a table and writes
``bench/results/state.json``.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections import Counter

import redis
from rich.table import Table

from bench.harness import bench_servers, console, produce_input, save


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.state", description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=60_000, help="events and tickets in the input")
    args = ap.parse_args(argv)
    with bench_servers() as b:
        tag = uuid.uuid4().hex[:6]
        with console.status(f"producing the input ({args.records:,} events and tickets)"):
            inp = produce_input(b, tag, accounts=2000, records=args.records, seed=1)
        with console.status("running the full flow over it"):
            b.run("cuewire", b.topics(tag))
        client = redis.Redis.from_url(b.redis_url)
        sizes: Counter[str] = Counter()
        keys: Counter[str] = Counter()
        for key in client.scan_iter(count=1000):
            parts = key.decode().split(":")
            family = parts[1] if len(parts) > 1 else parts[0]
            sizes[family] += int(client.memory_usage(key) or 0)
            keys[family] += 1
    total = sum(sizes.values())
    doc = {"records": inp["total"], "bytes_total": total,
           "by_family": {f: {"keys": keys[f], "bytes": sizes[f], "bytes_per_record": sizes[f] / inp["total"]}
                         for f, _ in sizes.most_common()}}
    save("state", doc)
    table = Table(title=f"Redis state after one run over {inp['total']:,} records")
    for col in ("key family", "keys", "bytes", "share", "bytes per record"):
        table.add_column(col, justify="left" if col == "key family" else "right")
    for family, size in sizes.most_common():
        table.add_row(family, f"{keys[family]:,}", f"{size:,}", f"{size / total:.0%}",
                      f"{size / inp['total']:.0f}")
    table.add_row("all", f"{sum(keys.values()):,}", f"{total:,}", "100%", f"{total / inp['total']:.0f}")
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
