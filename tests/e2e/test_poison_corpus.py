"""The poison corpus interleaved with good traffic, through `cuewire replay`: nothing stops
the flow, each hostile record is one dead letter with its own reason, hostile text comes
out plain, and the good traffic's alerts are exactly what they are without the poison."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from cuewire.cli import app
from operators.sanitise import TAG_SHAPE
from tests.chaos.poison import (
    KINDS,
    PoisonCase,
    Record,
    good_traffic,
    interleave,
    load_poison_cases,
    replay_line,
)
from tests.published import assert_published, text_fields

CASES = load_poison_cases()
UNSAFE = set(map(chr, [*range(0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0)])) | set(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def replay_records(tmp_path: Path, name: str, records: list[Record]) -> list[dict]:
    path = tmp_path / f"{name}.jsonl"
    path.write_bytes(b"\n".join(replay_line(r) for r in records) + b"\n")
    out = tmp_path / f"{name}.out.jsonl"
    result = CliRunner().invoke(app, ["replay", str(path), "--out", str(out),
                                      "--include", "alerts,digest,dlq"])
    assert result.exit_code == 0, (result.output, result.exception)
    return [orjson.loads(line) for line in out.read_bytes().splitlines()]


def test_the_corpus_is_big_and_covers_every_input_kind() -> None:
    poison = [c for c in CASES if c.expect]
    assert len(poison) >= 40
    assert {c.kind for c in poison} == set(KINDS)
    assert {c.kind for c in CASES if not c.expect} >= {"tickets", "accounts", "events"}
    assert max(len(c.value or b"") for c in CASES) > 1_500_000


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], list[dict], dict[int, PoisonCase]]:
    tmp = tmp_path_factory.mktemp("poison")
    good = good_traffic()
    mixed = interleave(good, [c.record for c in CASES])
    # Which line of the mixed file each case is on (replay coordinates are line numbers).
    lines: dict[int, PoisonCase] = {}
    remaining = iter(CASES)
    for lineno, record in enumerate(mixed, start=1):
        if record not in good:
            case = next(remaining)
            assert case.record == record
            lines[lineno] = case
    return replay_records(tmp, "good", good), replay_records(tmp, "mixed", mixed), lines


def test_what_is_published_keeps_to_the_published_schemas(runs) -> None:  # type: ignore[no-untyped-def]
    _, mixed, _ = runs
    for kind in ("alerts", "digest", "dlq"):
        assert_published(kind, [o["value"] for o in mixed if o["topic"] == kind])
    assert any(o["value"].get("value_truncated") for o in mixed if o["topic"] == "dlq")


def test_each_hostile_record_is_exactly_one_dead_letter_with_its_reason(runs) -> None:  # type: ignore[no-untyped-def]
    _, mixed, lines = runs
    dead = [o["value"] for o in mixed if o["topic"] == "dlq"]
    per_line = Counter(d["offset"] for d in dead)
    poison_lines = {n for n, c in lines.items() if c.expect}
    assert set(per_line) == poison_lines
    assert all(n == 1 for n in per_line.values()), per_line
    for d in dead:
        case = lines[d["offset"]]
        assert case.expect in d["error"], (case.note, d["error"])
        assert len(orjson.dumps(d)) < 200_000


def test_the_good_traffic_alerts_exactly_as_without_the_poison(runs) -> None:  # type: ignore[no-untyped-def]
    good, mixed, _ = runs
    good_ids = sorted(o["value"]["id"] for o in good if o["topic"] == "alerts")
    mixed_good_ids = sorted(o["value"]["id"] for o in mixed if o["topic"] == "alerts"
                            and o["value"]["subject"].startswith("good-"))
    assert len(good_ids) >= 12
    assert mixed_good_ids == good_ids


def test_hostile_text_is_published_as_plain_text(runs) -> None:  # type: ignore[no-untyped-def]
    _, mixed, _ = runs
    published = [o["value"] for o in mixed if o["topic"] in ("alerts", "digest")]
    hostile = [p for p in published if p["subject"] == "acct-hostile"]
    assert any(p["type"].startswith("io.cuewire.alert.") for p in hostile)
    for body in published:
        for text in text_fields(body):
            assert not TAG_SHAPE.search(text), text
            assert not set(text) & UNSAFE, repr(text)
    names = {p["data"].get("account_name") for p in hostile} - {None}
    assert names == {"Evil Corp"}
