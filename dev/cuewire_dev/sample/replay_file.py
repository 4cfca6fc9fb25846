"""The sample as a ``cuewire replay`` input file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import orjson

from cuewire_dev.sample.builder import SampleRecord


def write_jsonl(records: Iterable[SampleRecord], path: str | Path) -> int:
    """Write records in the ``cuewire replay`` format; return how many lines were written.

    Each line is ``{"topic": "<events|tickets|accounts|feedback>", "value": {...}}``.
    A value that is not a JSON object (the sample's deliberately truncated body)
    cannot be wrapped that way and is left out; the sample's other broken records
    are valid JSON and are written, so a replay still dead-letters them.
    """
    written = 0
    with Path(path).open("wb") as out:
        for kind, _key, raw in records:
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(value, dict):
                continue
            out.write(orjson.dumps({"topic": kind, "value": value}))
            out.write(b"\n")
            written += 1
    return written
