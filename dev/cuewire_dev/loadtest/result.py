"""The result document of a run, and how it is shown: a summary table and a PNG plot."""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from config.settings import Settings
from cuewire_dev.loadtest.options import LoadOptions
from cuewire_dev.loadtest.traffic import Traffic
from cuewire_dev.loadtest.watcher import Watcher


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..100) of unsorted ``values``.

    >>> percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50)
    3.0
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]



def result_document(settings: Settings, opts: LoadOptions, traffic: Traffic, w: Watcher,
            counts: dict[str, int], started_at: datetime, t0: float, produce_end: float) -> dict[str, Any]:
    lat = [x for _, x in w.latencies]
    pct = {f"p{q}": _ms(percentile(lat, q)) for q in (50, 90, 95, 99)}
    pct |= {"max": _ms(max(lat)) if lat else None, "mean": _ms(statistics.fmean(lat)) if lat else None,
            "count": len(lat)}
    sent = counts["events"] + counts["tickets"]
    produce_s = max(1e-9, produce_end - t0)
    buckets: dict[int, list[float]] = {}
    for arrived, x in w.latencies:
        buckets.setdefault(int(arrived - t0), []).append(x)
    over_time = [{"t": t, "n": len(v), "p50_ms": _ms(percentile(v, 50)), "p99_ms": _ms(percentile(v, 99))}
                 for t, v in sorted(buckets.items())]
    flow_rate = None
    during = [(t, r) for t, r in w.flow_read if t0 <= t <= produce_end + 1.0]
    if len(during) >= 2 and during[-1][0] > during[0][0]:
        flow_rate = (during[-1][1] - during[0][1]) / (during[-1][0] - during[0][0])
    slo_met = None
    if opts.slo_p99_ms is not None:
        slo_met = bool(lat) and (pct["p99"] or math.inf) <= opts.slo_p99_ms
    cfg = asdict(opts.traffic) | {"run_id": traffic.run}
    return {
        "tool": "cuewire loadtest",
        "started_at": started_at.isoformat(),
        "load_started_at": t0,
        "bootstrap": settings.kafka_bootstrap,
        "topics": {k: settings.topic(k) for k in ("events", "tickets", "accounts", "alerts", "dlq")},  # type: ignore[arg-type]
        "config": {"rate": opts.rate, "duration_s": opts.duration_s, "drain_s": opts.drain_s,
                   "setup": opts.setup, "slo_p99_ms": opts.slo_p99_ms, "traffic": cfg},
        "produced": counts | {"total_load": sent},
        "throughput": {"offered_per_s": opts.rate, "achieved_per_s": sent / produce_s,
                       "flow_read_per_s": flow_rate},
        "alerts": {"received": len(w.alert_ids), "with_latency": len(lat), "unmatched": w.unmatched},
        "latency_ms": pct,
        "latency_over_time": over_time,
        "lag": [{"t": round(t - t0, 2), "records": v} for t, v in w.lag],
        "max_lag_records": max((v for t, v in w.lag if t >= t0), default=None),
        "dlq": w.dlq,
        "errors": [w.error] if w.error else [],
        "slo": {"p99_ms": opts.slo_p99_ms, "met": slo_met},
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)



def write_plot(result: dict[str, Any], path: Path) -> None:
    """Latency percentiles per second and consumer lag over time, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    ot = result["latency_over_time"]
    ax1.plot([p["t"] for p in ot], [p["p50_ms"] for p in ot], label="p50")
    ax1.plot([p["t"] for p in ot], [p["p99_ms"] for p in ot], label="p99")
    slo = result["slo"]["p99_ms"]
    if slo:
        ax1.axhline(slo, color="red", linestyle="--", linewidth=1, label=f"SLO p99 {slo:g} ms")
    ax1.set_ylabel("event→alert (ms)")
    ax1.set_yscale("log")
    ax1.grid(True, which="both", alpha=0.3)
    ax1.legend(loc="upper left")
    cfg = result["config"]
    ax1.set_title(f"cuewire loadtest: {cfg['rate']:g} events/s offered for {cfg['duration_s']:g} s, "
                  f"{cfg['traffic']['accounts']} accounts, tickets {cfg['traffic']['ticket_share']:.0%}")
    lag = result["lag"]
    if lag:
        ax2.plot([p["t"] for p in lag], [p["records"] for p in lag], color="tab:purple")
    else:
        ax2.text(0.5, 0.5, "lag unavailable (flow metrics endpoint not reachable)",
                 ha="center", transform=ax2.transAxes)
    ax2.set_ylabel("consumer lag (records)")
    ax2.set_xlabel("seconds since the load started")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def summary_table(result: dict[str, Any]) -> Any:
    from rich.table import Table

    t = Table(title="cuewire loadtest", show_header=True)
    t.add_column("measure")
    t.add_column("value", justify="right")
    thr, lat = result["throughput"], result["latency_ms"]

    def fmt(v: float | None, unit: str = "") -> str:
        return "—" if v is None else f"{v:,.1f}{unit}"

    rows = [
        ("offered / achieved (events/s)", f"{thr['offered_per_s']:,.0f} / {thr['achieved_per_s']:,.0f}"),
        ("flow read rate (records/s)", fmt(thr["flow_read_per_s"])),
        ("records produced (load + setup)",
         f"{result['produced']['total_load']:,} + {result['produced']['setup']:,}"),
        ("tickets produced", f"{result['produced']['tickets']:,}"),
        ("alerts received (with latency)",
         f"{result['alerts']['received']:,} ({result['alerts']['with_latency']:,})"),
        ("event→alert p50 / p90", f"{fmt(lat['p50'], ' ms')} / {fmt(lat['p90'], ' ms')}"),
        ("event→alert p99 / max", f"{fmt(lat['p99'], ' ms')} / {fmt(lat['max'], ' ms')}"),
        ("max consumer lag (records)", fmt(result["max_lag_records"])),
        ("dead letters", str(result["dlq"])),
    ]
    slo = result["slo"]
    if slo["p99_ms"] is not None:
        rows.append((f"SLO p99 ≤ {slo['p99_ms']:g} ms", "[green]met[/]" if slo["met"] else "[red]MISSED[/]"))
    for r in rows:
        t.add_row(*r)
    return t
