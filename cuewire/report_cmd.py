"""``cuewire report``: per-rule precision and volume, and holdout lift, from topics or files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from cuewire.measure_input import Measured, read_files, read_kafka
from operators.measure_precision import RulePrecision, precision_report


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
        lines.append(f"{r.rule:<26} {r.rule_version:<10} {r.window.days:>5}d {r.alerts:>6} "
                     f"{r.reviewed:>8} {r.useful:>6} {r.not_useful:>9} {r.false_signal:>5} "
                     f"{_pct(r.precision):>9}  {interval}")
    return lines


def report_lines(measured: Measured, now: datetime) -> list[str]:
    lines = [f"as of {now.isoformat().replace('+00:00', 'Z')}: {len(measured.alerts)} alerts "
             f"({sum(a.holdout for a in measured.alerts)} held out), {len(measured.decisions)} "
             f"decisions, {len(measured.accounts)} account records", "",
             "Precision per rule (useful = approved, sent, converted or saved; "
             "not useful = dismissed)"]
    lines += precision_lines(precision_report(measured.alerts, measured.decisions, now=now))
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
) -> None:
    """How well each rule's alerts do: precision and volume over 7 and 28 days, with intervals.

    Reads alerts and reviewers' decisions and joins them on alert id. Precision
    counts each reviewed alert once, by its latest useful or not-useful decision.

    Examples: `cuewire report --from-kafka`; offline,
    `cuewire replay in.jsonl --include alerts,digest -o out.jsonl && cuewire report out.jsonl in.jsonl`.
    """
    write: Callable[[str], None] = typer.echo
    as_of = _as_of(now)
    if not files and not from_kafka:
        raise typer.BadParameter("give JSON-lines files to read, or --from-kafka")
    measured = Measured()
    if from_kafka:
        from config.settings import load_settings

        read_kafka(load_settings(), measured)
    read_files(files or [], measured)
    for line in report_lines(measured, as_of):
        write(line)
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

