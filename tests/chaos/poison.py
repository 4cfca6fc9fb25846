"""The poison corpus: hostile records of every input kind, and good traffic to mix with them.

``poison_corpus.jsonl`` holds one record per line, in the replay file's wrapper
(CONTRACTS.md) with a few additions so that any bytes can be written down:

``{"topic": "events|tickets|accounts|feedback", …}`` and one of

* ``"value": {…}`` — a JSON value, sent as its JSON (``null``: no value, a tombstone);
* ``"value": "…"`` — text, sent as its UTF-8 bytes exactly (so ``"{\\"a\\": NaN}"``
  is the bytes of invalid JSON, not a JSON string);
* ``"raw_b64": "…"`` — any bytes, base64; with ``"repeat": N`` the bytes N times
  over (how a 1.6 MB record fits in a small file);

optionally ``"key": "…"`` (or ``"key_b64"``), and what the flow must make of it:

* ``"expect": "…"`` — it is poison: exactly one dead letter, whose ``error``
  contains this text;
* ``"plain": true`` — it is a valid record with hostile text (markup, control
  and bidi characters): no dead letter, and every alert or digest it leads to
  is plain text.

``note`` says what the line is, for people. :func:`load_poison_corpus` gives the
records as ``(kind, key, value)`` for a producer (map ``kind`` to a topic name
with ``Settings.topic``); :func:`load_poison_cases` gives the expectations too.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import orjson

CORPUS = Path(__file__).with_name("poison_corpus.jsonl")
Kind = Literal["events", "tickets", "accounts", "feedback"]
KINDS: tuple[Kind, ...] = ("events", "tickets", "accounts", "feedback")
Record = tuple[Kind, bytes | None, bytes | None]
"""(input kind, Kafka key, Kafka value); a value of None is a tombstone."""


@dataclass(frozen=True, slots=True)
class PoisonCase:
    kind: Kind
    key: bytes | None
    value: bytes | None
    expect: str | None
    """A dead letter's ``error`` contains this; None for a valid record with hostile text."""
    note: str
    line: int

    @property
    def record(self) -> Record:
        return self.kind, self.key, self.value


def load_poison_cases(path: Path = CORPUS) -> list[PoisonCase]:
    cases = []
    for lineno, line in enumerate(path.read_bytes().splitlines(), start=1):
        if not line.strip():
            continue
        entry = orjson.loads(line)
        kind = entry["topic"].removeprefix("cuewire.")
        if kind not in KINDS:
            raise ValueError(f"{path}:{lineno}: unknown topic {entry['topic']!r}")
        expect, plain = entry.get("expect"), entry.get("plain", False)
        if (expect is None) == (not plain):
            raise ValueError(f"{path}:{lineno}: give exactly one of expect or plain")
        cases.append(PoisonCase(kind, _key(entry), _value(entry), expect, entry.get("note", ""),
                                lineno))
    return cases


def load_poison_corpus(path: Path = CORPUS) -> list[Record]:
    """Every hostile record as (kind, key bytes or None, value bytes or None), in file order."""
    return [case.record for case in load_poison_cases(path)]


def _key(entry: dict[str, Any]) -> bytes | None:
    if "key_b64" in entry:
        return base64.b64decode(entry["key_b64"])
    key = entry.get("key")
    return key.encode() if isinstance(key, str) else None


def _value(entry: dict[str, Any]) -> bytes | None:
    if "raw_b64" in entry:
        return base64.b64decode(entry["raw_b64"]) * int(entry.get("repeat", 1))
    value = entry.get("value")
    if value is None:
        return None
    return value.encode() if isinstance(value, str) else orjson.dumps(value)


# --- good traffic -----------------------------------------------------------

GOOD_AT = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
FRUSTRATED = "Our numbers are wrong in every report since Monday and data disappeared"
UPGRADE = "What's included in the Pro plan? We need to add more users"


def good_traffic(accounts: int = 12, start: datetime = GOOD_AT) -> list[Record]:
    """Accounts, then for each a frustrated ticket (a gate alert) and, for every third,
    pricing views and an upgrade question (an upgrade-intent alert): alerts that any
    amount of poison around them must leave exactly as they are."""
    records: list[Record] = []
    for i in range(accounts):
        records.append(("accounts", f"good-{i}".encode(), orjson.dumps({
            "account_id": f"good-{i}", "name": f"Good {i}", "mrr": 4000 + i,
            "domains": [f"good{i}.example"], "contacts": [f"dana@good{i}.example"],
            "cs_owner": {"name": "Riley Chen", "email": "riley@vendor.example"},
            "consent": {"email": True}})))
    for i in range(accounts):
        at = start + timedelta(hours=i)
        records.append(("tickets", None, _generic(f"good-t{i}", f"dana@good{i}.example",
                                                  FRUSTRATED, at)))
        if i % 3 == 0:
            for n in range(2):
                records.append(("events", f"u-good-{i}".encode(), orjson.dumps({
                    "type": "track", "event": "Pricing Page Viewed", "userId": f"u-good-{i}",
                    "messageId": f"good-m{i}-{n}",
                    "timestamp": (at + timedelta(days=3, minutes=n)).isoformat(),
                    "context": {"groupId": f"good-{i}"}})))
    return records


def _generic(ticket_id: str, email: str, body: str, at: datetime) -> bytes:
    return orjson.dumps({"source": "generic", "ticket_id": ticket_id, "requester_email": email,
                         "subject": "", "body": body, "created_at": at.isoformat()})


def interleave(good: list[Record], poison: list[Record], every: int = 1) -> list[Record]:
    """``good`` with one poison record after every ``every`` good ones (the rest at the end),
    each list's own order kept."""
    out: list[Record] = []
    rest = list(poison)
    for n, record in enumerate(good, start=1):
        out.append(record)
        if n % every == 0 and rest:
            out.append(rest.pop(0))
    return out + rest


def replay_line(record: Record) -> bytes:
    """One line of a ``cuewire replay`` file carrying ``record``'s bytes exactly."""
    kind, key, value = record
    entry: dict[str, Any] = {"topic": kind}
    if key is not None:
        entry["key"] = key.decode("utf-8", "replace")
    if value is not None:
        entry["raw_b64"] = base64.b64encode(value).decode("ascii")
    return orjson.dumps(entry)
