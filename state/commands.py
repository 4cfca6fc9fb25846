"""Redis commands staged as the bare command, where redis-py's own method costs more than it.

redis-py 8's ``set`` checks its experimental arguments by binding its signature on
every call (``redis.utils.experimental_args``): 13 to 21 µs a ``SET`` against 0.6 µs
to stage the command itself. The ledger alone stages two a published record, so the
stores' per-record ``SET``s go through :func:`stage_set`, which stages what
``set(name, value, nx=…, get=…, ex=…)`` would, in the same order and with the same
reply handling (with ``get``, the old value; without it, whether it was set).

>>> import fakeredis
>>> pipe = fakeredis.FakeRedis().pipeline(transaction=False)
>>> stage_set(pipe, "k", b"v", ex=60, nx=True)
>>> stage_set(pipe, "k", b"w", ex=60, nx=True, get=True)
>>> pipe.execute()
[True, b'v']
"""

from __future__ import annotations

from typing import Any


def stage_set(pipe: Any, name: str | bytes, value: bytes | str, *, ex: int, nx: bool = False,
              get: bool = False) -> None:
    """``pipe.set(name, value, nx=nx, get=get, ex=ex)``, without the method's own checks.

    ``pipe`` is a pipeline or a :class:`~state.unit_of_work.UnitOfWork` (which forwards to
    its pipeline); ``ex`` is whole seconds, as every TTL in :class:`~state.keys.TTLs` is."""
    if nx and get:
        pipe.execute_command("SET", name, value, "NX", "GET", "EX", ex, get=True)
    elif nx:
        pipe.execute_command("SET", name, value, "NX", "EX", ex)
    elif get:
        pipe.execute_command("SET", name, value, "GET", "EX", ex, get=True)
    else:
        pipe.execute_command("SET", name, value, "EX", ex)
