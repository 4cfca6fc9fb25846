"""The record builder: timed records in, Kafka-shaped records out, every id from one seeded RNG."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import orjson

TopicKind = Literal["accounts", "events", "tickets"]
SampleRecord = tuple[str, bytes | None, bytes]

SAMPLE_START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
"""Default start of the sampled fortnight (a Monday)."""

SAMPLE_DAYS = 14


class Builder:
    """Accumulates timed records; ids come from one seeded RNG so output is reproducible."""

    def __init__(self, rng: random.Random, start: datetime) -> None:
        self.rng = rng
        self.start = start
        self.items: list[tuple[datetime, int, str, bytes | None, bytes]] = []
        self.zendesk_ticket = 48100
        self.intercom_conversation = 215472193845100
        self.generic_ticket = 20900

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def digits(self, n: int) -> str:
        return str(self.rng.randrange(10 ** (n - 1), 10**n))

    def add(self, at: datetime, kind: TopicKind, key: str | None, value: dict[str, Any]) -> bytes:
        raw = orjson.dumps(value)
        self.add_raw(at, kind, key, raw)
        return raw

    def add_raw(self, at: datetime, kind: TopicKind, key: str | None, raw: bytes) -> None:
        self.items.append((at, len(self.items), kind, key.encode() if key else None, raw))

    def at(self, day: int, hour_from: int = 8, hour_to: int = 18) -> datetime:
        """A random moment of working hours on the ``day``-th day of the sample."""
        base = self.start + timedelta(days=day)
        seconds = self.rng.randrange(hour_from * 3600, hour_to * 3600)
        return base.replace(hour=0, minute=0, second=0) + timedelta(seconds=seconds)
