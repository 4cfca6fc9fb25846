"""``cuewire report``: per-rule precision and volume, and holdout lift, from topics or files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from config.rules import parse_duration
from cuewire.measure_input import Measured, read_files, read_kafka
from operators.measure_lift import DEFAULT_HORIZON, MIN_ARM, Lift, holdout_lift, verdict_text
from operators.measure_precision import RulePrecision, precision_report
from operators.measure_shadow import ShadowRow, compare_shadow


def _pct(value: float | None) -> str:
    return "   -" if value is None else f"{value * 100:4.0f}%"


def precision_lines(rows: Sequence[RulePrecision]) -> list[str]:
    """The precision table as text lines."""
    if not rows:
        return ["no staged alerts in the last 28 days"]
    lines = [f"{'rule':<26} {'version':<10} {'window':>6} {'alerts':>6} {'reviewed':>8} "
             f"{'useful':>6} {'dismissed':>9} {'false':>5} {'precision':>9}  95% interval"]
    for r in rows:
        interval = f"{r.low * 100:.0f}-{r.high * 100:.0f}%" if r.reviewed else "no reviews yet"
        version = f"{r.rule_version}/{r.variant}" if r.variant else r.rule_version
        lines.append(f"{r.rule:<26} {version:<10} {r.window.days:>5}d {r.alerts:>6} "
                     f"{r.reviewed:>8} {r.useful:>6} {r.not_useful:>9} {r.false_signal:>5} "
                     f"{_pct(r.precision):>9}  {interval}")
    return lines


def _rate(bad: int, n: int) -> str:
    return f"{bad / n * 100:3.0f}%" if n else "   -"


def lift_lines(lifts: Sequence[Lift], horizon: timedelta) -> list[str]:
    """The holdout table as text lines: both arms, the lift, and what it allows one to say."""
    if not lifts:
        return ["no rule has held-out alerts (set `holdout: 10%` on a rule to start a control group)"]
    lines = [f"{'rule':<26} {'held out':>8} {'bad':>5} {'treated':>7} {'bad':>5} {'lift':>6}  "
             f"95% interval     verdict"]
    for x in lifts:
        d = x.difference
        lift = f"{d.estimate * 100:+5.1f}" if d else "    -"
        interval = f"{d.low * 100:+.1f} to {d.high * 100:+.1f}" if d else "-"
        lines.append(f"{x.rule:<26} {x.held_out:>8} {_rate(x.held_out_bad, x.held_out):>5} "
                     f"{x.treated:>7} {_rate(x.treated_bad, x.treated):>5} {lift:>6}  "
                     f"{interval:<16} {verdict_text(x)}")
    lines.append(f"(accounts whose {horizon.days}-day horizon has ended; bad = churned, deleted, "
                 "MRR down or renewal lapsed; lift = control rate − treated rate, in points)")
    return lines


def shadow_lines(rows: Sequence[ShadowRow]) -> list[str]:
    """The shadow comparison as text lines."""
    if not rows:
        return ["no live or shadow alerts to compare"]
    lines = [f"{'rule':<26} {'live':>5} {'shadow':>6} {'both':>5} {'only live':>9} {'only shadow':>11}  "
             "precision of live alerts the candidate keeps / drops"]
    for r in rows:
        kept, dropped = r.kept_useful + r.kept_not_useful, r.dropped_useful + r.dropped_not_useful
        lines.append(f"{r.rule:<26} {r.live:>5} {r.shadow:>6} {r.both:>5} {r.only_live:>9} "
                     f"{r.only_shadow:>11}  {_share(r.kept_useful, kept)} of {kept} / "
                     f"{_share(r.dropped_useful, dropped)} of {dropped}")
    lines.append("(alerts only the candidate raised were never reviewed: promoting it would find out)")
    return lines


def _share(useful: int, n: int) -> str:
    return f"{useful / n * 100:.0f}%" if n else "-"


def report_lines(measured: Measured, now: datetime, *, horizon: timedelta = DEFAULT_HORIZON,
                 min_arm: int = MIN_ARM, shadow: bool = False) -> list[str]:
    lines = [f"as of {now.isoformat().replace('+00:00', 'Z')}: {len(measured.alerts)} alerts "
             f"({sum(a.holdout for a in measured.alerts)} held out), {len(measured.decisions)} "
             f"decisions, {len(measured.accounts)} account records", "",
             "Precision per rule (useful = approved, sent, converted or saved; "
             "not useful = dismissed)"]
    lines += precision_lines(precision_report(measured.alerts, measured.decisions, now=now))
    lines += ["", "Holdout lift per rule"]
    lines += lift_lines(holdout_lift(measured.alerts, measured.decisions, measured.accounts, now=now,
                                     horizon=horizon, min_arm=min_arm), horizon)
    if shadow:
        lines += ["", f"Shadow rules: {len(measured.shadow)} shadow alerts beside the live ones"]
        lines += shadow_lines(compare_shadow(measured.alerts, measured.shadow, measured.decisions))
    return lines


def report_command(
    files: Annotated[list[Path] | None, typer.Argument(
        exists=True, dir_okay=False, readable=True,
        help="JSON lines of alerts, digest, feedback and account records (e.g. `cuewire replay "
             "--include alerts,digest` output and the replay input); omit with --from-kafka")] = None,
    from_kafka: Annotated[bool, typer.Option(
        "--from-kafka", help="read the alerts, digest, feedback and accounts topics to their end "
                             "(CUEWIRE_KAFKA_BOOTSTRAP, CUEWIRE_TOPIC_*)")] = False,
    now: Annotated[str | None, typer.Option(
        help="measure as of this RFC 3339 time instead of now (reproducible reports)")] = None,
    horizon: Annotated[str, typer.Option(
        help="how long after an account's first alert its outcomes count (lift): 30d, 8w …")] = "30d",
    min_arm: Annotated[int, typer.Option(
        "--min-arm", min=1, help="fewest accounts in each arm before lift is worth a verdict")] = MIN_ARM,
    shadow: Annotated[bool, typer.Option(
        "--shadow", help="compare with a candidate rules file's alerts: cuewire.alerts.shadow with "
                         "--from-kafka, records wrapped as {\"topic\": \"alerts.shadow\"} in files")] = False,
    plot: Annotated[Path | None, typer.Option(
        "--plot", file_okay=False, help="also write volume.png, precision.png and lift.png here")] = None,
) -> None:
    """How well each rule's alerts do: precision and volume over 7 and 28 days, with intervals.

    Reads alerts and reviewers' decisions and joins them on alert id. Precision
    counts each reviewed alert once, by its latest useful or not-useful decision.
    For rules with a holdout, compares the control group's bad outcomes
    (churned, CRM record deleted, MRR down, renewal lapsed) with the treated
    accounts' over --horizon, and says when the sample is too small to conclude.

    Examples: `cuewire report --from-kafka`; offline,
    `cuewire replay in.jsonl --include alerts,digest -o out.jsonl && cuewire report out.jsonl in.jsonl`.
    """
    write: Callable[[str], None] = typer.echo
    as_of = _as_of(now)
    try:
        span = parse_duration(horizon)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--horizon") from None
    if not files and not from_kafka:
        raise typer.BadParameter("give JSON-lines files to read, or --from-kafka")
    measured = Measured()
    if from_kafka:
        from config.settings import load_settings

        read_kafka(load_settings(), measured, shadow=shadow)
    read_files(files or [], measured)
    for line in report_lines(measured, as_of, horizon=span, min_arm=min_arm, shadow=shadow):
        write(line)
    if plot is not None:
        from cuewire.report_plot import PlottingUnavailable, write_plots

        rows = precision_report(measured.alerts, measured.decisions, now=as_of)
        lifts = holdout_lift(measured.alerts, measured.decisions, measured.accounts, now=as_of,
                             horizon=span, min_arm=min_arm)
        try:
            written = write_plots(plot, measured.alerts, rows, lifts, as_of)
        except PlottingUnavailable as exc:
            typer.secho(f"cuewire: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from None
        for path in written:
            typer.echo(f"wrote {path}", err=True)
    if measured.skipped:
        typer.echo(f"({measured.skipped} records were neither alerts, decisions nor accounts: skipped)",
                   err=True)


def _as_of(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an RFC 3339 time such as 2026-11-20T10:00:00Z",
                                 param_hint="--now") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)

