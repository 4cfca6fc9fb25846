"""The ``cuewire`` command: run the flow, replay a file, and the tools around them."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from contracts.errors import ConfigurationError, CuewireError, DependencyDown
from cuewire.dev_commands import installed_dev_commands, register_dev_commands

app = typer.Typer(
    name="cuewire",
    help=(
        "Joins product events and helpdesk tickets per account, scores and gates them, and "
        "publishes staged, explainable customer-success alerts.\n\n"
        "Settings come from CUEWIRE_* environment variables (see README): "
        "CUEWIRE_KAFKA_BOOTSTRAP, CUEWIRE_REDIS_URL, CUEWIRE_RULES, CUEWIRE_TOPIC_*."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _settings():  # type: ignore[no-untyped-def]
    from config.settings import load_settings

    return load_settings()


def _log_to_stderr() -> None:
    """One line per log record on stderr (librdkafka's, rate-limited, among them)."""
    import logging

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="cuewire: %(name)s: %(message)s")


def _fail(exc: CuewireError) -> None:
    kind = {
        ConfigurationError: "configuration error",
        DependencyDown: "dependency down",
    }.get(type(exc), "error")
    typer.secho(f"cuewire: {kind}: {exc}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2 if isinstance(exc, ConfigurationError) else 1)


@app.command()
def run(
    workers: Annotated[int, typer.Option("-w", "--workers", help="worker threads in this process")] = 1,
    process_id: Annotated[int | None, typer.Option(
        "-i", "--process-id", help="this process's index among --addresses (scale-out)")] = None,
    addresses: Annotated[str | None, typer.Option(
        "-a", "--addresses", help="host:port of every process, ';'-separated, same order everywhere")] = None,
    recovery_dir: Annotated[Path | None, typer.Option(
        "-r", "--recovery-dir",
        help="Bytewax recovery store: resume from the last snapshot instead of re-reading topics")] = None,
    exit_at_end: Annotated[bool, typer.Option(
        "--exit-at-end", help="stop once every input partition has been read to its current end")] = False,
    epoch_seconds: Annotated[float, typer.Option(
        "--epoch-seconds", min=0.1,
        help="how often Bytewax closes an epoch: snapshots recovery state, flushes the producers "
             "and confirms alert ids in the ledger")] = 10.0,
) -> None:
    """Run the flow between Kafka and Redis until interrupted.

    Scale out with Kafka partitions and processes: on two machines (or ports),
    `cuewire run -i 0 -a "h1:2101;h2:2101"` and `cuewire run -i 1 -a "h1:2101;h2:2101"`.
    Without --recovery-dir a restart re-reads the input topics from
    CUEWIRE_KAFKA_START_FROM; idempotency keys and the alert ledger make that safe.

    CUEWIRE_SHADOW_RULES=candidate.yaml runs a candidate rules file beside the live
    one on the same records: its alerts go to cuewire.alerts.shadow, never to
    cuewire.alerts; `cuewire report --from-kafka --shadow` compares the two.
    """
    from cuewire.app import run_kafka

    _log_to_stderr()
    try:
        run_kafka(_settings(), workers=workers, process_id=process_id,
                  addresses=addresses.split(";") if addresses else None, recovery_dir=recovery_dir,
                  exit_at_end=exit_at_end, epoch_seconds=epoch_seconds)
    except CuewireError as exc:
        _fail(exc)


@app.command()
def replay(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                         help="JSON lines of {\"topic\": …, \"value\": {…}}")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="write here instead of stdout")] = None,
    include: Annotated[str, typer.Option(
        help="which outputs to write: any of alerts,digest,dlq (comma-separated); with "
             "CUEWIRE_SHADOW_RULES also alerts.shadow,digest.shadow,dlq.shadow")] = "alerts",
) -> None:
    """Run the same flow over a file: no Kafka, and no Redis to start.

    State lives in a private redis-server on a unix socket, started and removed
    here (CUEWIRE_REDIS_SERVER names the binary when it is not on PATH); without
    one, in-process fakeredis, about half as fast.

    Writes alerts as JSON lines. With several --include kinds each line is
    wrapped as {"topic": "alerts|digest|dlq", "value": …}.

    With CUEWIRE_SHADOW_RULES=candidate.yaml the candidate runs beside the live
    rules on the same records: `--include alerts,alerts.shadow` writes both, and
    `cuewire report --shadow` on that file compares them.
    """
    from config.settings import SHADOW_SUFFIX
    from cuewire.app import json_lines_writer
    from cuewire.app import replay as replay_file

    kinds = {k.strip() for k in include.split(",") if k.strip()}
    unknown = kinds - {f"{k}{s}" for k in ("alerts", "digest", "dlq") for s in ("", SHADOW_SUFFIX)}
    if unknown:
        raise typer.BadParameter(f"unknown output kind(s): {', '.join(sorted(unknown))}")
    try:
        settings = _settings()
        shadowed = any(k.endswith(SHADOW_SUFFIX) for k in kinds)
        if shadowed and not settings.shadow_rules:
            raise typer.BadParameter("the .shadow outputs need CUEWIRE_SHADOW_RULES (a candidate rules file)",
                                     param_hint="--include")
        if settings.shadow_rules and not shadowed:
            print(f"cuewire replay: CUEWIRE_SHADOW_RULES is set; add --include {include},alerts.shadow "
                  "to write the candidate's alerts too", file=sys.stderr)

        def run_to(write: Callable[[bytes], object]) -> None:
            replay_file(settings, file, json_lines_writer(kinds, write),
                        write_shadow=json_lines_writer(kinds, write, SHADOW_SUFFIX) if shadowed else None)

        if out is None:
            run_to(sys.stdout.buffer.write)
            sys.stdout.flush()
        else:
            with out.open("wb") as fh:
                run_to(fh.write)
    except CuewireError as exc:
        _fail(exc)


@app.command()
def explain(
    account_id: Annotated[str, typer.Argument(help="the account whose held-back alerts to show")],
    limit: Annotated[int, typer.Option(help="how many entries, newest first")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table")] = False,
    topics: Annotated[bool, typer.Option(
        "--topics/--no-topics", help="also read the alerts, feedback and digest topics")] = True,
) -> None:
    """What happened to this account's signals, and why: alerts published (and decided),
    held back or deferred, tickets below the gate, unattached tickets that look like its.

    Reads the governance log in Redis (CUEWIRE_REDIS_URL, CUEWIRE_REDIS_PREFIX) and the
    alerts, feedback and digest topics (CUEWIRE_KAFKA_BOOTSTRAP). Narrower than 100
    columns it prints one block per entry instead of a table.
    """
    from cuewire.explain_cmd import explain_command

    try:
        explain_command(account_id, limit=limit, as_json=as_json, topics=topics)
    except CuewireError as exc:
        _fail(exc)


@app.command()
def console(
    host: Annotated[str | None, typer.Option(help="address to listen on (CUEWIRE_CONSOLE_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on (CUEWIRE_CONSOLE_PORT, 8300)")] = None,
    database_url: Annotated[str | None, typer.Option(
        help="the view's database (CUEWIRE_CONSOLE_DATABASE_URL): sqlite:///file.db or "
             "postgresql+psycopg://user@host/db")] = None,
    users_file: Annotated[Path | None, typer.Option(
        help="YAML of built-in accounts (CUEWIRE_CONSOLE_USERS_FILE)")] = None,
    hash_password: Annotated[bool, typer.Option(
        "--hash-password",
        help="read a password on stdin, print its argon2 hash for the users file")] = False,
    rebuild: Annotated[bool, typer.Option(
        "--rebuild", help="empty the view and read it again from the topics' beginnings")] = False,
) -> None:
    """The review console: a web page where reviewers read staged alerts and decide them.

    Every decision (approve, mark sent, dismiss with a reason, snooze until a date,
    an outcome, label corrections) is a feedback record on CUEWIRE_TOPIC_FEEDBACK.
    The console's own database is only a view of the alerts, feedback, digest and accounts
    topics: an empty one is rebuilt from them at start. Sign-in is by the users
    file (make a password hash with --hash-password) or by a trusted reverse
    proxy's header (CUEWIRE_CONSOLE_TRUSTED_PROXIES, CUEWIRE_CONSOLE_PROXY_HEADER).
    """
    try:
        from console.auth import hash_password as make_hash
        from console.server import serve
        from console.settings import ConsoleSettings
    except ImportError as exc:  # the flow's runtime image leaves the console out
        typer.secho(f"cuewire console: {exc.name} is missing: install the console with "
                    "pip install 'cuewire[console]'", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    if hash_password:

        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise typer.BadParameter("give the password on stdin, e.g. `read -s P; echo \"$P\" | cuewire "
                                     "console --hash-password`")
        typer.echo(make_hash(password))
        return

    try:
        overrides = {k: v for k, v in {"host": host, "port": port, "database_url": database_url,
                                       "users_file": users_file}.items() if v is not None}
        serve(_settings(), ConsoleSettings(**overrides), rebuild=rebuild)
    except CuewireError as exc:
        _fail(exc)


def _register_tools() -> None:
    # Imported here so `cuewire run` does not pay for the measuring tools and plotting.
    from cuewire.backtest_cmd import backtest_command
    from cuewire.report_cmd import report_command
    from cuewire.score_cmd import score_command

    app.command("score")(score_command)
    app.command("report")(report_command)
    app.command("backtest")(backtest_command)


_register_tools()

register_dev_commands(app, installed_dev_commands())

rules_app = typer.Typer(help="Work with rules files.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("check")
def rules_check(
    file: Annotated[Path, typer.Argument(help="the rules file (YAML) to validate")],
) -> None:
    """Validate a rules file: every error names the rule, the field and the line.

    Exit status 0 when the file is valid (a summary of its rules is printed), 2 otherwise.
    """
    from config.rules import load_rules

    try:
        rules = load_rules(file)
    except ConfigurationError as exc:
        typer.secho(f"✗ {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    typer.secho(f"✓ {file}: {len(rules.rules)} rules, windows up to {rules.horizon().days} days",
                fg=typer.colors.GREEN)
    for rule in rules.rules:
        state = "" if rule.enabled else " (disabled)"
        state += f" holdout {rule.holdout * 100:g}%" if rule.holdout else ""
        state += "".join(f" variant {v.name} {v.share * 100:g}%" for v in rule.variants)
        reads = ", ".join(sorted(rule.when.signals()))
        typer.echo(f"  {rule.id:<26} {rule.signal:<15} {rule.priority:<8} reads: {reads}{state}")


taxonomy_app = typer.Typer(help="Work with taxonomy files (topics, intents and their examples).",
                           no_args_is_help=True)
app.add_typer(taxonomy_app, name="taxonomy")


def _register_taxonomy_tools() -> None:
    from cuewire.taxonomy_cmd import taxonomy_check

    taxonomy_app.command("check")(taxonomy_check)


_register_taxonomy_tools()


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
