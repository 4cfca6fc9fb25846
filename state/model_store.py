"""The learned scorer's checkpoints, its feedback fence, and the alert texts feedback refers to.

Keys (shaped by :class:`state.keys.Keyspace`, all with a TTL):

* ``<prefix>model:<name>:head`` — the number of the newest checkpoint;
* ``<prefix>model:<name>:v:<n>`` — checkpoint ``n``: one JSON document holding the
  model state *and* the feedback fence it reflects, so the two can never
  disagree;
* ``<prefix>alert-text:<alert_id>`` — the text of the ticket an alert was about,
  kept so that a reviewer's feedback (which names only the alert) can teach
  the model. The text is a value, never part of a key.

**Writing** is optimistic: ``WATCH`` the head, read it, then in one
``MULTI``/``EXEC`` write checkpoint ``head + 1``, move the head to it and let the
previous checkpoint expire after a short grace (a reader that resolved the old
head a moment ago can still fetch it). If another writer moved the head in the
meantime the transaction fails with :class:`StaleCheckpoint` and nothing is
written; the learner reloads the newest checkpoint and applies its batch
again. JSON only (orjson): a checkpoint is data and is never unpickled.

**The fence** records, per feedback partition, the offset of the last feedback
record the model learned from. A record at or below it has already taught the
model, so a redelivery (a restart without recovery, a replay) teaches nothing.

**Sharing learning across workers**: one learner, many readers. The flow routes
every feedback record to one worker (keyed by a constant, see
``flows.learning``), which learns and checkpoints; every process's scorer
polls the head every ``reload_seconds`` (a single ``GET``) and loads a newer
checkpoint when there is one. Two learners by mistake stay correct — the
loser of a race reloads and re-applies above the fence — only wasteful.

>>> keys = ModelKeys("cw:")
>>> keys.head, keys.version(7), keys.alert_text("a-1")
('cw:model:scorer:head', 'cw:model:scorer:v:7', 'cw:alert-text:a-1')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import redis
from redis.client import Pipeline

from contracts.errors import ConfigurationError, DependencyDown
from state.commands import stage_set
from state.keys import Keyspace, TTLs

MODEL_NAME = "scorer"
CHECKPOINT_FORMAT = "cuewire.checkpoint/1"


_TTLS = TTLs()


@dataclass(frozen=True, slots=True)
class ModelTTLs:
    """Seconds each kind of model key lives after its last write (defaults: :class:`TTLs`')."""

    checkpoint: int = _TTLS.model_checkpoint
    superseded: int = _TTLS.model_superseded
    alert_text: int = _TTLS.alert_text


class ModelKeys:
    """One model's keys, as :class:`state.keys.Keyspace` shapes them."""

    def __init__(self, prefix: str, name: str = MODEL_NAME) -> None:
        self.prefix = prefix
        self.name = name
        self._keyspace = Keyspace(prefix)
        self.head = self._keyspace.model_head(name)

    def version(self, number: int) -> str:
        return self._keyspace.model_checkpoint(self.name, number)

    def alert_text(self, alert_id: str) -> str:
        return self._keyspace.alert_text(alert_id)


@dataclass(slots=True)
class FeedbackFence:
    """Per feedback partition, the offset of the last record the model learned from.

    >>> fence = FeedbackFence()
    >>> fence.admit(0, 10), fence.admit(0, 10), fence.admit(0, 9), fence.admit(1, 3)
    (True, False, False, True)
    >>> fence.offsets
    {0: 10, 1: 3}
    """

    offsets: dict[int, int] = field(default_factory=dict)

    def admits(self, partition: int, offset: int) -> bool:
        """Whether the record at (partition, offset) has not taught the model yet."""
        return offset > self.offsets.get(partition, -1)

    def admit(self, partition: int, offset: int) -> bool:
        """:meth:`admits`, and if so move the fence past the record."""
        if not self.admits(partition, offset):
            return False
        self.offsets[partition] = offset
        return True

    def copy(self) -> FeedbackFence:
        return FeedbackFence(dict(self.offsets))

    def to_json(self) -> dict[str, int]:
        return {str(p): o for p, o in self.offsets.items()}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> FeedbackFence:
        return cls({int(p): int(o) for p, o in raw.items()})


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One stored model: its version, its state (JSON-ready) and the fence it reflects."""

    version: int
    state: dict[str, Any]
    fence: FeedbackFence


class StaleCheckpoint(Exception):
    """Another writer moved the head since it was read; nothing was written."""


class ModelStore:
    """Reads and writes the scorer's checkpoints in Redis."""

    def __init__(self, client: redis.Redis, prefix: str, *, name: str = MODEL_NAME,
                 ttls: ModelTTLs | None = None) -> None:
        self._r = client
        self.keys = ModelKeys(prefix, name)
        self.ttls = ttls or ModelTTLs()

    def head(self) -> int | None:
        """The newest checkpoint's version, or ``None`` when there is none."""
        raw = self._call(self._r.get, self.keys.head)
        return int(raw) if raw is not None else None

    def load(self, version: int | None = None) -> Checkpoint | None:
        """Checkpoint ``version`` (default: the newest), or ``None`` if there is none."""
        if version is None:
            version = self.head()
            if version is None:
                return None
        blob = self._call(self._r.get, self.keys.version(version))
        if blob is None:
            return None
        return _decode(version, blob)

    def load_if_newer(self, than: int | None) -> Checkpoint | None:
        """The newest checkpoint when it is newer than version ``than``; else ``None``."""
        head = self.head()
        if head is None or (than is not None and head <= than):
            return None
        return self.load(head)

    def save(self, state: Mapping[str, Any], fence: FeedbackFence, *,
             expected_head: int | None) -> int:
        """Write a new checkpoint after ``expected_head``, atomically; returns its version.

        Raises :class:`StaleCheckpoint` when the head is no longer ``expected_head``.
        """
        blob = orjson.dumps({"format": CHECKPOINT_FORMAT, "fence": fence.to_json(), "state": state})
        head_key = self.keys.head
        try:
            with self._r.pipeline(transaction=True) as pipe:
                pipe.watch(head_key)  # type: ignore[no-untyped-call]
                raw = pipe.get(head_key)
                current = int(raw) if raw is not None else None
                if current != expected_head:
                    raise StaleCheckpoint(f"head is v{current}, expected v{expected_head}")
                version = (current or 0) + 1
                pipe.multi()
                pipe.set(self.keys.version(version), blob, ex=self.ttls.checkpoint)
                pipe.set(head_key, version, ex=self.ttls.checkpoint)
                if current is not None:
                    pipe.expire(self.keys.version(current), self.ttls.superseded)
                pipe.execute()
        except redis.WatchError:
            raise StaleCheckpoint(f"head moved past v{expected_head} while writing") from None
        except redis.ConnectionError as exc:
            raise DependencyDown(f"Redis: cannot write model checkpoint "
                                 f"({exc.__class__.__name__})") from None
        return version

    def _call(self, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except redis.ConnectionError as exc:
            raise DependencyDown(f"Redis: cannot read model checkpoint "
                                 f"({exc.__class__.__name__})") from None


def _decode(version: int, blob: bytes) -> Checkpoint:
    try:
        doc = orjson.loads(blob)
    except orjson.JSONDecodeError:
        raise ConfigurationError(f"model checkpoint v{version} is not valid JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != CHECKPOINT_FORMAT:
        raise ConfigurationError(f"model checkpoint v{version} is not a {CHECKPOINT_FORMAT} "
                                 "document")
    return Checkpoint(version, doc["state"], FeedbackFence.from_json(doc.get("fence") or {}))


class AlertTexts:
    """alert id → the ticket text it was about, so feedback on the alert can teach the model."""

    def __init__(self, client: redis.Redis, prefix: str, *, ttls: ModelTTLs | None = None) -> None:
        self._r = client
        self._keys = ModelKeys(prefix)
        self._ttl = (ttls or ModelTTLs()).alert_text

    def remember(self, alerts: Iterable[tuple[str, str]]) -> int:
        """Store (alert_id, text) pairs in one pipeline; returns how many."""
        pipe = self._r.pipeline(transaction=False)
        count = self.stage_remember(pipe, alerts)
        if count:
            try:
                pipe.execute()
            except redis.ConnectionError as exc:
                raise DependencyDown(f"Redis: cannot store alert texts "
                                     f"({exc.__class__.__name__})") from None
        return count

    def stage_remember(self, pipe: Pipeline, alerts: Iterable[tuple[str, str]]) -> int:
        """:meth:`remember`'s writes, added to ``pipe``; returns how many."""
        count = 0
        for alert_id, text in alerts:
            stage_set(pipe, self._keys.alert_text(alert_id), text.encode("utf-8"), ex=self._ttl)
            count += 1
        return count

    def fetch(self, alert_ids: Sequence[str]) -> list[str | None]:
        """The texts of ``alert_ids`` (``None`` where unknown or expired), in order."""
        if not alert_ids:
            return []
        try:
            raw = self._r.mget([self._keys.alert_text(a) for a in alert_ids])
        except redis.ConnectionError as exc:
            raise DependencyDown(f"Redis: cannot read alert texts "
                                 f"({exc.__class__.__name__})") from None
        return [r.decode("utf-8") if isinstance(r, bytes) else r for r in raw]
