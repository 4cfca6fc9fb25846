"""``python -m bench.hot_calls``: small hot functions timed over a replay's own calls, per checkout.

A lever on a function that takes 1 or 2 % of a replay cannot be seen in the whole
replay's CPU on a shared machine (it moves by more than that between identical runs).
So this replays a history once (``bench.stage_cpu``'s input), recording the arguments of
each function in :data:`HOT` as the flow called it, then times each checkout's version of
the function over exactly those calls, in order, checkouts interleaved, and prints the
thread CPU of each (fastest and median of ``--repeats``: the load only ever adds) and whether every checkout
returned the same results. Module-level caches (``_ISO`` …) are emptied before each
timing, so a cache is credited only with what one replay's calls give it::

    git archive <commit> | tar -x -C /tmp/before
    python -m bench.hot_calls H --checkouts /tmp/before,.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

HOT = (("contracts/wire_types.py", "contracts.wire_types", "parse_time"),
       ("operators/sanitise.py", "operators.sanitise", "plain_tree"),
       ("operators/records.py", "operators.records", "iso"),
       ("operators/records.py", "operators.records", "iso_minutes"),
       ("operators/render_match.py", "operators.render_match", "_describe_signal"))
"""(file, module, function): one argument each, as the flow calls them."""
RECURSIVE = frozenset({"plain_tree"})
"""Functions whose calls from their own module are part of an outer call (not recorded)."""
CACHES = ("_ISO", "_ISO_MINUTES")


def record_calls(history: Path) -> dict[str, list[Any]]:
    """Each :data:`HOT` function's arguments over one replay of ``history``, in call order."""
    load_replay_modules()
    calls: dict[str, list[Any]] = {}
    for _, module, name in HOT:
        original = getattr(importlib.import_module(module), name)
        seen = calls.setdefault(name, [])

        def recording(arg: Any, _original: Callable[[Any], Any] = original, _seen: list[Any] = seen) -> Any:
            _seen.append(arg)
            return _original(arg)

        patch_everywhere(original, recording, skip=module if name in RECURSIVE else None)
    replay_once(history)
    return calls


def load_replay_modules() -> None:
    """Import what a replay runs before patching: a module imported later would bind the
    original function, and its calls would go unrecorded."""
    for module in ("config.settings", "cuewire.app", "cuewire.backtest_cmd"):
        importlib.import_module(module)


def patch_everywhere(original: Callable[..., Any], replacement: Callable[..., Any],
                     skip: str | None = None) -> None:
    """Bind ``replacement`` wherever the project's modules hold ``original`` (but in ``skip``):
    every module that imported the function by name calls it through its own global."""
    for loaded in list(sys.modules.values()):
        if not _is_ours(loaded) or (skip is not None and getattr(loaded, "__name__", "") == skip):
            continue
        for attr, value in list(vars(loaded).items()):
            if value is original:
                setattr(loaded, attr, replacement)


def replay_once(history: Path) -> None:
    """One ``cuewire replay`` of ``history`` on a private redis-server, its clock pinned to
    the history's start so every run makes the same calls."""
    from config.settings import Settings
    from cuewire.app import replay
    from cuewire.backtest_cmd import history_span

    _, earliest = history_span(history)
    pinned = earliest or datetime.now(UTC)
    replay(Settings(), history, lambda batch: None, clock=lambda: pinned, store="server")


def _is_ours(module: ModuleType | None) -> bool:
    name = getattr(module, "__name__", "") or ""
    return name.split(".")[0] in {"operators", "contracts", "flows", "state", "cuewire"}


def load(checkout: Path, file: str, tag: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_hot_{tag}_{Path(file).stem}", checkout / file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while they are made
    spec.loader.exec_module(module)
    return module


def time_calls(module: ModuleType, name: str, args: list[Any]) -> tuple[float, list[Any]]:
    for cache in CACHES:
        if isinstance(getattr(module, cache, None), dict):
            getattr(module, cache).clear()
    fn = getattr(module, name)
    started = time.thread_time()
    out = [fn(a) for a in args]
    return time.thread_time() - started, out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.hot_calls", description=__doc__.split("\n\n")[0])
    ap.add_argument("history", type=Path, help="the replay input (written first if it does not exist)")
    ap.add_argument("--checkouts", required=True, help="comma-separated checkout directories to compare")
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args(argv)
    if not args.history.exists():
        from bench.backtest import write_history
        write_history(args.history, 30_000, 2000)
    checkouts = [Path(c).resolve() for c in args.checkouts.split(",") if c]
    calls = record_calls(args.history)
    for file, _, name in HOT:
        modules = [load(c, file, str(i)) for i, c in enumerate(checkouts)]
        if not all(hasattr(m, name) for m in modules):
            print(f"{name}: not in every checkout")
            continue
        spent: list[list[float]] = [[] for _ in modules]
        results: list[list[Any]] = [[] for _ in modules]
        for _ in range(args.repeats):
            for i, m in enumerate(modules):
                seconds, results[i] = time_calls(m, name, calls[name])
                spent[i].append(seconds)
        same = all(r == results[0] for r in results)
        figures = ", ".join(f"{c.name or c}: {min(s):.3f} s (median {statistics.median(s):.3f})"
                            for c, s in zip(checkouts, spent, strict=True))
        print(f"{name}: {len(calls[name]):,} calls; {figures}; same results: {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
