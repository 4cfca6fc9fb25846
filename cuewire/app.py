"""Running the flow: ``cuewire run`` between Kafka and Redis, ``cuewire replay`` embedded over a
file; what they run is :func:`flows.pipeline.build_flow` over :func:`cuewire.wiring.make_parts`."""

from __future__ import annotations

import contextlib
import functools
import gc
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import redis

from config.settings import Settings
from contracts.errors import ConfigurationError, DependencyDown
from cuewire.wiring import make_parts
from flows.pipeline import Parts, build_flow
from flows.stages.accounts import LogOrdering
from flows.stages.items import Outgoing
from state.keys import Keyspace, TTLs
from state.progress import EventTimeStore


def run_kafka(settings: Settings, *, workers: int = 1, process_id: int | None = None,
              addresses: list[str] | None = None, recovery_dir: Path | None = None,
              epoch_seconds: float = 10.0, exit_at_end: bool = False,
              clock: Callable[[], datetime] | None = None) -> Parts:
    """``cuewire run``: the flow between real Kafka and Redis, until interrupted
    (or, with ``exit_at_end``, until every input partition has been read to its end)."""

    from bytewax.recovery import RecoveryConfig
    from bytewax.run import cli_main

    from flows import kafka_auth, metrics, shutdown
    from flows.delivery import repair_outbox
    from flows.kafka_io import KafkaOutSink, ensure_topics, kafka_inputs, order_policy
    from flows.partition_ends import partition_ends
    from flows.recovery_store import check_recovery_store
    from state import redis_client
    from state.redis_client import connect

    redis_client.check_credentials(settings.redis_url.get_secret_value())
    kafka_auth.check_credentials(settings)
    client = connect(settings.redis_url.get_secret_value(),
                     allow_volatile=settings.allow_volatile_redis,
                     retry_seconds=settings.redis_retry_seconds,
                     # A Redis that stays down ends the process with one line (raised inside a
                     # Bytewax step it would be a Rust panic); what was claimed and not
                     # confirmed waits in the ledger's outbox for the next start.
                     on_gone=shutdown.stop_now)
    if settings.kafka_create_topics:
        created = ensure_topics(settings) + (ensure_topics(settings.shadow_outputs()) if settings.shadow_rules
                                             else [])
        if created:
            print(f"created topics: {', '.join(created)}", file=sys.stderr)
    if settings.metrics_port:
        # One port per process (port + process id), so every process's counters are scraped.
        offset = (process_id or 0) if settings.metrics_port_per_process else 0
        metrics.serve(settings.metrics_port + offset)
    policy = order_policy(settings, bounded=exit_at_end)
    ordering = LogOrdering(policy) if exit_at_end else LogOrdering(
        policy, functools.partial(partition_ends, settings), settings.order_wait_ms)
    event_times = EventTimeStore(client, Keyspace(settings.redis_prefix), TTLs())
    parts = make_parts(settings, client, clock, ordering=ordering, event_times=event_times)
    if exit_at_end:
        offsets = partition_ends(settings).now((settings.topic_events, settings.topic_tickets))
        parts.event_time.ends = {p: end for p, (_first, end) in offsets.items()}
    if recovery_dir:
        # Resuming where the inputs' offsets were snapshotted: event time had got this far.
        parts.event_time.resume(event_times.load())
    publisher, shadow = parts.publisher, parts.shadow
    flow = build_flow(parts, kafka_inputs(settings, tail=not exit_at_end),
                      KafkaOutSink(settings, publisher.produced, publisher.published, claim=publisher.claim),
                      live=not exit_at_end,
                      shadow_sink=KafkaOutSink(settings.shadow_outputs(), shadow.publisher.produced,
                                               shadow.publisher.published, claim=shadow.publisher.claim)
                      if shadow else None)
    if recovery_dir and any(recovery_dir.glob("*.sqlite3")):
        check_recovery_store(recovery_dir, flow)  # before anything is touched
    if (process_id or 0) == 0:
        # Before any record is handled (the other processes wait for this one to join):
        # settle what a run that stopped left claimed and unconfirmed.
        for ledger, outputs in ((publisher.ledger, settings),
                                *([(shadow.publisher.ledger, settings.shadow_outputs())] if shadow else [])):
            repair_outbox(ledger, {"alerts": outputs.topic_alerts, "digest": outputs.topic_digest,
                                   "dlq": outputs.topic_dlq},
                          settings.kafka_common(), settings.kafka_producer(),
                          flush_timeout=settings.kafka_flush_timeout_seconds)
    recovery = None
    if recovery_dir:
        if not any(recovery_dir.glob("*.sqlite3")):
            # First start: one recovery partition (more only matter for many processes).
            from bytewax.recovery import init_db_dir

            recovery_dir.mkdir(parents=True, exist_ok=True)
            init_db_dir(recovery_dir, 1)
        recovery = RecoveryConfig(str(recovery_dir))
    collect_garbage_less_often()
    shutdown.install()
    try:
        cli_main(flow, workers_per_process=workers, process_id=process_id, addresses=addresses,
                 epoch_interval=timedelta(seconds=epoch_seconds), recovery_config=recovery)
    except BaseException as exc:  # Bytewax reports a lost peer as a Rust panic
        lost = lost_peers(addresses, process_id) if addresses and type(exc).__name__ == "PanicException" \
            else []
        if not lost:
            raise
        names = ", ".join(f"process {i} ({addresses[i]})" for i in lost)
        raise DependencyDown(
            f"{names} of {len(addresses)} stopped answering, so process {process_id or 0} stops too: "
            "restart every process (with -r to resume); the next start settles what was in flight"
        ) from None
    if recovery_dir:
        # How far event time got, exactly as this run ends (decoding keeps it about once a
        # second): the next run never re-reads a partition read to its end, and its
        # timers would wait for that partition's event time.
        event_times.save(parts.event_time.newest())
    publisher.progress.report(publisher.clock())  # what the last stretch published, for runs that end
    if shadow:
        shadow.publisher.progress.report(publisher.clock())
    stopped_by = shutdown.stopped_by()
    if stopped_by:
        print(stop_summary(stopped_by, publisher.progress.totals, recovery_dir), file=sys.stderr)
    return parts


def lost_peers(addresses: list[str], process_id: int | None) -> list[int]:
    """The other processes whose cluster address no longer takes connections."""
    import socket

    lost = []
    for i, address in enumerate(addresses):
        if i == (process_id or 0):
            continue
        host, _, port = address.rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=1):
                pass
        except OSError:
            lost.append(i)
    return lost


def stop_summary(signal_name: str, totals: dict[str, int], recovery_dir: Path | None) -> str:
    resume = (f"recovery snapshot in {recovery_dir}" if recovery_dir
              else "no recovery store: a restart re-reads the inputs")
    return (f"cuewire: stopped on {signal_name}: {totals.get('alerts', 0):,} alerts, "
            f"{totals.get('digest', 0):,} digest records, {totals.get('dlq', 0):,} dead letters "
            f"published, all acknowledged; {resume}")


GC_THRESHOLDS = (100_000, 50, 50)


def collect_garbage_less_often() -> None:
    """Tune CPython's cycle collector for the flow's allocation pattern.

    Every record allocates a few dozen short-lived objects, nearly all freed by
    reference counting. At the default gen-0 threshold (700 allocations) the
    collector runs every few records, and its older generations walk everything
    the flow keeps: records held for ordering, the parsed-window cache, the
    model. Start-up objects (model, taxonomy, rules) are frozen out of
    collections; cycles are still collected, less often. On the benchmark input
    this took one worker from 4,235 to 5,190 records/s (medians of three runs).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def replay(settings: Settings, path: Path, write: Callable[[list[Outgoing]], None],
           clock: Callable[[], datetime] | None = None, *, store: str = "auto",
           write_shadow: Callable[[list[Outgoing]], None] | None = None,
           on_read: Callable[[int], object] | None = None) -> Parts:
    """``cuewire replay``: the same flow over a file, its state in a private redis-server on
    a unix socket (``state/private_redis.py``); no servers to run beforehand.

    ``store``: ``"server"`` insists on that redis-server, ``"fakeredis"`` keeps the state in
    this process, ``"auto"`` takes the server when one is installed and fakeredis when not.
    With ``CUEWIRE_SHADOW_RULES`` the shadow branch's outputs go to ``write_shadow`` (kinds as
    the live ones'; dropped when it is None). ``on_read`` hears how many input records each
    batch read (progress on long replays)."""
    from bytewax.testing import run_main

    from flows.replay_io import CallbackSink, file_inputs
    from state.private_redis import find_redis_server, private_redis

    with contextlib.ExitStack() as stack:
        server = find_redis_server() if store != "fakeredis" else None
        if server is not None:
            client = stack.enter_context(private_redis(*server))
        elif store == "server":
            raise ConfigurationError(
                "no redis-server found for cuewire replay: install Redis 7 (apt-get install "
                "redis-server) or set CUEWIRE_REDIS_SERVER to its path")
        else:
            client = in_process_redis(quiet=store == "fakeredis")
        parts = make_parts(settings, client, clock)
        publisher, shadow = parts.publisher, parts.shadow
        flow = build_flow(parts, file_inputs(path, on_read=on_read),
                          CallbackSink(write, publisher.published, publisher.claim), live=False,
                          shadow_sink=CallbackSink(write_shadow or (lambda _batch: None),
                                                   shadow.publisher.published, shadow.publisher.claim)
                          if shadow else None)
        collect_garbage_less_often()
        try:
            run_main(flow)
        finally:
            gc.unfreeze()  # a caller replaying again (backtests run twice) starts from defaults
            gc.set_threshold(*DEFAULT_GC_THRESHOLDS)
    return parts


DEFAULT_GC_THRESHOLDS = gc.get_threshold()


def in_process_redis(*, quiet: bool) -> redis.Redis:
    """fakeredis, for a machine without redis-server (about half the speed of one)."""
    try:
        import fakeredis
    except ImportError:
        raise ConfigurationError(
            "cuewire replay needs redis-server (apt-get install redis-server, or "
            "CUEWIRE_REDIS_SERVER=/path/to/redis-server) or the in-process Redis of the tools "
            "extra: pip install 'cuewire[tools]'"
        ) from None
    if not quiet:
        print("cuewire replay: no redis-server found, so state is kept in-process (fakeredis), "
              "about half as fast; install redis-server or set CUEWIRE_REDIS_SERVER",
              file=sys.stderr)
    return fakeredis.FakeRedis()


def json_lines_writer(kinds: set[str], out: Callable[[bytes], object],
                      suffix: str = "") -> Callable[[list[Outgoing]], None]:
    """Write the chosen kinds of output as JSON lines (``{"topic": …, "value": …}`` when several).
    ``suffix`` names a shadow branch's outputs (``alerts.shadow`` …), chosen in ``kinds`` by that name."""
    def write(batch: list[Outgoing]) -> None:
        for item in batch:
            kind = item.kind + suffix
            if kind not in kinds:
                continue
            if len(kinds) == 1:
                out(item.value + b"\n")
            else:
                out(orjson.dumps({"topic": kind, "value": orjson.Fragment(item.value)}) + b"\n")

    return write
