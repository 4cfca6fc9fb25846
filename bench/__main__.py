"""``make bench`` / ``python -m bench``: throughput, scale-out, latency and (optionally) a soak.

Everything runs against one Kafka broker and one Redis started here on
loopback, over one generated input (accounts, identities, Segment events and
10 % tickets in every helpdesk shape), in one run, so the ratios compare like
with like:

1. throughput (``bench/throughput.py``): (a) bare confluent-kafka loop, (b) Bytewax
   passthrough, timed from its first to its last record, (c) the full flow, each
   ``--repeats`` times, interleaved; medians, c/b and c/a;
2. scale-out: the full flow with ``-w 2`` and with two processes (``-i/-a``);
3. event→alert latency (``bench/live.py``): ``cuewire run`` tailing its topics while
   ``cuewire loadtest`` offers a fixed rate;
4. ``--soak``: ten minutes at a fixed rate over 100,000 accounts, sampling the
   flow's RSS and Redis ``used_memory``;
5. ``--profile`` (``bench/pyspy.py``): py-spy samples one full-flow throughput run.

Each measured run is a process of its own (``bench.runner``). Results:
``bench/results/<name>.json``; a table is printed at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from statistics import median
from typing import Any

from rich.table import Table

from bench.harness import RESULTS, bench_servers, console, machine, produce_input, save
from bench.live import latency, soak
from bench.pyspy import profile
from bench.throughput import PLAN, flow_variants, throughput


def table(tp: dict[str, Any], lats: list[dict[str, Any]], soak_doc: dict[str, Any] | None) -> Table:
    t = Table(title="cuewire benchmarks (medians; one broker, one input, one run)")
    t.add_column("measure")
    t.add_column("median", justify="right")
    t.add_column("runs", justify="right")
    labels = {"a_bare": "(a) bare confluent-kafka loop",
              "b_passthrough": "(b) Bytewax passthrough, first to last record",
              "c_cuewire": "(c) full cuewire flow, 1 worker, first to last record",
              "c_cuewire_w2": "(c) full flow, -w 2", "c_cuewire_2proc": "(c) full flow, 2 processes"}
    for k, label in labels.items():
        if k in tp["median_per_s"]:
            t.add_row(f"{label} (records/s)", f"{tp['median_per_s'][k]:,.0f}",
                      ", ".join(f"{x:,.0f}" for x in tp["runs_per_s"][k]))
        if k == "c_cuewire" and k in tp.get("whole_process_per_s", {}):
            whole = tp["whole_process_per_s"][k]
            t.add_row("(c) the same, whole process with start-up (records/s)",
                      f"{median(whole):,.0f}", ", ".join(f"{x:,.0f}" for x in whole))
    for k in tp.get("flow_variants_env", {}):
        env = " ".join(f"{key}={v}" for key, v in tp["flow_variants_env"][k].items())
        t.add_row(f"(c) full flow, {env} (records/s)", f"{tp['median_per_s'][k]:,.0f}",
                  ", ".join(f"{x:,.0f}" for x in tp["runs_per_s"][k]))
        if k in tp["ratio_over_c"]:  # only when c_cuewire ran too
            t.add_row(f"{k} / c", f"{tp['ratio_over_c'][k]:.2f}×", "")
        if tp.get("median_cpu_s", {}).get(k) is not None:
            t.add_row(f"{k} CPU (s)", f"{tp['median_cpu_s'][k]:.1f}",
                      ", ".join(f"{x:.1f}" for x in tp["cpu_s"][k]))
    for key, label, fmt in (("ratio_c_over_b", "c / b", "{:.1%}"),
                            ("ratio_c_over_b_paired", "c / b, round by round", "{:.1%}"),
                            ("ratio_c_over_a", "c / a", "{:.1%}"),
                            ("ratio_w2_over_w1", "-w 2 / 1 worker", "{:.2f}×"),
                            ("ratio_2proc_over_1", "2 processes / 1", "{:.2f}×")):
        if tp.get(key) is not None:
            t.add_row(label, fmt.format(tp[key]), "")
    trips = tp.get("redis_round_trips") or {}
    if trips.get("per_input_batch") is not None:
        t.add_row("Redis round trips per input batch (1 worker)", f"{trips['per_input_batch']:.1f}",
                  ", ".join(f"{step} {v:.2f}" for step, v in trips["per_step_call"].items()))
    for r in lats:
        lat = r["latency_ms"]
        t.add_row(f"event→alert at {r['config']['rate']:,.0f}/s offered: p50 / p99 (ms)",
                  f"{lat['p50']} / {lat['p99']}",
                  f"{lat['count']} alerts, read {r['throughput']['flow_read_per_s'] or 0:,.0f}/s, "
                  f"max lag {r['max_lag_records'] or 0:,.0f}")
    if soak_doc:
        t.add_row("soak RSS / Redis spread after 2 min",
                  f"{(soak_doc['rss_spread_after_2min'] or 0):.1%} / "
                  f"{(soak_doc['redis_spread_after_2min'] or 0):.1%}", f"dlq {soak_doc['dlq']}")
    return t


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller input, fewer repeats, short latency runs")
    ap.add_argument("--soak", action="store_true", help="also run the 10-minute soak (100,000 accounts)")
    ap.add_argument("--soak-only", action="store_true",
                    help="run only the soak (keeps the other results from an earlier run)")
    ap.add_argument("--soak-rate", type=float, default=2000.0)
    ap.add_argument("--soak-seconds", type=float, default=600.0)
    ap.add_argument("--profile", action="store_true", help="also profile one full-flow run with py-spy")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--records", type=int, default=None, help="events and tickets in the shared input")
    ap.add_argument("--variants", default=",".join(PLAN),
                    help="throughput variants to run, comma-separated (default: all); e.g. "
                         "b_passthrough,c_cuewire for the flow against the engine alone")
    ap.add_argument("--flow-env", action="append", default=[], metavar="LABEL:KEY=VALUE[,…]",
                    help="also run the full flow (1 worker) with this environment, as variant "
                         "c_LABEL, interleaved with the others; repeatable")
    ap.add_argument("--latency-rates", default="5000,1000",
                    help="offered rates of the latency runs (\"\" for none)")
    ap.add_argument("--latency-seconds", type=float, default=None)
    ap.add_argument("--name", default="throughput",
                    help="results file of the throughput part (bench/results/NAME.json)")
    args = ap.parse_args(argv)
    only = tuple(v.strip() for v in args.variants.split(",") if v.strip())
    unknown = sorted(set(only) - set(PLAN))
    if unknown:
        ap.error(f"unknown variant(s) {', '.join(unknown)}; choose from {', '.join(PLAN)}")
    try:
        more = flow_variants(args.flow_env)
    except ValueError as exc:
        ap.error(str(exc))
    repeats = args.repeats or 3
    records = args.records or (20_000 if args.quick else 60_000)
    lat_s = args.latency_seconds or (10.0 if args.quick else 30.0)
    started = time.monotonic()
    # Before any server starts: the load the bench started under, not the load it made.
    at_start = machine()
    with bench_servers() as b:
        if args.soak_only:
            soak_doc = soak(b, args.soak_rate, args.soak_seconds, 100_000)
            console.print(f"soak: RSS spread after 2 min {soak_doc['rss_spread_after_2min']}, "
                          f"Redis {soak_doc['redis_spread_after_2min']}, dlq {soak_doc['dlq']}")
            return 0
        tag = uuid.uuid4().hex[:6]
        with console.status(f"producing the shared input ({records:,} events and tickets)"):
            inp = produce_input(b, tag, accounts=2000, records=records, seed=1)
        console.print(f"input: {inp['total']:,} records {inp['by_topic']}")
        tp = throughput(b, tag, inp["total"], repeats, only, more) | {
            "input": inp, "machine": at_start | {"loadavg_at_end": os.getloadavg()}}
        save(args.name, tp)
        lats = [latency(b, float(r), lat_s, 2000) for r in args.latency_rates.split(",") if r]
        soak_doc = soak(b, args.soak_rate, args.soak_seconds, 100_000) if args.soak else None
        if args.profile:
            with console.status("profiling one full-flow run with py-spy"):
                prof = profile(b, tag)
            save("profile", prof)
            console.print(f"profile: {prof.get('samples')} samples; hottest (self): "
                          + "; ".join(f"{f} {p}%" for f, p in prof.get("self", [])[:5]))
    console.print(table(tp, lats, soak_doc))
    console.print(f"results in {RESULTS}; {time.monotonic() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
