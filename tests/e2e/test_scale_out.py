"""Scale-out on the real engine: one worker, ``-w 2`` and two processes keep the guarantees.

The input goes to topics with several partitions, so with two workers or two
processes each reads only some of them, and an account's records may be
handled by a different worker than its CRM snapshot. State shared through
Redis (the ledger, cooldowns) must hold however the work is split.

Every mode runs ``cuewire run --exit-at-end`` as subprocesses, with its own
Redis key prefix and alert topic, over the same input topics. As in
production, the CRM snapshots and identity calls land before the events and
tickets: a first run applies them, a second (re-reading everything, which the
idempotency keys make harmless) handles the rest.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import orjson
import pytest
from confluent_kafka import Producer

from config.settings import Settings
from cuewire_dev.loadtest import Traffic, TrafficConfig
from cuewire_dev.servers import free_port
from flows.kafka_io import ensure_topics, read_to_end
from tests.published import assert_published

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]
PARTITIONS = 4
INPUTS = ("events", "tickets", "accounts", "feedback")


def _env(kafka: str, redis_url: str, inputs: dict[str, str], mode: str, unique: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUEWIRE_")}
    env |= {
        "CUEWIRE_KAFKA_BOOTSTRAP": kafka, "CUEWIRE_REDIS_URL": redis_url,
        "CUEWIRE_REDIS_PREFIX": f"so{unique}{mode}:", "CUEWIRE_KAFKA_PARTITIONS": str(PARTITIONS),
        "CUEWIRE_DEPLOYMENT": f"scale-{mode}",
    }
    env |= {f"CUEWIRE_TOPIC_{k.upper()}": v for k, v in inputs.items()}
    env |= {f"CUEWIRE_TOPIC_{k.upper()}": f"cuewire.{k}.{unique}.{mode}" for k in ("alerts", "digest", "dlq")}
    return env


def _run(env: dict[str, str], mode: str) -> None:
    """One pass of the flow in ``mode`` (``1``, ``w2`` or ``2p``), to the end of its input."""
    base = [sys.executable, "-m", "cuewire", "run", "--exit-at-end"]
    if mode == "1":
        cmds = [base]
    elif mode == "w2":
        cmds = [[*base, "-w", "2"]]
    else:
        addresses = f"127.0.0.1:{free_port()};127.0.0.1:{free_port()}"
        cmds = [[*base, "-i", str(i), "-a", addresses] for i in range(2)]
    procs = [subprocess.Popen(c, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for c in cmds]
    for p in procs:
        try:
            _out, err = p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            pytest.fail(f"mode {mode}: the flow did not reach the end of its input within 60 s")
        assert p.returncode == 0, f"mode {mode} exited {p.returncode}: {err.decode()[-6000:]}"


def _alerts(kafka: str, topic: str) -> list[tuple[str, str, str]]:
    """(alert id, rule, account) of every alert on ``topic``."""
    return [(a["id"], a["data"]["rule"], a["data"]["account_id"]) for a in _events(kafka, topic)]


def _events(kafka: str, topic: str) -> list[dict]:  # type: ignore[type-arg]
    """Every CloudEvent on ``topic``."""
    values = [value for _key, value in read_to_end({"bootstrap.servers": kafka}, topic, 20)]
    assert_published("alerts", values)
    return [orjson.loads(value) for value in values]


@pytest.fixture(scope="module")
def published(kafka_bootstrap: str, redis_url: str) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    """Every mode's alerts over one shared input (run once for the module's tests)."""
    import uuid

    unique = uuid.uuid4().hex[:8]
    inputs = {k: f"cuewire.{k}.{unique}" for k in INPUTS}
    envs = {m: _env(kafka_bootstrap, redis_url, inputs, m, unique) for m in MODES}
    for env in envs.values():
        ensure_topics(Settings(**{k.removeprefix("CUEWIRE_").lower(): v  # type: ignore[arg-type]
                                  for k, v in env.items() if k.startswith("CUEWIRE_")}))

    traffic = Traffic(TrafficConfig(accounts=40, users_per_account=2, ticket_share=0.3, seed=5,
                                    run_id=unique))
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "enable.idempotence": True})
    for kind, key, value, _ in traffic.setup_records():
        producer.produce(inputs[kind], value, key)
    assert producer.flush(30) == 0
    for mode in MODES:
        _run(envs[mode], mode)

    now = datetime.now(UTC)
    for _ in range(300):
        kind, key, value, _ = traffic.next_record(now)
        producer.produce(inputs[kind], value, key)
    assert producer.flush(30) == 0
    for mode in MODES:
        _run(envs[mode], mode)
    return {m: _events(kafka_bootstrap, envs[m]["CUEWIRE_TOPIC_ALERTS"]) for m in MODES}


MODES = ("1", "w2", "2p")


def _ids(events: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return sorted(e["id"] for e in events)


@pytest.mark.parametrize("mode", ["w2", "2p"])
def test_every_mode_publishes_the_alerts_of_one_worker(published: dict[str, list[dict]], mode: str) -> None:  # type: ignore[type-arg]
    """Records are handled per account in log order, so however the work is split the same
    alerts come out, with the same ids and the same evidence."""
    one, other = published["1"], published[mode]
    assert _ids(other) == _ids(one), _difference(one, other)
    evidence = {e["id"]: [ev["record_id"] for ev in e["data"]["evidence"]] for e in one}
    assert {e["id"]: [ev["record_id"] for ev in e["data"]["evidence"]] for e in other} == evidence


def _difference(one: list[dict], other: list[dict]) -> str:  # type: ignore[type-arg]
    a, b = set(_ids(one)), set(_ids(other))
    show = {e["id"]: (e["data"]["rule"], e["data"]["account_id"]) for e in one + other}
    return (f"only with one worker: {sorted(show[i] for i in a - b)}; "
            f"only split: {sorted(show[i] for i in b - a)}")


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_keeps_every_guarantee(published: dict[str, list[dict]], mode: str) -> None:  # type: ignore[type-arg]
    """Shared Redis state holds across workers and processes: no alert id twice, and no
    rule alerts an account twice inside its cooldown, however the work is split.
"""
    events = published[mode]
    assert len(events) >= 5, "the input should raise a handful of alerts"
    assert len(set(_ids(events))) == len(events), f"{mode} published an id twice"
    by_rule: dict[tuple[str, str], list[datetime]] = {}
    opened = {e["id"] for e in events if e["type"] != "io.cuewire.alert.updated"}
    for e in events:
        if e["type"] == "io.cuewire.alert.updated":
            # News for an open alert, in its thread: not an alert of its own.
            assert e["data"]["thread_id"] in opened, f"{mode}: an update of an alert not published"
            continue
        last = max(datetime.fromisoformat(ev["at"]) for ev in e["data"]["evidence"])
        by_rule.setdefault((e["data"]["account_id"], e["data"]["rule"]), []).append(last)
    for key, times in by_rule.items():
        times.sort()
        gaps = [b - a for a, b in pairwise(times)]
        assert all(g >= timedelta(hours=48) for g in gaps), f"{mode}: {key} alerted inside its cooldown"


@pytest.fixture(scope="module")
def together(kafka_bootstrap: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
             ) -> dict[str, dict[str, tuple[object, ...]]]:
    """Accounts, their tickets and late links produced at once (no CRM sync run first):
    what every mode and a replay make of them."""
    import uuid

    from tests.e2e.live_flow import produce, replayed
    from tests.e2e.test_joins_kafka import outcome, round_records

    unique = uuid.uuid4().hex[:8]
    inputs = {k: f"cuewire.{k}.{unique}t" for k in INPUTS}
    envs = {m: _env(kafka_bootstrap, redis_url, inputs, m, unique + "t") for m in MODES}
    for env in envs.values():
        ensure_topics(Settings(**{k.removeprefix("CUEWIRE_").lower(): v  # type: ignore[arg-type]
                                  for k, v in env.items() if k.startswith("CUEWIRE_")}))
    now = datetime.now(UTC).replace(microsecond=0)
    snaps, tickets, links = round_records(unique, now)
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "enable.idempotence": True})
    for batch in (snaps, tickets, links):
        produce(producer, inputs, batch)
    results: dict[str, dict[str, tuple[object, ...]]] = {}
    for mode in MODES:
        _run(envs[mode], mode)
        env = envs[mode]
        results[mode] = outcome([orjson.loads(v) for kind in ("alerts", "digest") for _k, v in
                                 read_to_end({"bootstrap.servers": kafka_bootstrap},
                                             env[f"CUEWIRE_TOPIC_{kind.upper()}"], 20)])
    path = tmp_path_factory.mktemp("together") / "records.jsonl"
    results["replay"] = replayed(snaps + tickets + links, path, envs["1"], outcome)
    return results


@pytest.mark.parametrize("mode", MODES)
def test_accounts_and_tickets_together_give_replays_alerts_in_every_mode(
        together: dict[str, dict[str, tuple[object, ...]]], mode: str) -> None:
    """A CRM snapshot logged a moment before its account's tickets is joined with them,
    and a link logged after them reaches them, however the work is split."""
    expected, got = together["replay"], together[mode]
    alerted = {v[0] for v in expected.values() if len(v) == 5}
    assert len(alerted) == 20, "replay alerts every account"
    assert got == expected, (sorted(set(expected) - set(got)), sorted(set(got) - set(expected)))
