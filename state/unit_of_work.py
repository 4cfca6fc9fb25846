"""A batch's unit of work: its reads and writes to Redis, gathered and sent as one pipeline.

A step that touches several stores begins one :class:`UnitOfWork` per batch and
hands it to each store; the stores stage their commands on it and give back a
:class:`Reply` for what they read. :meth:`UnitOfWork.send` sends everything staged
in one round trip and fills the replies; staging may go on after it, for the writes
that depend on what was read, and a second ``send`` takes those. So flows never
build a pipeline or pass a store's replies to another.

>>> import fakeredis
>>> uow = UnitsOfWork(fakeredis.FakeRedis()).begin()
>>> _ = uow.set("k", "v")  # a store stages its commands as on a pipeline
>>> _ = uow.get("k")
>>> got = uow.read(lambda replies: replies[-1])
>>> uow.send()
>>> got.value
b'v'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import redis
from redis.client import Pipeline

if TYPE_CHECKING:
    from state.model_store import AlertTexts

T = TypeVar("T")


class Reply(Generic[T]):
    """What a staged read returns, once its unit of work has been sent."""

    __slots__ = ("_ready", "_value")

    def __init__(self) -> None:
        self._ready = False
        self._value: T | None = None

    @classmethod
    def of(cls, value: T) -> Reply[T]:
        """A reply that needed no round trip (nothing to read)."""
        reply: Reply[T] = cls()
        reply._set(value)
        return reply

    def _set(self, value: T) -> None:
        self._value, self._ready = value, True

    @property
    def value(self) -> T:
        if not self._ready:
            raise RuntimeError("a unit of work's reply was read before the unit was sent")
        return self._value  # type: ignore[return-value]


class UnitOfWork:
    """One batch's commands for every store it touches, sent together.

    Stores stage Redis commands on it as on a pipeline (it forwards them to its own);
    :meth:`read` registers how a store reads its replies.
    """

    def __init__(self, client: redis.Redis) -> None:
        self._pipe: Pipeline = client.pipeline(transaction=False)
        self._readers: list[tuple[Callable[[list[Any]], Any], Reply[Any]]] = []

    def __getattr__(self, command: str) -> Any:
        return getattr(self._pipe, command)

    def __len__(self) -> int:
        return len(self._pipe)

    def read(self, reader: Callable[[list[Any]], T]) -> Reply[T]:
        """What ``reader`` makes of the replies of this round (every command staged so far
        in it, by position), once :meth:`send` has sent it."""
        reply: Reply[T] = Reply()
        self._readers.append((reader, reply))
        return reply

    def send(self) -> None:
        """Send what was staged (nothing, if nothing was) and fill this round's replies."""
        replies: list[Any] = self._pipe.execute() if len(self._pipe) else []
        readers, self._readers = self._readers, []
        for reader, reply in readers:
            reply._set(reader(replies))


class UnitsOfWork:
    """Begins the units of work of one Redis client."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    def begin(self) -> UnitOfWork:
        return UnitOfWork(self._client)


def remember_alert_texts(uow: UnitOfWork, texts: AlertTexts, alerts: Iterable[tuple[str, str]]) -> int:
    """Stage ``AlertTexts.stage_remember`` (``state/model_store.py``, which stages on a bare
    pipeline) in ``uow``."""
    return texts.stage_remember(uow._pipe, alerts)
