"""A failure while handling one record becomes that record's dead letter; the flow goes on."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fakeredis
import orjson
import pytest
from bytewax.testing import run_main

from config.settings import Settings
from cuewire.wiring import make_parts
from flows.pipeline import Parts, build_flow
from flows.replay_io import CallbackSink, file_inputs
from flows.stages.items import Outgoing
from operators.dead_letter import DEAD_LETTER_VALUE_LIMIT, render_dead_letter
from operators.decode import Limits
from operators.records import Coordinates, Ticket
from operators.score import Score

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FRUSTRATED = "Our numbers are wrong in every report since Monday, data disappeared"


def account(i: int) -> dict:
    return {"topic": "accounts", "value": {"account_id": f"a{i}", "name": f"Acct {i}", "mrr": 5000,
                                           "contacts": [f"p@a{i}.test"]}}


def ticket(i: int, body: str = FRUSTRATED, at: datetime = NOW - timedelta(hours=1)) -> dict:
    return {"topic": "tickets", "value": {
        "source": "generic", "ticket_id": f"t{i}", "requester_email": f"p@a{i}.test",
        "subject": "", "body": body, "created_at": at.isoformat()}}


def run(tmp_path: Path, lines: list[dict], adjust=lambda parts: None) -> list[Outgoing]:  # type: ignore[no-untyped-def]
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    parts = make_parts(Settings(), fakeredis.FakeRedis(), clock=lambda: NOW)
    adjust(parts)
    out: list[Outgoing] = []
    run_main(build_flow(parts, file_inputs(path), CallbackSink(out.extend, parts.publisher.published),
                        live=False))
    return out


def dead_letters(out: list[Outgoing]) -> list[dict]:
    return [orjson.loads(o.value) for o in out if o.kind == "dlq"]


def alert_accounts(out: list[Outgoing]) -> set[str]:
    return {orjson.loads(o.value)["subject"] for o in out if o.kind == "alerts"}


class Exploding:
    """A scorer that fails on one text, as a library bug on some input would."""

    def __init__(self, real: object) -> None:
        self.real = real

    def score(self, text: str) -> Score:
        if "KABOOM" in text:
            raise ZeroDivisionError("division by zero")
        return self.real.score(text)  # type: ignore[attr-defined, no-any-return]


def test_a_step_that_raises_on_one_record_dead_letters_it_with_step_and_coordinates(
        tmp_path: Path) -> None:
    lines = [account(1), account(2), ticket(1, "KABOOM " + FRUSTRATED), ticket(2)]

    def explode(parts: Parts) -> None:
        parts.tickets.scorer = Exploding(parts.tickets.scorer)  # type: ignore[assignment]

    out = run(tmp_path, lines, explode)
    [dead] = dead_letters(out)
    assert dead["step"] == "score-tickets"
    assert (dead["partition"], dead["offset"]) == (0, 3)
    assert dead["error"] == ("score-tickets failed: ZeroDivisionError on record "
                             "generic:t1:2026-11-20T11:00:00+00:00")
    assert "KABOOM" not in dead["error"]
    assert alert_accounts(out) == {"a2"}


def test_arithmetic_that_overflows_on_one_record_does_not_stop_the_flow(tmp_path: Path) -> None:
    """Even with the date window opened wide, a year-9999 ticket is one dead letter."""
    far = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    lines = [account(1), account(2), ticket(1, at=far), ticket(2)]

    def widen(parts: Parts) -> None:
        parts.decoder.limits = Limits(date_window=timedelta.max)

    out = run(tmp_path, lines, widen)
    dead = dead_letters(out)
    # Its alert (govern) and its signals (match-patterns) each fail, each say so.
    assert {d["step"] for d in dead} == {"govern", "match-patterns"}
    assert all("OverflowError" in d["error"] and d["key"] == "a1" for d in dead)
    assert alert_accounts(out) == {"a2"}


def test_the_date_window_stops_year_one_and_9999_at_decode(tmp_path: Path) -> None:
    lines = [account(1), account(2), account(3),
             ticket(1, at=datetime(9999, 12, 31, 23, 0, tzinfo=UTC)),
             ticket(3, at=datetime(1, 1, 1, 1, 0, tzinfo=UTC)), ticket(2)]
    out = run(tmp_path, lines)
    dead = dead_letters(out)
    assert [d["step"] for d in dead] == ["decode", "decode"]
    assert all("outside the accepted window" in d["error"] for d in dead)
    assert alert_accounts(out) == {"a2"}


def test_a_huge_dead_letter_is_truncated_with_its_size_and_hash() -> None:
    blob = bytes(range(256)) * 6554  # 1.6 MB, not UTF-8
    dead = render_dead_letter(Coordinates("cuewire.tickets", 1, 7, b"k" * 300_000), blob,
                              "value of 1677824 bytes exceeds the 262144-byte limit", NOW, "decode")
    encoded = orjson.dumps(dead)
    assert len(encoded) < 2 * DEAD_LETTER_VALUE_LIMIT + 4096
    assert dead["value_truncated"] is True
    assert dead["value_size"] == len(blob)
    assert dead["value_sha256"] == hashlib.sha256(blob).hexdigest()
    assert dead["value_encoding"] == "base64"
    assert blob.startswith(base64.b64decode(dead["value"]))
    assert dead["key_size"] == 300_000 and len(dead["key"]) < 300_000


def test_a_long_text_dead_letter_is_cut_on_a_character_boundary() -> None:
    text = ("é" * 100_000).encode()
    dead = render_dead_letter(Coordinates("t", 0, 1), text, "too big", NOW, "decode")
    assert dead["value_encoding"] == "utf-8"
    assert set(dead["value"]) == {"é"}
    assert dead["value_size"] == len(text)


def test_a_small_dead_letter_is_whole() -> None:
    dead = render_dead_letter(Coordinates("t", 0, 1, b"key"), b'{"a": NaN}', "NaN", NOW, "decode")
    assert dead["value"] == '{"a": NaN}' and dead["key"] == "key"
    assert "value_truncated" not in dead


def test_a_huge_binary_record_in_the_flow_yields_a_small_dead_letter(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    blob = base64.b64encode(bytes(range(256)) * 6554).decode()
    path.write_text(orjson.dumps({"topic": "tickets", "value": blob}).decode() + "\n")
    parts = make_parts(Settings(), fakeredis.FakeRedis(), clock=lambda: NOW)
    out: list[Outgoing] = []
    run_main(build_flow(parts, file_inputs(path), CallbackSink(out.extend, parts.publisher.published),
                        live=False))
    [dead] = [o for o in out if o.kind == "dlq"]
    assert len(dead.value) < 2 * DEAD_LETTER_VALUE_LIMIT + 4096


def test_a_record_that_breaks_account_resolution_is_dead_lettered_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import flows.table_join

    real = flows.table_join.resolve_batch

    def fragile(records, times, fetched):  # type: ignore[no-untyped-def]
        if any(isinstance(r, Ticket) and "KABOOM" in r.body for r in records):
            raise KeyError("a bug on one record")
        return real(records, times, fetched)

    monkeypatch.setattr(flows.table_join, "resolve_batch", fragile)
    out = run(tmp_path, [account(1), account(2), ticket(1, "KABOOM " + FRUSTRATED), ticket(2)])
    [dead] = dead_letters(out)
    assert dead["step"] == "resolve-accounts" and dead["offset"] == 3
    assert dead["error"].startswith("resolve-accounts failed: KeyError on record generic:t1:")
    assert alert_accounts(out) == {"a2"}


def test_a_ticket_whose_signals_fail_is_dead_lettered_and_still_alerts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dead letters of a stage's per-record steps leave it on a stream of their own."""
    import flows.stages.tickets

    real = flows.stages.tickets.signals_of_ticket

    def fragile(ticket, score, account_id, table):  # type: ignore[no-untyped-def]
        if "KABOOM" in ticket.body:
            raise ValueError("a bug on one ticket")
        return real(ticket, score, account_id, table)

    monkeypatch.setattr(flows.stages.tickets, "signals_of_ticket", fragile)
    out = run(tmp_path, [account(1), account(2), ticket(1, "KABOOM " + FRUSTRATED), ticket(2)])
    [dead] = dead_letters(out)
    assert dead["step"] == "ticket-signals" and dead["offset"] == 3
    assert alert_accounts(out) == {"a1", "a2"}  # the gate's alert does not need the signals
