"""The ledger's claim and confirm (``state/ledger.py``): one script call each where the
server runs scripts; the same answers, keys and outbox as plain commands where it does not."""

import pytest
import redis

from state.keys import Keyspace, TTLs
from state.ledger import AlertLedger
from state.redis_client import connect
from tests.integration.command_calls import command_calls

pytestmark = pytest.mark.integration


def _records(*ids: str) -> list[tuple[str, bytes]]:
    return [(i, f"record {i}".encode()) for i in ids]


def _scenario(client: redis.Redis, ks: Keyspace) -> list[object]:
    """Two runs claiming over each other, a record derived twice, confirmations, a big batch."""
    a = AlertLedger(client, ks, TTLs(alert_pending=50, alert_sent=1000), run_id="run-a")
    b = AlertLedger(client, ks, TTLs(alert_pending=50, alert_sent=1000), run_id="run-b")
    seen: list[object] = [a.claim(_records("a1", "a2", "a1")),
                          a.claim(_records("a1")),            # this run's own claim, unconfirmed
                          b.claim(_records("a2", "a3"))]      # a2 is run-a's: not run-b's to publish
    a.confirm(["a2"])
    seen.append(b.claim(_records("a2", "a4")))
    big = [f"x{i}" for i in range(5000)]
    seen.append(sum(a.claim(_records(*big))))
    seen.append(b.claim(_records(*big[:3])))
    b.confirm(["a3", "a4"])
    seen.append(sorted((e.record_id, e.field.split(".")[0], e.payload) for e in a.outbox()))
    seen.append(a.sent(["a1", "a2", "a3", "a4", "x0"]))
    for key in sorted(client.scan_iter(f"{ks.prefix}*")):
        kind = client.type(key)
        value = client.get(key) if kind == b"string" else client.hlen(key)
        seen.append((key.removeprefix(ks.prefix.encode()), value, 0 < client.ttl(key) <= 1000))
    return seen


def test_a_claim_and_a_confirm_are_one_script_call_each(redis_url: str, unique: str) -> None:
    client = connect(redis_url)
    ledger = AlertLedger(client, Keyspace(f"ls{unique}:"), TTLs(), run_id="run")
    scripts, commands = command_calls(client, "eval"), command_calls(client, "set", "hset")
    assert ledger.claim(_records("a1", "a2", "a3")) == [True, True, True]
    ledger.confirm(["a1", "a2", "a3"])
    assert command_calls(client, "eval") - scripts == 2
    assert command_calls(client, "set", "hset") - commands == 7  # inside the server
    assert ledger.outbox() == []


def test_scripts_and_plain_commands_answer_and_leave_the_same(
        redis_url: str, unique: str, no_scripts: redis.Redis) -> None:
    scripted = _scenario(connect(redis_url), Keyspace(f"s{unique}:"))
    assert scripted == _scenario(no_scripts, Keyspace(f"p{unique}:"))
    assert scripted[:4] == [[True, True, False], [False], [False, True], [False, True]]
    assert scripted[4:6] == [5000, [False, False, False]]


def test_a_ledger_refused_scripts_does_not_ask_again(unique: str) -> None:
    """fakeredis runs scripts only with ``lupa``; without it the ledger uses plain commands."""
    fakeredis = pytest.importorskip("fakeredis")
    client = fakeredis.FakeRedis()
    ledger = AlertLedger(client, Keyspace(f"f{unique}:"), TTLs(), run_id="run")
    assert ledger.claim(_records("a1", "a1")) == [True, False]
    ledger.confirm(["a1"])
    assert ledger.claim(_records("a1", "a2")) == [False, True]
    assert [e.record_id for e in ledger.outbox()] == ["a2"]


def test_a_big_claim_goes_in_pieces_with_the_same_answers(
        redis_url: str, unique: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A script holds the server while it runs: a bounded run's claim is several calls."""
    client = connect(redis_url)
    whole = _scenario(client, Keyspace(f"w{unique}:"))
    monkeypatch.setattr("state.ledger.SCRIPT_PIECE", 3)
    scripts = command_calls(client, "eval")
    assert _scenario(client, Keyspace(f"p{unique}:")) == whole
    assert command_calls(client, "eval") - scripts > 5000 // 3
