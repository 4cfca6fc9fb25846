"""``cuewire report --plot DIR``: the report's figures as PNGs, for people who would rather look.

Three pictures: alert volume per rule per day (staged and held out), precision
per rule over 28 days with its Wilson interval, and each holdout rule's
bad-outcome rate per arm with its interval.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from operators.measure_lift import Lift
from operators.measure_precision import RulePrecision
from operators.measure_records import RaisedAlert
from operators.measure_stats import wilson_interval


class PlottingUnavailable(RuntimeError):
    """matplotlib is not installed (it comes with the tools extra)."""


def _pyplot():  # type: ignore[no-untyped-def]
    try:
        import matplotlib
    except ImportError:
        raise PlottingUnavailable("cuewire report --plot draws with matplotlib from the tools extra: "
                                  "pip install 'cuewire[tools]'") from None

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_volume(alerts: Sequence[RaisedAlert], now: datetime, path: Path, days: int = 28) -> Path:
    plt = _pyplot()
    since = (now - timedelta(days=days)).date()
    dates = [since + timedelta(days=i) for i in range(days + 1)]
    staged: dict[str, Counter[date]] = {}
    held: Counter[date] = Counter()
    for a in alerts:
        day = a.at.date()
        if since <= day <= now.date():
            if a.holdout:
                held[day] += 1
            else:
                staged.setdefault(a.rule, Counter())[day] += 1
    fig, ax = plt.subplots(figsize=(10, 4.5))
    bottom = [0] * len(dates)
    for rule, counts in sorted(staged.items()):
        heights = [counts[d] for d in dates]
        ax.bar(dates, heights, bottom=bottom, label=rule, width=0.8)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    if held:
        ax.bar(dates, [held[d] for d in dates], bottom=bottom, label="held out (all rules)",
               width=0.8, color="lightgrey", hatch="//", edgecolor="grey")
    ax.set_title(f"Alerts per day, last {days} days")
    ax.set_ylabel("alerts")
    ax.legend(fontsize=8, loc="upper left")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_precision(rows: Sequence[RulePrecision], path: Path) -> Path:
    plt = _pyplot()
    rows = [r for r in rows if r.reviewed]
    fig, ax = plt.subplots(figsize=(8, 0.6 * max(len(rows), 2) + 1.5))
    labels = [f"{r.rule} ({r.rule_version}{'/' + r.variant if r.variant else ''}, {r.window.days}d, "
              f"n={r.reviewed})" for r in rows]
    values = [r.precision or 0.0 for r in rows]
    errors = [[v - r.low for v, r in zip(values, rows, strict=True)],
              [r.high - v for v, r in zip(values, rows, strict=True)]]
    ax.errorbar(values, range(len(rows)), xerr=errors, fmt="o", capsize=4)
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("precision (useful / reviewed), 95% Wilson interval")
    ax.set_title("Precision per rule" if rows else "Precision per rule: no reviewed alerts yet")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_lift(lifts: Sequence[Lift], path: Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 0.9 * max(len(lifts), 1) + 1.6))
    labelled: set[str] = set()
    for i, x in enumerate(lifts):
        for offset, (label, bad, n, colour) in enumerate(
                (("held out", x.held_out_bad, x.held_out, "grey"),
                 ("treated", x.treated_bad, x.treated, "tab:blue"))):
            if not n:
                continue
            low, high = wilson_interval(bad, n)
            rate = bad / n
            ax.errorbar([rate], [i + 0.2 * offset - 0.1], xerr=[[rate - low], [high - rate]], fmt="o",
                        capsize=4, color=colour, label=None if label in labelled else label)
            labelled.add(label)
    ax.set_yticks(range(len(lifts)), [f"{x.rule}\n{x.held_out} vs {x.treated} accounts" for x in lifts],
                  fontsize=8)
    ax.set_ylim(-0.6, max(len(lifts), 1) - 0.4)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of accounts with a bad outcome in the horizon, 95% interval")
    ax.set_title("Holdout: bad outcomes per arm" if lifts else "Holdout: no rule has a control group")
    if labelled:
        ax.legend(fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_plots(directory: Path, alerts: Sequence[RaisedAlert], rows: Sequence[RulePrecision],
                lifts: Sequence[Lift], now: datetime) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    return [plot_volume(alerts, now, directory / "volume.png"),
            plot_precision(rows, directory / "precision.png"),
            plot_lift(lifts, directory / "lift.png")]
