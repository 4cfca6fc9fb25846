"""Markdown tables from ``bench/results/*.json``: ``python -m bench.report`` (for BENCHMARKS.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson

RESULTS = Path(__file__).resolve().parent / "results"


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return orjson.loads(path.read_bytes()) if path.exists() else None


def markdown(name: str = "throughput") -> str:
    lines: list[str] = []
    tp = _load(name)
    if tp:
        m = tp["machine"]
        load = ", ".join(f"{x:.2f}" for x in m.get("loadavg_at_start", []))
        lines += [f"Input: {tp['input']['total']:,} records {tp['input']['by_topic']}; "
                  f"{tp['repeats']} runs each after one warm-up; {m['cpus']} CPUs ({m['cpu']}), "
                  f"load average at start {load}.", "",
                  "| variant | median records/s | runs | start-up + shutdown |", "|---|---:|---|---:|"]
        labels = {"a_bare": "(a) bare confluent-kafka loop",
                  "b_passthrough": "(b) Bytewax passthrough, " + tp.get(
                      "passthrough_timed", "whole process (start-up included)"),
                  "c_cuewire": "(c) full flow, 1 worker, " + tp.get(
                      "flow_timed", "whole process (start-up included)"),
                  "c_cuewire_w2": "(c) full flow, `-w 2`",
                  "c_cuewire_2proc": "(c) full flow, 2 processes `-i/-a`"}
        for key, label in labels.items():
            if key not in tp["median_per_s"]:
                continue
            runs = ", ".join(f"{x:,.0f}" for x in tp["runs_per_s"][key])
            over = tp["startup_overhead_s"].get(key)
            lines.append(f"| {label} | {tp['median_per_s'][key]:,.0f} | {runs} | "
                         f"{'' if over is None else f'{over:.1f} s'} |")
        for key, env in tp.get("flow_variants_env", {}).items():
            shown = " ".join(f"`{k}={v}`" for k, v in env.items())
            runs = ", ".join(f"{x:,.0f}" for x in tp["runs_per_s"][key])
            lines.append(f"| (c) full flow, 1 worker, {shown} | {tp['median_per_s'][key]:,.0f} | {runs} | |")
        lines += ["", "| ratio (medians, same run) | value |", "|---|---:|"]
        for key, ratio in (tp.get("ratio_over_c") or {}).items():
            lines.append(f"| {key} / c | {ratio:.2f}× |")
        for key, label, fmt in (("ratio_c_over_b", "c / b (full flow / passthrough)", "{:.1%}"),
                                ("ratio_c_over_b_paired", "c / b, median of round-by-round ratios",
                                 "{:.1%}"),
                                ("ratio_c_over_a", "c / a (full flow / bare loop)", "{:.1%}"),
                                ("ratio_w2_over_w1", "`-w 2` / 1 worker", "{:.2f}×"),
                                ("ratio_2proc_over_1", "2 processes / 1", "{:.2f}×")):
            if tp.get(key) is not None:
                lines.append(f"| {label} | {fmt.format(tp[key])} |")
        lines.append("")
        trips = tp.get("redis_round_trips") or {}
        if trips.get("per_input_batch") is not None:
            lines += [f"Redis round trips, one worker: {trips['per_input_batch']:.1f} per input batch "
                      "(all steps, per call of `resolve-accounts`); per call of each step: "
                      + ", ".join(f"`{step}` {v:.2f}" for step, v in trips["per_step_call"].items())
                      + ".", ""]
    lat_rows = []
    for path in sorted(RESULTS.glob("latency-*.json")):
        r = orjson.loads(path.read_bytes())
        lat, thr = r["latency_ms"], r["throughput"]
        lat_rows.append(
            f"| {r['config']['rate']:,.0f} | {thr['achieved_per_s']:,.0f} | "
            f"{thr['flow_read_per_s'] or 0:,.0f} | {lat['p50']} | {lat['p99']} | {lat['max']} | "
            f"{lat['count']} | {r['max_lag_records'] or 0:,.0f} | {r['dlq']} |")
    if lat_rows:
        lines += ["| offered/s | produced/s | flow read/s | p50 ms | p99 ms | max ms | alerts | "
                  "max lag | DLQ |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|", *lat_rows, ""]
    soak = _load("soak")
    if soak:
        rss = [s["rss_bytes"] for s in soak["samples"]]
        red = [s["redis_used_memory"] for s in soak["samples"]]
        lines += [f"Soak: {soak['rate']:,.0f}/s for {soak['seconds']:.0f} s over {soak['accounts']:,} "
                  f"accounts; RSS {min(rss) / 2**20:.0f}–{max(rss) / 2**20:.0f} MiB, Redis "
                  f"{min(red) / 2**20:.0f}–{max(red) / 2**20:.0f} MiB; spread after the first two "
                  f"minutes: RSS {(soak['rss_spread_after_2min'] or 0):.1%}, Redis "
                  f"{(soak['redis_spread_after_2min'] or 0):.1%}; dead letters {soak['dlq']}.", ""]
    prof = _load("profile")
    if prof and prof.get("self"):
        lines += [f"Profile ({prof['samples']} py-spy samples of busy Python threads):", "",
                  "| self time | function |", "|---:|---|"]
        lines += [f"| {p}% | `{f}` |" for f, p in prof["self"][:12]]
        lines += ["", "| inclusive | function |", "|---:|---|"]
        lines += [f"| {p}% | `{f}` |" for f, p in prof["inclusive"][:25]]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(markdown(*sys.argv[1:2]) + "\n")
