"""``cuewire backtest``: the same history through two rules files, and what the change would do.

Each run is the embedded flow of ``cuewire replay`` (a private Redis, a fresh
one per run, so neither run sees the other's cooldowns, caps or ledger) with
the clock pinned a day before the history's first record, so governance
follows event time alone and the same input gives the same output every time.
The two runs share nothing, so on a machine with two cores they run at once,
each in a process of its own (``--jobs``).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from contracts.errors import ConfigurationError, CuewireError
from cuewire.backtest_progress import RunProgress
from cuewire.kafka_history import read_input_topics
from operators.measure_backtest import BacktestAlert, BacktestDiff, HeldBack, diff_runs
from operators.measure_records import parse_time

CLOCK_LEAD = timedelta(days=1)
"""The clock is pinned this far before the history's earliest record: the flow's
``max(clock, event time)`` is then event time, and every record is within the accepted
window of times around the clock."""
EVIDENCE_TEXT = 90
_TIME_PATHS = (("timestamp",), ("created_at",), ("updated_at",), ("at",), ("detail", "created_at"),
               ("ticket", "created_at"))


def _record_time(value: Any) -> datetime | None:
    for path in _TIME_PATHS:
        node = value
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        at = parse_time(node)
        if at is not None:
            return at
    return None


def history_span(history: Path) -> tuple[int, datetime | None]:
    """How many records ``history`` holds and the earliest time any of them names."""
    count, earliest = 0, None
    with history.open("rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            count += 1
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            at = _record_time(record.get("value")) if isinstance(record, dict) else None
            if at is not None and (earliest is None or at < earliest):
                earliest = at
    return count, earliest


def run_rules(settings: Any, rules: Path, history: Path, progress: RunProgress | None = None,
              ) -> tuple[list[dict[str, Any]], int]:
    """One isolated run of ``history`` under ``rules``: its alerts and digest records, and
    how many input lines it read. ``progress`` hears what is read and what comes out."""
    from cuewire.app import replay

    outputs: list[dict[str, Any]] = []

    def keep(batch: list[Any]) -> None:
        before = len(outputs)
        outputs.extend(orjson.loads(o.value) for o in batch if o.kind in ("alerts", "digest"))
        if progress is not None:
            progress.wrote(len(outputs) - before)

    lines, earliest = history_span(history)
    pinned = (earliest or datetime.now(UTC)) - CLOCK_LEAD
    # A backtest is one rules file per run: a shadow candidate in the environment is not its business.
    replay(settings.model_copy(update={"rules": rules, "shadow_rules": None}), history, keep,
           clock=lambda: pinned, on_read=progress)
    return outputs, lines


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def timed_run(settings: Any, label: str, rules: Path, history: Path, total: int,
              ) -> tuple[list[dict[str, Any]], int, float]:
    """:func:`run_rules` with its progress lines, and how long it took (seconds). A
    module-level function, so a process of its own can run it (``--jobs 2``)."""
    started = time.monotonic()
    with RunProgress(label, total, _say) as progress:
        outputs, lines = run_rules(settings, rules, history, progress)
    return outputs, lines, time.monotonic() - started


BYTES_PER_RECORD = 8_000
"""Peak memory of one run per history record, measured (a bounded run works its whole
history as one batch after the hand-off: 4.1 GB at 508,000 records)."""
BASE_BYTES = 400_000_000


def available_memory() -> int | None:
    """``MemAvailable`` (Linux), in bytes; ``None`` where it cannot be read."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def choose_jobs(records: int, cores: int, available: int | None) -> tuple[int, str | None]:
    """Both runs at once when there are two cores and memory for both; else one after the
    other, with the reason to print.

    >>> choose_jobs(100_000, 2, 16 * 2**30)
    (2, None)
    >>> choose_jobs(2_000_000, 2, 20 * 2**30)[0], choose_jobs(100_000, 1, None)[0]
    (1, 1)
    """
    if cores < 2:
        return 1, None
    need = 2 * (BASE_BYTES + BYTES_PER_RECORD * records)
    if available is not None and need > 0.8 * available:
        return 1, (f"one file after the other: both at once would need about {need / 2**30:.0f} GB, "
                   f"{available / 2**30:.0f} GB is free (--jobs 2 runs them at once anyway)")
    return 2, None


def run_both(settings: Any, rules: list[Path], history: Path, jobs: int,
             ) -> list[tuple[list[dict[str, Any]], int, float]]:
    """Both files' runs, each in a process of its own: with ``jobs=2`` at the same time
    (twice the memory; the runs share nothing, so the diff is the same), else one after
    the other, the first run's memory going back to the system before the second starts
    (within one process the allocator keeps most of it: 17.8 GB peak for two runs of a
    2-million-record month that each need about 16)."""
    total, _ = history_span(history)
    # spawn: a fork of a process that may have threads (the progress ticker, librdkafka)
    # can deadlock; each run starts its own interpreter, model and redis-server.
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, 2)), mp_context=get_context("spawn"),
                             max_tasks_per_child=1) as pool:
        futures = [pool.submit(timed_run, settings, label, path, history, total)
                   for label, path in zip("AB", rules, strict=True)]
        return [f.result() for f in futures]


def _evidence_lines(alert: BacktestAlert) -> Iterator[str]:
    for item in alert.data.get("evidence") or []:
        if not isinstance(item, dict):
            continue
        text = " ".join(str(item.get("text") or "").split())
        if len(text) > EVIDENCE_TEXT:
            text = text[:EVIDENCE_TEXT - 1] + "…"
        yield f"      {item.get('kind', '?')} {item.get('id', '?')} at {item.get('at', '?')}" + (
            f": {text}" if text else "")


def _alert_line(alert: BacktestAlert) -> str:
    score = alert.data.get("score")
    return (f"  {alert.rule:<26} {alert.account_id:<14} {alert.priority:<8}"
            f"{'' if score is None else f' score {score}'}  {alert.alert_id}")


def _held_line(h: HeldBack) -> str:
    return f"  {h.outcome:<10} {h.why:<22} {h.rule:<26} {h.account_id:<14} {h.alert_id}"


def diff_lines(diff: BacktestDiff, name_a: str, name_b: str) -> list[str]:
    """The diff as text: counts first, then each alert with its evidence."""
    lines = [f"A = {name_a}: {diff.alerts_a} alerts;  B = {name_b}: {diff.alerts_b} alerts",
             f"only in A: {len(diff.only_a)}   only in B: {len(diff.only_b)}   "
             f"priority changed: {len(diff.reprioritised)}"]
    if diff.unchanged:
        return [*lines, "", "no difference: both files raise the same alerts and hold back the same"]
    for title, alerts in (("Only in A (the change removes these)", diff.only_a),
                          ("Only in B (the change adds these)", diff.only_b)):
        if alerts:
            lines += ["", f"{title}:"]
            for alert in alerts:
                lines.append(_alert_line(alert))
                lines += _evidence_lines(alert)
    if diff.reprioritised:
        lines += ["", "Priority changed (A → B):"]
        for c in diff.reprioritised:
            lines.append(f"{_alert_line(c.alert)}  ({c.priority_a} → {c.priority_b})")
            lines += _evidence_lines(c.alert)
    moves = diff.held_moves()
    if moves:
        lines += ["", "Governance decisions that moved (only in A / only in B):"]
        lines += [f"  {outcome:<10} {why:<22} {a:>5} / {b}" for (outcome, why), (a, b) in moves.items()]
        for title, held in (("held back only in A", diff.held_only_a),
                            ("held back only in B", diff.held_only_b)):
            if held:
                lines += [f" {title}:"] + [_held_line(h) for h in held]
    return lines


def backtest_command(
    history: Annotated[Path | None, typer.Argument(
        exists=True, dir_okay=False, readable=True,
        help="replay file (JSON lines of {\"topic\": …, \"value\": {…}}); omit with --from-kafka")] = None,
    rules: Annotated[list[Path] | None, typer.Option(
        "--rules", exists=True, dir_okay=False, readable=True,
        help="a rules file; give exactly two: --rules A.yaml --rules B.yaml")] = None,
    from_kafka: Annotated[bool, typer.Option(
        "--from-kafka", help="replay the input topics' retained history (CUEWIRE_KAFKA_BOOTSTRAP, "
                             "CUEWIRE_TOPIC_*) instead of a file")] = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, max=2, show_default="2 on two cores or more when memory allows both",
        help="2: run both files at once, a process each (twice the memory: about 8 kB per history "
             "record each); 1: one after the other")] = None,
) -> None:
    """What would a rules change do? Replays history through two rules files and prints the diff.

    Alerts only in A (the change removes them), only in B (it adds them), alerts
    whose priority changed, each with its evidence; then the suppressions,
    deferrals (daily cap hits) and holdouts that moved. Each run is isolated and
    deterministic: no Kafka or Redis is written, the same input gives the same diff.

    Example: `cuewire backtest --rules config/rules.yaml --rules candidate.yaml history.jsonl`.
    """
    from config.rules import load_rules
    from config.settings import load_settings

    say = _say
    if not rules or len(rules) != 2:
        raise typer.BadParameter("give exactly two rules files: --rules A.yaml --rules B.yaml",
                                 param_hint="--rules")
    if (history is None) == (not from_kafka):
        raise typer.BadParameter("give a history file or --from-kafka (one of them)")
    try:
        for path in rules:
            load_rules(path)  # a bad file fails here, before a long run
        settings = load_settings()
        with tempfile.TemporaryDirectory(prefix="cuewire-backtest-") as tmp:
            if history is None:
                history = Path(tmp) / "history.jsonl"
                say(f"backtest: reading the input topics' retained history from {settings.kafka_bootstrap} …")
                say(f"backtest: {read_input_topics(settings, history):,} records")
            if jobs is None:
                jobs, why = choose_jobs(history_span(history)[0], os.cpu_count() or 1, available_memory())
                if why:
                    say(f"backtest: {why}")
            runs = []
            for label, path, (outputs, lines, seconds) in zip(
                    "AB", rules, run_both(settings, rules, history, jobs), strict=True):
                say(f"backtest: {label} = {path}: {lines:,} records in {seconds:.1f} s "
                    f"({lines / max(seconds, 1e-9):,.0f} records/s)")
                runs.append(outputs)
    except ConfigurationError as exc:
        typer.secho(f"cuewire: configuration error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    except CuewireError as exc:
        typer.secho(f"cuewire: error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    for line in diff_lines(diff_runs(runs[0], runs[1]), str(rules[0]), str(rules[1])):
        typer.echo(line)
