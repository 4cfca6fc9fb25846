"""``--profile``: py-spy samples one full-flow throughput run; the hottest frames, self and
inclusive, with idle waits and imports left out."""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bench.harness import RESULTS, Bench


def profile(b: Bench, tag: str) -> dict[str, Any]:
    """py-spy over one full-flow throughput run: collapsed stacks, then self and inclusive tops."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        return {"error": "py-spy is not installed (pip install py-spy)"}
    raw = RESULTS / "profile-cuewire.txt"
    svg = RESULTS / "profile-cuewire.svg"
    topics = b.topics(tag)
    for fmt, dest in (("raw", raw), ("flamegraph", svg)):
        b.run("cuewire", topics, wrap=[spy, "record", "--format", fmt, "-o", str(dest), "-r", "200",
                                       "--subprocesses", "--"])
    return summarise_profile(raw)


def summarise_profile(raw: Path, top: int = 15) -> dict[str, Any]:
    self_t: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = [f for f in stack.split(";") if f and not f.startswith("process ")]
        # Idle time (waiting on Kafka/condvars in the engine's threads) is not work, and
        # imports are start-up (measured apart, as each variant's start-up + shutdown).
        if not frames or any(s in frames[-1] for s in ("(poll)", "(wait)", "(select)", "(sleep)")):
            continue
        if any("_find_and_load" in f for f in frames):
            continue
        total += n
        self_t[_frame(frames[-1])] += n
        for f in {_frame(f) for f in frames}:
            incl[f] += n
    pct = lambda c: round(100 * c / total, 1) if total else 0.0  # noqa: E731
    return {"samples": total,
            "self": [(f, pct(c)) for f, c in self_t.most_common(top)],
            "inclusive": [(f, pct(c)) for f, c in incl.most_common(top * 2)]}


def _frame(f: str) -> str:
    # "function (path/to/file.py:123)" -> "function (file.py)"
    name, _, where = f.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    return f"{name} ({'/'.join(Path(where).parts[-2:])})" if where else name
