"""What ``cuewire report`` and the console measure from: the alert, digest, feedback and account
topics read to their end, or JSON-lines files of the same records (for offline use).

A file line is either wrapped, ``{"topic": "alerts|digest|feedback|accounts|alerts.shadow",
"key"?, "value"}``
(the shape of ``cuewire replay --include alerts,digest`` output and of replay input), or a
bare value: a CloudEvent (alert or digest) or a feedback record. Lines that are neither,
and input records (events, tickets), are skipped and counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from operators.measure_records import (
    AccountChange,
    Decision,
    RaisedAlert,
    account_change,
    decision,
    raised_alert,
)

SHADOW_KIND = "alerts.shadow"
"""The topic kind of shadow alerts: ``cuewire.alerts.shadow`` beside ``cuewire.alerts``."""


@dataclass
class Measured:
    """Everything read, in input order."""

    alerts: list[RaisedAlert] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    accounts: list[AccountChange] = field(default_factory=list)
    shadow: list[RaisedAlert] = field(default_factory=list)
    """Alerts a candidate rules file raised beside the live one (``cuewire.alerts.shadow``)."""
    skipped: int = 0

    def add(self, topic: str | None, key: str | None, value: Any,
            timestamp: datetime | None = None) -> None:
        kind = (topic or "").removeprefix("cuewire.")
        if kind == "accounts":
            change = account_change(key, value if isinstance(value, Mapping) else None, timestamp)
            self._keep(change, self.accounts)
        elif not isinstance(value, Mapping):
            self.skipped += 1
        elif kind == SHADOW_KIND:
            self._keep(raised_alert(value), self.shadow)
        elif kind in ("alerts", "digest") or (not kind and "specversion" in value):
            self._keep(raised_alert(value), self.alerts, quiet=kind == "digest")
        elif kind == "feedback" or (not kind and "decision" in value):
            self._keep(decision(value), self.decisions)
        else:
            self.skipped += 1

    def _keep(self, item: Any, into: list[Any], quiet: bool = False) -> None:
        if item is not None:
            into.append(item)
        elif not quiet:  # most digest records are not alerts: not worth a mention
            self.skipped += 1


def read_files(paths: Iterable[Path], into: Measured | None = None) -> Measured:
    """Every line of every file, in order; a line that is not JSON is counted as skipped."""
    measured = into or Measured()
    for path in paths:
        with path.open("rb") as fh:
            for line in fh:
                if not line.strip():
                    continue
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError:
                    measured.skipped += 1
                    continue
                if isinstance(record, dict) and "topic" in record and "value" in record:
                    key = record.get("key")
                    at = record.get("timestamp")
                    measured.add(str(record["topic"]), key if isinstance(key, str) else None,
                                 record["value"], _ms(at))
                else:
                    measured.add(None, None, record)
    return measured


def _ms(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, UTC)
    return None


def read_kafka(settings: Any, into: Measured | None = None, *, shadow: bool = False) -> Measured:
    """The alerts, digest, feedback and accounts topics, each from its start to its current end
    (and, with ``shadow``, the alerts topic's ``.shadow`` sibling)."""
    from flows.kafka_io import read_to_end

    measured = into or Measured()
    conf = settings.kafka_consumer()
    topics = [("alerts", settings.topic_alerts), ("digest", settings.topic_digest),
              ("feedback", settings.topic_feedback), ("accounts", settings.topic_accounts)]
    if shadow:
        topics.append((SHADOW_KIND, settings.shadow_outputs().topic_alerts))
    for kind, topic in topics:
        for key, value in read_to_end(conf, topic):
            try:
                body = orjson.loads(value) if value else None
            except orjson.JSONDecodeError:
                measured.skipped += 1
                continue
            measured.add(kind, key.decode("utf-8", "replace") if key else None, body)
    return measured
