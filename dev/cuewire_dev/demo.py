"""``make demo``: the whole pipeline on the bundled sample, with real Kafka and Redis.

Starts a single-node KRaft broker and a redis-server on free loopback ports,
creates the topics, produces the generated sample (accounts, Segment events,
tickets in every helpdesk shape, a duplicate and a few malformed records), runs
the flow until it has read everything, prints the staged alerts as a table and
stops what it started. ``cuewire demo`` (``--console``: then the review console
on its sample) when cuewire-dev is installed.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import typer

if TYPE_CHECKING:
    from rich.console import Console

    from config.settings import Settings


def produce(settings: Settings, records: list[tuple[str, bytes | None, bytes | None]]) -> int:
    from confluent_kafka import Producer

    producer = Producer(settings.kafka_producer())
    for kind, key, value in records:
        producer.produce(settings.topic(kind), value, key)  # type: ignore[arg-type]
        producer.poll(0)
    if producer.flush(30):
        raise RuntimeError("the sample was not fully acknowledged by Kafka")
    return len(records)


def read_all(settings: Settings, topic: str) -> list[dict]:
    """Every record currently on ``topic``, decoded."""
    from flows.kafka_io import read_to_end

    return [orjson.loads(value) for _key, value in read_to_end(settings.kafka_consumer(), topic)]


def _is_context(record: tuple[str, bytes | None, bytes | None]) -> bool:
    kind, _key, value = record
    if kind == "accounts":
        return True
    if kind != "events" or value is None:
        return False
    try:
        return orjson.loads(value).get("type") in ("identify", "group")
    except (orjson.JSONDecodeError, AttributeError):
        return False


DEMO_HOLDOUT = ("ticket-frustration-gate", "20%")
"""The demo keeps a control group on one rule, so its report has both arms to count."""


def demo_rules(data: Path) -> Path:
    """The shipped rules, with :data:`DEMO_HOLDOUT` on, written under ``data``."""
    import yaml

    from config.rules import DEFAULT_RULES

    rules = yaml.safe_load(Path(DEFAULT_RULES).read_text())
    rule_id, share = DEMO_HOLDOUT
    for rule in rules["rules"]:
        if rule["id"] == rule_id:
            rule["holdout"] = share
    path = data / "rules.yaml"
    path.write_text(yaml.safe_dump(rules, sort_keys=False, allow_unicode=True))
    return path


def produce_reviews(settings: Settings, alerts: list[dict], skip_owner: str | None) -> int:
    """The sample owners' decisions on the staged alerts, produced to the feedback topic."""
    from datetime import UTC, datetime

    from cuewire_dev.demo_review import review

    decisions = review(alerts, datetime.now(UTC), skip_owner=skip_owner)
    produce(settings, [("feedback", d.alert_id.encode(),
                        orjson.dumps(d.model_dump(mode="json", exclude_none=True)))
                       for d in decisions])
    return len(decisions)


def show_report(console: Console, settings: Settings) -> None:
    from datetime import UTC, datetime

    from cuewire.measure_input import read_kafka
    from cuewire.report_cmd import report_lines

    console.print(f"\n[bold]cuewire report --from-kafka[/] (a control group of "
                  f"{DEMO_HOLDOUT[1]} on {DEMO_HOLDOUT[0]}):")
    for line in report_lines(read_kafka(settings), datetime.now(UTC)):
        console.print(line, markup=False, highlight=False)


def show(console: Console, alerts: list[dict], digest: list[dict], dlq: list[dict]) -> None:
    from rich.table import Table

    table = Table(title=f"Staged alerts ({len(alerts)})", show_lines=False)
    for col in ("priority", "account", "signal", "score", "owner", "why", "evidence"):
        table.add_column(col, overflow="fold")
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    for event in sorted(alerts, key=lambda e: (order[e["data"]["priority"]], -(e["data"]["score"] or 0))):
        d = event["data"]
        ev = d["evidence"][0]
        table.add_row(
            d["priority"], d.get("account_name") or d["account_id"], d["signal"], str(d["score"]),
            (d.get("owner") or {}).get("name") or "—", d["risk_factors"][0],
            (ev.get("text") or "").split("\n", 1)[0][:60],
        )
    console.print(table)
    kinds = Counter(e["type"].removeprefix("io.cuewire.digest.") for e in digest)
    console.print(f"[bold]digest[/]: {len(digest)} records — "
                  + ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items())))
    console.print(f"[bold]dead letters[/]: {len(dlq)}")
    for dead in dlq:
        console.print(f"  • {dead['topic']}[{dead['partition']}]@{dead['offset']}: {dead['error']}")
    if alerts:
        console.print("\n[bold]One alert as consumers receive it[/] (cuewire.alerts):")
        console.print_json(orjson.dumps(alerts[0]).decode())


def main(argv: list[str] | None = None) -> int:
    # Imported here: `cuewire` loads this module for every command it runs, to offer `demo`.
    from rich.console import Console

    from config.settings import Settings
    from console.demo import busiest_owner
    from cuewire.app import run_kafka
    from cuewire_dev.sample import generate_sample
    from cuewire_dev.servers import throwaway_servers
    from flows.kafka_io import ensure_topics

    keep_console = "--console" in (sys.argv[1:] if argv is None else argv)
    console = Console(width=None if sys.stdout.isatty() else 150)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cuewire-demo-") as tmp, contextlib.ExitStack() as stack:
        data = Path(tmp)
        with console.status("starting Kafka (KRaft) and Redis …"):
            broker, redis_server = stack.enter_context(throwaway_servers(data))
        settings = Settings(kafka_bootstrap=broker.bootstrap,
                            redis_url=redis_server.url,  # type: ignore[arg-type]
                            deployment="demo", rules=demo_rules(data))
        ensure_topics(settings)
        records = generate_sample()
        # The CRM sync and identity calls land first, as they would in production
        # long before a ticket arrives; the flow resumes from its recovery store.
        first = [r for r in records if _is_context(r)]
        second = [r for r in records if not _is_context(r)]
        recovery = data / "recovery"
        t0 = time.monotonic()
        for label, part in (("accounts and identities", first), ("events and tickets", second)):
            with console.status(f"producing {len(part)} {label}, running the flow over them …"):
                produce(settings, part)
                run_kafka(settings, exit_at_end=True, epoch_seconds=1.0, recovery_dir=recovery)
        flow_seconds = time.monotonic() - t0
        console.print(f"produced {len(records)} records "
                      f"({', '.join(f'{k}: {n}' for k, n in Counter(r[0] for r in records).items())})")
        alerts = read_all(settings, settings.topic_alerts)
        digest = read_all(settings, settings.topic_digest)
        dlq = read_all(settings, settings.topic_dlq)
        show(console, alerts, digest, dlq)
        # With the console up, the person signing in finds their own alerts still to decide.
        signing_in = busiest_owner(alerts) if keep_console else None
        reviewed = produce_reviews(settings, alerts, signing_in)
        console.print(f"\n[bold]reviewers[/]: the sample's owners decided {reviewed} alerts"
                      + (f" ({signing_in}'s are left for the console)" if signing_in else ""))
        show_report(console, settings)
        console.print(f"\nflow: {len(records)} records in {flow_seconds:.1f}s; "
                      f"demo total {time.monotonic() - started:.0f}s")
        if keep_console:
            from console.demo import serve_demo

            serve_demo(settings, alerts, data, console)
    return 0


def demo_command(
    console: Annotated[bool, typer.Option(
        "--console", help="then keep the review console up on the sample: prints its address and a login")
    ] = False,
) -> None:
    """The whole pipeline on a generated sample, with a throwaway Kafka and Redis.

    Starts a single-node KRaft broker and a redis-server on free loopback ports,
    produces the sample (accounts, events, tickets in every helpdesk shape, a
    duplicate and a few malformed records), runs the flow over it, prints the
    staged alerts, the digest and the dead letters, and stops what it started.
    """
    raise typer.Exit(main(["--console"] if console else []))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
