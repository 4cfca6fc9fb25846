"""Throughput from a backlog: every variant reads the same input from its start to its end.

(a) a bare confluent-kafka loop, (b) the Bytewax passthrough, (c) the full flow
with one worker, ``-w 2`` and two processes; interleaved round by round after
one discarded warm-up round, so a machine that drifts moves all of them alike.
The passthrough is timed from its first to its last record (the engine's rate,
not its start-up); the flow and the bare loop from the moment their process
has finished importing to their exit, start-up included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.harness import ROOT, Bench, console, median

PLAN = {  # name: (runner variant, workers per process, processes)
    "a_bare": ("bare", 1, 1),
    "b_passthrough": ("passthrough", 1, 1),
    "c_cuewire": ("cuewire", 1, 1),
    "c_cuewire_w2": ("cuewire", 2, 1),
    "c_cuewire_2proc": ("cuewire", 1, 2),
}


def flow_variants(specs: list[str]) -> dict[str, dict[str, str]]:
    """``LABEL:KEY=VALUE[,KEY=VALUE…]`` → {``c_LABEL``: environment}: the full flow again,
    one worker, with other settings, interleaved with the rest (a lever measured against
    the flow without it in the same rounds). The key ``TREE`` names another checkout whose
    code runs instead (``git archive COMMIT | tar -x -C DIR``): before and after, same rounds."""
    found: dict[str, dict[str, str]] = {}
    for spec in specs:
        label, sep, assignments = spec.partition(":")
        pairs = [a.partition("=") for a in assignments.split(",") if a]
        if not sep or not label.isidentifier() or not pairs or any(not eq for _k, eq, _v in pairs):
            raise ValueError(f"--flow-env {spec!r}: expected LABEL:KEY=VALUE[,KEY=VALUE…]")
        found[f"c_{label}"] = {k: v for k, _eq, v in pairs}
        tree = found[f"c_{label}"].get("TREE")
        if tree is not None and not (Path(tree) / "bench" / "runner.py").exists():
            raise ValueError(f"--flow-env {spec!r}: {tree} holds no bench/runner.py")
    return found


def throughput(b: Bench, tag: str, n: int, repeats: int, only: tuple[str, ...] = tuple(PLAN),
               more: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    """Records/s of each variant in ``only`` (keys of :data:`PLAN`) and of each full-flow
    variant in ``more`` (name → environment), ``repeats`` rounds."""
    topics = b.topics(tag)
    out = f"bench.passthrough-out.{tag}"
    b.create(b.settings(topics, "unused:"), [out])
    more = more or {}
    plan = [(name, *PLAN[name], {}) for name in PLAN if name in only]
    plan += [(name, "cuewire", 1, 1, env) for name, env in more.items()]

    def run(variant: str, on: dict[str, str], workers: int, procs: int, env: dict[str, str]) -> Any:
        tree = env.get("TREE")
        return b.run(variant, on, out_topic=out, workers=workers, processes=procs,
                     extra_env={k: v for k, v in env.items() if k != "TREE"},
                     tree=Path(tree) if tree else ROOT)
    runs: dict[str, list[float]] = {name: [] for name, *_ in plan}
    whole: dict[str, list[float]] = {name: [] for name, *_ in plan}
    cpu: dict[str, list[float]] = {name: [] for name, *_ in plan}
    trips: list[dict[str, list[float]]] = []
    # One discarded round first: the first read of the input warms the broker's page cache.
    for name, variant, workers, procs, env in plan:
        with console.status(f"warm-up: {name}"):
            run(variant, topics, workers, procs, env)
    for rep in range(repeats):
        for name, variant, workers, procs, env in plan:
            with console.status(f"throughput {rep + 1}/{repeats}: {name} over {n:,} records"):
                r = run(variant, topics, workers, procs, env)
            # Both the engine and the flow from their first to their last record; the bare
            # loop (no engine) by its whole run.
            seconds = r["first_to_last_s"] if r["first_to_last_s"] else r["seconds"]
            if variant != "bare" and r["records"] != n:
                raise RuntimeError(f"the {variant} run saw {r['records']:,} of {n:,} records")
            runs[name].append(n / seconds)
            whole[name].append(n / r["seconds"])
            cpu[name].append(r["cpu_s"])
            if name == "c_cuewire":
                trips.append(r["round_trips"])
            console.print(f"  {name:16} run {rep + 1}: {n / seconds:9,.0f} records/s "
                          f"({seconds:.2f} s; whole process {r['seconds']:.2f} s, CPU {r['cpu_s']:.1f} s)")
    # Start-up and shutdown cost of each variant, over empty input topics.
    empty = b.topics(f"{tag}-empty")
    b.create(b.settings(empty, "unused:"), [out])
    overhead = {}
    for name, variant, workers, procs, env in plan:
        if procs == 1 and workers == 1:
            overhead[name] = run(variant, empty, workers, procs, env)["seconds"]
    med = {k: median(v) for k, v in runs.items()}
    return {
        "records": n, "repeats": repeats, "runs_per_s": runs, "median_per_s": med,
        "whole_process_per_s": whole,
        "cpu_s": cpu,
        "median_cpu_s": {k: median(v) for k, v in cpu.items()},
        "passthrough_timed": "first to last record",
        "flow_timed": "first decoded batch to last ledger claim",
        "flow_variants_env": more,
        **ratios(runs),
        "ratio_over_c": {name: median(runs[name]) / median(runs["c_cuewire"])
                         for name in more if runs.get("c_cuewire")},
        "startup_overhead_s": overhead,
        "redis_round_trips": round_trip_summary(trips),
    }


def ratios(runs: dict[str, list[float]]) -> dict[str, float | None]:
    """Ratios of medians, and for the flow against the passthrough also the median of the
    round-by-round ratios (each pair ran back to back, under the same load)."""
    med = {k: median(v) for k, v in runs.items()}

    def over(a: str, b: str) -> float | None:
        return med[a] / med[b] if a in med and b in med else None

    paired = ([c / b for c, b in zip(runs["c_cuewire"], runs["b_passthrough"], strict=True)]
              if "c_cuewire" in runs and "b_passthrough" in runs else [])
    return {"ratio_c_over_b": over("c_cuewire", "b_passthrough"),
            "ratio_c_over_b_paired": median(paired) if paired else None,
            "ratio_c_over_a": over("c_cuewire", "a_bare"),
            "ratio_w2_over_w1": over("c_cuewire_w2", "c_cuewire"),
            "ratio_2proc_over_1": over("c_cuewire_2proc", "c_cuewire")}


def round_trip_summary(runs: list[dict[str, list[float]]]) -> dict[str, Any]:
    """Redis round trips of the one-worker runs: per call of each batch step, and all steps'
    round trips per input batch (a call of ``resolve-accounts``), as medians over the runs."""
    per_input: list[float] = []
    per_step: dict[str, list[float]] = {}
    for run in runs:
        batches = run.get("resolve-accounts", [0.0, 0.0])[1]
        if batches:
            per_input.append(sum(trips for trips, _ in run.values()) / batches)
        for step, (trips, calls) in run.items():
            if calls:
                per_step.setdefault(step, []).append(trips / calls)
    return {"per_input_batch": median(per_input) if per_input else None,
            "per_step_call": {step: median(v) for step, v in sorted(per_step.items())}}
