"""``cuewire loadtest``: the command's options, progress output and exit status."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from cuewire_dev.loadtest.options import LoadOptions, parse_duration, parse_weights, require_loopback
from cuewire_dev.loadtest.result import summary_table, write_plot
from cuewire_dev.loadtest.run import run_loadtest
from cuewire_dev.loadtest.traffic import Traffic, TrafficConfig
from cuewire_dev.loadtest.vocabulary import DEFAULT_EVENT_MIX


def loadtest_command(
    rate: Annotated[float, typer.Option("--rate", help="offered load in records per second")] = 1000.0,
    duration: Annotated[str, typer.Option(
        "--duration", "-d", help="how long to offer the load: 30s, 2m …")] = "30s",
    accounts: Annotated[int, typer.Option(help="accounts in the simulated population")] = 1000,
    users_per_account: Annotated[int, typer.Option(help="users per account")] = 3,
    ticket_share: Annotated[float, typer.Option(
        help="share of records that are helpdesk tickets (0..1); the rest are Segment events")] = 0.10,
    event_mix: Annotated[str | None, typer.Option(
        help="relative weights of event kinds, e.g. 'pricing=20,cancel_terms=5'; kinds: "
        + ", ".join(DEFAULT_EVENT_MIX))] = None,
    zipf: Annotated[float, typer.Option(
        help="Zipf exponent of activity per account (higher: a few accounts dominate)")] = 1.1,
    slo_p99: Annotated[str | None, typer.Option(
        "--slo-p99", help="exit 1 when the p99 event→alert latency exceeds this (1s, 250ms)")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="JSON result file")] = Path("loadtest.json"),
    plot: Annotated[Path | None, typer.Option(
        help="PNG plot of latency percentiles and lag (default: next to --out)")] = None,
    setup: Annotated[bool, typer.Option(
        "--setup/--no-setup", help="produce account snapshots and group calls before the load")] = True,
    drain: Annotated[str, typer.Option(
        help="after the load, wait at most this long for the flow to catch up")] = "20s",
    metrics_url: Annotated[str | None, typer.Option(
        help="the flow's Prometheus endpoint, for lag and read rate "
        "(default http://127.0.0.1:$CUEWIRE_METRICS_PORT/metrics when that is set)")] = None,
    seed: Annotated[int, typer.Option(help="random seed of the traffic")] = 7,
) -> None:
    """Offer realistic traffic to a running flow and measure what comes out.

    Start the flow first (`cuewire run`, with CUEWIRE_METRICS_PORT set to see lag),
    then point this at the same CUEWIRE_* settings. It produces account snapshots
    and identities, then events and tickets (all helpdesk shapes) at --rate for
    --duration, reads the alert and dead-letter topics, and reports event→alert
    latency (produce time of the record that completed the evidence → alert
    arrival), throughput, consumer lag and dead letters. Writes a JSON result
    and a PNG plot. Exit status: 0, or 1 when --slo-p99 is missed (or no alert
    arrived to show it met), 2 on bad options. Only loopback brokers are accepted.
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from config.settings import load_settings
    from contracts.errors import CuewireError

    console = Console(stderr=True)
    try:
        settings = load_settings()
        opts = LoadOptions(
            rate=rate, duration_s=parse_duration(duration), drain_s=parse_duration(drain),
            setup=setup, slo_p99_ms=parse_duration(slo_p99) * 1000 if slo_p99 else None,
            metrics_url=metrics_url or (f"http://127.0.0.1:{settings.metrics_port}/metrics"
                                        if settings.metrics_port else None),
            traffic=TrafficConfig(accounts=accounts, users_per_account=users_per_account,
                                  ticket_share=ticket_share, zipf_s=zipf, seed=seed,
                                  event_mix=parse_weights(event_mix, DEFAULT_EVENT_MIX)),
        )
        Traffic(opts.traffic)  # validates the population before anything is produced
        require_loopback(settings.kafka_bootstrap.split(","), "Kafka bootstrap")
    except (ValueError, CuewireError) as exc:
        console.print(f"[red]cuewire loadtest: {exc}[/]")
        raise typer.Exit(2) from None

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[info]}"),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        task = bar.add_task("setup", total=int(opts.rate * opts.duration_s), info="")

        def show(s: dict[str, Any]) -> None:
            lag = "—" if s.get("lag") is None else f"{s['lag']:,.0f}"
            if s.get("phase") == "setup":
                bar.update(task, description="setup (flow applying accounts)", info=f"lag {lag}")
                return
            p99 = "—" if s.get("p99_ms") is None else f"{s['p99_ms']:,.0f} ms"
            bar.update(task, completed=s["sent"], description=s["phase"],
                       info=f"{s['sent'] / max(s['elapsed'], 1e-9):,.0f}/s  alerts {s['alerts']:,}  "
                            f"p99 {p99}  lag {lag}  dlq {s['dlq']}")

        result = run_loadtest(settings, opts, show)
    out.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    plot_path = plot or out.with_suffix(".png")
    write_plot(result, plot_path)
    console.print(summary_table(result))
    console.print(f"result: {out}   plot: {plot_path}")
    if opts.slo_p99_ms is not None and not result["slo"]["met"]:
        console.print(f"[red]SLO missed: p99 {result['latency_ms']['p99']} ms > {opts.slo_p99_ms:g} ms[/]")
        raise typer.Exit(1)
