"""``python -m bench.stage_cpu``: where a ``cuewire replay`` spends its CPU, stage by stage.

Replays a history once (written first if the file does not exist, as ``bench.replay``
writes it) and prints the thread CPU time spent in decode, ``resolve-accounts``, ticket
scoring, the rule side's batch steps (``match-patterns``, ``govern``, the ledger's claim
and confirm) and in the whole flow, the private redis-server's CPU (work a script moves
there is not free), and a digest of every output record: two checkouts that print the
same digest published the same records. Thread CPU, not wall time: on a shared machine the load
moves wall time several-fold between runs, CPU time far less. To compare two
commits, run each checkout in turn (``PYTHONPATH=<checkout>``), several times.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

STEPS = (("flows.stages.ingest", "Decoder", "decode_batch", "decode"),
         ("flows.table_join", "AccountJoin", "resolve", "resolve"),
         ("flows.stages.tickets", "TicketSteps", "score", "scoring"),
         ("flows.stages.patterns", "PatternEngine", "match_patterns", "patterns"),
         ("flows.stages.govern", "Governor", "govern", "govern"),
         ("flows.stages.publish", "Publisher", "claim", "publish"),
         ("flows.stages.publish", "Publisher", "published", "publish"))
RULE_SIDE = frozenset({"patterns", "govern", "publish"})


def _timed(spent: dict[str, float], label: str, method: Callable[..., Any]) -> Callable[..., Any]:
    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return method(self, *args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.thread_time() - started
    return timed


def _children_cpu() -> float:
    """CPU of the child processes waited for (the replay's redis-server, once it stopped)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.stage_cpu", description=__doc__.split("\n\n")[0])
    ap.add_argument("history", type=Path, help="the replay input (written first if it does not exist)")
    ap.add_argument("--records", type=int, default=20_000, help="events and tickets, when writing it")
    ap.add_argument("--accounts", type=int, default=2000)
    args = ap.parse_args(argv)
    import importlib

    from bench.backtest import write_history
    from config.settings import Settings
    from cuewire.app import replay
    from cuewire.backtest_cmd import history_span

    if not args.history.exists():
        write_history(args.history, args.records, args.accounts)
    spent: dict[str, float] = {}
    for module, cls, name, label in STEPS:
        owner = getattr(importlib.import_module(module), cls)
        setattr(owner, name, _timed(spent, label, getattr(owner, name)))
    _, earliest = history_span(args.history)
    pinned = earliest or datetime.now(UTC)
    outputs: list[tuple[str, bytes]] = []
    started = time.thread_time()
    server_before = _children_cpu()
    replay(Settings(), args.history, lambda batch: outputs.extend((o.kind, o.value) for o in batch),
           clock=lambda: pinned, store="server")
    digest = hashlib.sha256()
    for kind, value in sorted(outputs):
        digest.update(kind.encode() + b"\0" + value + b"\n")
    rule_side = sum(v for k, v in spent.items() if k in RULE_SIDE)
    print(f"thread CPU {time.thread_time() - started:.2f} s (start-up included); "
          + ", ".join(f"{k} {v:.2f} s" for k, v in sorted(spent.items()))
          + f"; rule side {rule_side:.2f} s; redis-server {_children_cpu() - server_before:.2f} s; "
          f"{len(outputs)} outputs, "
          f"digest {digest.hexdigest()[:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
