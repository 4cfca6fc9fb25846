"""``python -m bench.ingest``: the CPU of the flow's first half outside the engine.

Reads a replay history (``bench.backtest``'s traffic; written first when the file
does not exist), then times, in this process and against a private redis-server:
reading the file and ``ingest.decode`` (``Decoder.decode_batch``) a batch of ``--batch``
records at a time, ``resolve-accounts`` (``AccountJoin.resolve``) in the same batches,
with the redis-server's own CPU beside it, and ticket scoring.
Prints CPU seconds per stage and a digest of what each produced (accounts, how they
were found, scores), so two checkouts can be compared on the same file:
``PYTHONPATH=DIR python -m bench.ingest --history H`` for each, in turn.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def run_once(history: Path, batch: int) -> tuple[dict[str, float], str]:
    from config.settings import Settings
    from cuewire.app import collect_garbage_less_often, make_parts
    from cuewire.backtest_cmd import history_span
    from flows.replay_io import read_replay_file
    from operators.reattach import Unattached
    from operators.records import Ticket
    from state.private_redis import find_redis_server, private_redis

    server = find_redis_server()
    if server is None:
        raise SystemExit("bench.ingest needs redis-server (apt-get install redis-server)")
    _, earliest = history_span(history)
    cpu: dict[str, float] = {}

    def timed(stage: str, fn: Callable[[], T]) -> T:
        started = time.process_time()
        out = fn()
        cpu[stage] = cpu.get(stage, 0.0) + time.process_time() - started
        return out

    with private_redis(*server) as client:
        parts = make_parts(Settings(), client, lambda: earliest)  # type: ignore[arg-type,return-value]
        collect_garbage_less_often()
        decoder: Any = parts.decoder
        decode = getattr(decoder, "decode_batch", None) or (lambda b: [decoder.decode(x) for x in b])
        # Read and decoded a batch at a time, as the replay's source hands them on: what a
        # batch's reading leaves behind is decoded while it is still fresh.
        lines = read_replay_file(history)
        decoded = []
        while chunk := timed("read", lambda: list(itertools.islice(lines, batch))):
            decoded.append(timed("decode", lambda b=chunk: decode(b)))
        waiting: Unattached[Any] = Unattached(int(parts.join.reattach_window.total_seconds() * 1000),
                                              50_000, None)
        server_before = _server_cpu(client)
        located = [timed("resolve", lambda b=[d for d in ds if d.record is not None]:
                         parts.join.resolve(b, waiting)) for ds in decoded]
        cpu["resolve (redis-server)"] = _server_cpu(client) - server_before
        tickets = [x for xs in located for x in xs
                   if x.failure is None and isinstance(x.resolved.record, Ticket)]
        scored = timed("score", lambda: [parts.tickets.score(x) for x in tickets])
    digest = hashlib.sha256()
    for xs in located:
        for x in xs:
            digest.update(repr((x.resolved.account_id, x.resolved.how, x.coords.offset)).encode())
    for s in scored:
        digest.update(repr(s.score).encode())
    return cpu, digest.hexdigest()[:12]


def _server_cpu(client: Any) -> float:
    """The redis-server's own CPU seconds so far (its ``INFO cpu``)."""
    info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.split("\n\n")[0])
    ap.add_argument("--history", type=Path, required=True, help="a replay file (written if missing)")
    ap.add_argument("--records", type=int, default=20_000, help="events and tickets, when writing it")
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    if not args.history.exists():
        from bench.backtest import write_history
        write_history(args.history, args.records, 2000)
    runs = []
    for rep in range(args.repeats):
        cpu, digest = run_once(args.history, args.batch)
        runs.append(cpu)
        print(f"run {rep + 1}: " + " ".join(f"{k} {v:.3f} s" for k, v in cpu.items())
              + f"; total {sum(cpu.values()):.3f} s CPU (redis-server's included); outputs {digest}",
              flush=True)
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print("median: " + " ".join(f"{k} {v:.3f} s" for k, v in med.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
