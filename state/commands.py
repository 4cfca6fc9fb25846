"""Redis commands staged as the bare command, where redis-py's own method costs more than it.

redis-py 8's ``set`` checks its experimental arguments by binding its signature on
every call (``redis.utils.experimental_args``): 13 to 21 µs a ``SET`` against 0.6 µs
to stage the command itself. The ledger alone stages two a published record, so the
stores' per-record ``SET``s go through :func:`stage_set`, which stages what
``set(name, value, nx=…, get=…, ex=…)`` would, in the same order and with the same
reply handling (with ``get``, the old value; without it, whether it was set).
The window exchange's five commands a window (``state/windows.py``) cost 1.3 to
2.3 µs each through their methods and 0.2 to 0.4 µs staged here, likewise.

>>> import fakeredis
>>> pipe = fakeredis.FakeRedis().pipeline(transaction=False)
>>> stage_set(pipe, "k", b"v", ex=60, nx=True)
>>> stage_set(pipe, "k", b"w", ex=60, nx=True, get=True)
>>> pipe.execute()
[True, b'v']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def stage_set(pipe: Any, name: str | bytes, value: bytes | str, *, ex: int, nx: bool = False,
              get: bool = False) -> None:
    """``pipe.set(name, value, nx=nx, get=get, ex=ex)``, without the method's own checks.

    ``pipe`` is a pipeline or a :class:`~state.unit_of_work.UnitOfWork` (which forwards to
    its pipeline); ``ex`` is whole seconds, as every TTL in :class:`~state.keys.TTLs` is."""
    stage = pipe.pipeline_execute_command
    if nx and get:
        stage("SET", name, value, "NX", "GET", "EX", ex, get=True)
    elif nx:
        stage("SET", name, value, "NX", "EX", ex)
    elif get:
        stage("SET", name, value, "GET", "EX", ex, get=True)
    else:
        stage("SET", name, value, "EX", ex)


def stage_zadd(pipe: Any, name: str, mapping: Mapping[bytes, float]) -> None:
    """``pipe.zadd(name, mapping)`` (no flags)."""
    pieces: list[Any] = []
    for member, score in mapping.items():
        pieces += (score, member)
    pipe.pipeline_execute_command("ZADD", name, *pieces)


def stage_zremrangebyscore(pipe: Any, name: str, low: float | str, high: float | str) -> None:
    """``pipe.zremrangebyscore(name, low, high)``."""
    pipe.pipeline_execute_command("ZREMRANGEBYSCORE", name, low, high)


def stage_zremrangebyrank(pipe: Any, name: str, start: int, end: int) -> None:
    """``pipe.zremrangebyrank(name, start, end)``."""
    pipe.pipeline_execute_command("ZREMRANGEBYRANK", name, start, end)


def stage_expire(pipe: Any, name: str, seconds: int) -> None:
    """``pipe.expire(name, seconds)``."""
    pipe.pipeline_execute_command("EXPIRE", name, seconds)


def stage_zrevrangebyscore(pipe: Any, name: str, high: float | str, low: float | str, *, start: int,
                           num: int) -> None:
    """``pipe.zrevrangebyscore(name, high, low, start=start, num=num)`` (members, no scores)."""
    pipe.pipeline_execute_command("ZREVRANGEBYSCORE", name, high, low, "LIMIT", start, num,
                                  withscores=False, score_cast_func=float, keys=[name])
