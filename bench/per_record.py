"""``python -m bench.per_record``: the flow's per-record calls timed over one replay's own calls.

Replays a history once (``bench.stage_cpu``'s input), recording the arguments of each
function in :data:`CALLS` as the flow called it, then times this checkout's version of
each function over exactly those calls, in order, ``--repeats`` times, and prints the
thread CPU of each (median and fastest: the load only ever adds) and a digest of what the
calls returned. Unlike ``bench.hot_calls`` it runs one checkout per process, so methods
and caches on shared classes (a rule's ``Condition``) are this checkout's own; to compare
two commits run each checkout in turn, alternating::

    for t in /tmp/before /tmp/after; do (cd $t && PYTHONPATH=$t:$t/dev python -m bench.per_record H); done
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.hot_calls import load_replay_modules, patch_everywhere, replay_once

CALLS = (("operators.normalise_event", "normalise_event", "normalise_event"),
         ("operators.versions", "with_version", "with_version"),
         ("operators.match", "timers_for", "timers_for"),
         ("operators.decode", "_decode_account", "account snapshot decode"))
"""(module, function, label): each called as the flow calls it, positional and keyword arguments."""


def record_calls(history: Path) -> dict[str, list[tuple[tuple[Any, ...], dict[str, Any]]]]:
    """Each :data:`CALLS` function's arguments over one replay of ``history``, in call order."""
    load_replay_modules()
    for module, _, _ in CALLS:
        importlib.import_module(module)
    importlib.import_module("flows.pipeline")
    calls: dict[str, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {}
    for module, name, _ in CALLS:
        original = getattr(sys.modules[module], name)
        seen = calls.setdefault(name, [])

        def recording(*args: Any, _original: Callable[..., Any] = original,
                      _seen: list[Any] = seen, **kwargs: Any) -> Any:
            _seen.append((args, kwargs))
            return _original(*args, **kwargs)

        patch_everywhere(original, recording)
    replay_once(history)
    return calls


def time_calls(fn: Callable[..., Any], calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
               ) -> tuple[float, list[Any]]:
    out = []
    started = time.thread_time()
    for args, kwargs in calls:
        try:
            out.append(fn(*args, **kwargs))
        except Exception as exc:  # a poison record's reason is a result too
            out.append(f"{type(exc).__name__}: {exc}")
    return time.thread_time() - started, out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.per_record", description=__doc__.split("\n\n")[0])
    ap.add_argument("history", type=Path, help="the replay input (written first if it does not exist)")
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args(argv)
    if not args.history.exists():
        from bench.backtest import write_history
        write_history(args.history, 30_000, 2000)
    originals = {name: getattr(importlib.import_module(module), name) for module, name, _ in CALLS}
    calls = record_calls(args.history)
    for _, name, label in CALLS:
        spent: list[float] = []
        results: list[Any] = []
        for _ in range(args.repeats):
            seconds, results = time_calls(originals[name], calls[name])
            spent.append(seconds)
        n = max(len(calls[name]), 1)
        digest = hashlib.sha256(repr(results).encode()).hexdigest()[:16]
        print(f"{label}: {len(calls[name]):,} calls, median {statistics.median(spent) * 1e3:.1f} ms "
              f"({statistics.median(spent) / n * 1e6:.2f} µs a call), fastest {min(spent) * 1e3:.1f} ms; "
              f"results digest {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
