"""``cuewire replay``: the same flow fed from a JSON-lines file, results to a callback.

Each line is ``{"topic": "<events|tickets|accounts|feedback>", "value": {…}}``
(CONTRACTS.md); ``key`` is optional. A ``value`` that is a string is sent as its
UTF-8 bytes; ``"raw_b64": "…"`` instead of ``value`` sends any bytes at all.
Coordinates are the file name and the line number, so a dead letter says exactly
which line was bad.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import bytewax.operators as op
import orjson
from bytewax.dataflow import Dataflow, Stream
from bytewax.inputs import DynamicSource, StatelessSourcePartition
from bytewax.outputs import FixedPartitionedSink, StatefulSinkPartition

from flows.pipeline import InputBuilder
from flows.stages.failures import DeadLetters
from flows.stages.items import Incoming, Outgoing
from operators.records import Coordinates

KINDS = ("events", "tickets", "accounts", "feedback")


def read_replay_file(path: Path) -> Iterator[Incoming]:
    """Yield one :class:`Incoming` per line; a line that is not a wrapper becomes one that
    decodes to a dead letter (kind ``tickets``, its raw bytes), so nothing is skipped silently."""
    with path.open("rb") as fh:
        for lineno, line in enumerate(fh, start=1):
            line = line.strip()
            if not line:
                continue
            coords = Coordinates(str(path), 0, lineno)
            try:
                wrapper = orjson.loads(line)
                kind = wrapper["topic"].removeprefix("cuewire.")
                if kind not in KINDS:
                    raise KeyError(kind)
                value = wrapper.get("value")
                key = wrapper.get("key")
                raw = None if value is None else (
                    value.encode() if isinstance(value, str) else orjson.dumps(value))
                if isinstance(wrapper.get("raw_b64"), str):  # any bytes at all, base64
                    raw = base64.b64decode(wrapper["raw_b64"], validate=True)
            except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError):
                yield Incoming("tickets", None, line, coords)
                continue
            yield Incoming(kind, key.encode() if isinstance(key, str) else None, raw, coords)


class _FileSource(DynamicSource[Incoming]):
    """Replay is the embedded single-worker mode: worker 0 reads the whole file in order."""

    def __init__(self, path: Path, batch_size: int, on_read: Callable[[int], object] | None = None) -> None:
        self._path = path
        self._batch_size = batch_size
        self._on_read = on_read

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _FilePartition:
        records = read_replay_file(self._path) if worker_index == 0 else iter(())
        return _FilePartition(records, self._batch_size, self._on_read)


class _FilePartition(StatelessSourcePartition[Incoming]):
    def __init__(self, records: Iterator[Incoming], batch_size: int,
                 on_read: Callable[[int], object] | None = None) -> None:
        self._records = records
        self._batch_size = batch_size
        self._on_read = on_read

    def next_batch(self) -> list[Incoming]:
        batch = list(itertools.islice(self._records, self._batch_size))
        if not batch:
            raise StopIteration
        if self._on_read is not None:
            self._on_read(len(batch))
        return batch


def file_inputs(path: Path, batch_size: int = 500,
                on_read: Callable[[int], object] | None = None) -> InputBuilder:
    """The file input step; ``on_read`` hears how many records each batch read (progress)."""
    def read(flow: Dataflow, dead_letters: DeadLetters) -> tuple[Stream[Incoming], None]:
        return op.input("file-in", flow, _FileSource(path, batch_size, on_read)), None

    return read


class CallbackSink(FixedPartitionedSink[Outgoing, None]):
    """Hands every published batch to ``write`` and then to ``on_published`` (one partition,
    so a replay's output keeps the flow's order)."""

    def __init__(self, write: Callable[[list[Outgoing]], None],
                 on_published: Callable[[list[Outgoing]], None],
                 claim: Callable[[list[Outgoing]], list[Outgoing]] | None = None) -> None:
        self._write = write
        self._on_published = on_published
        self._claim = claim or (lambda batch: batch)

    def list_parts(self) -> list[str]:
        return ["out"]

    def build_part(self, step_id: str, for_part: str, resume_state: None) -> _CallbackPartition:
        return _CallbackPartition(self._write, self._on_published, self._claim)


class _CallbackPartition(StatefulSinkPartition[Outgoing, None]):
    def __init__(self, write: Callable[[list[Outgoing]], None],
                 on_published: Callable[[list[Outgoing]], None],
                 claim: Callable[[list[Outgoing]], list[Outgoing]]) -> None:
        self._write = write
        self._on_published = on_published
        self._claim = claim

    def write_batch(self, values: list[Outgoing]) -> None:
        values = self._claim(values)  # the ledger drops what this replay already wrote
        self._write(values)
        self._on_published(values)

    def snapshot(self) -> None:
        return None
