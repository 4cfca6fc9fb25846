"""What happens when handling one record raises: it becomes that record's dead letter.

A step's exception caused by its record (a library bug on odd input, arithmetic
that overflows, a field of a shape nobody expected) must not stop the flow, and
re-reading the record after a restart must not stop it again. A dependency's
failure is not the record's fault: it is raised on, for the flow to retry or
stop (``DependencyDown``, Redis and Kafka client errors).

The reason names the step and the exception's type, never its message (which
may quote the record); the dead letter carries the record's coordinates.
"""

from __future__ import annotations

import re

import redis
from confluent_kafka import KafkaException

from contracts.errors import DependencyDown, PoisonRecord

_DEPENDENCY_ERRORS: tuple[type[BaseException], ...] = (DependencyDown, redis.RedisError, KafkaException)
_SAFE_ID = re.compile(r"[^\w.:@+/=-]")
ID_LIMIT = 120


def is_dependency_failure(exc: BaseException) -> bool:
    """A server did not answer: not the record's fault, and not dead-lettered.

    >>> is_dependency_failure(redis.ConnectionError("refused"))
    True
    >>> is_dependency_failure(OverflowError("date value out of range"))
    False
    """
    return isinstance(exc, _DEPENDENCY_ERRORS)


def failure_reason(step: str, exc: BaseException, record_id: str | None = None) -> str:
    """The dead letter's ``error``: which step, what kind of failure, which record.

    >>> failure_reason("score-tickets", ZeroDivisionError("x"))
    'score-tickets failed: ZeroDivisionError'
    >>> failure_reason("match-patterns", OverflowError("date value out of range"), "generic:T-1")
    'match-patterns failed: OverflowError (a date or number out of range) on record generic:T-1'
    >>> failure_reason("render", PoisonRecord("alert text not renderable"))
    'render: alert text not renderable'
    """
    if isinstance(exc, PoisonRecord):
        reason = f"{step}: {exc}"
    else:
        reason = f"{step} failed: {type(exc).__name__}"
        if isinstance(exc, OverflowError):
            reason += " (a date or number out of range)"
        elif isinstance(exc, RecursionError):
            reason += " (nested too deep)"
    if record_id:
        reason += f" on record {safe_id(record_id)}"
    return reason


def safe_id(value: str) -> str:
    """An id as it may appear in a reason: short, and nothing but id-like characters.

    >>> safe_id("zendesk:123")
    'zendesk:123'
    >>> safe_id("a\\x1b[31m b" + "x" * 200)[:12]
    'a??31m?bxxxx'
    """
    shown = _SAFE_ID.sub("?", value[:ID_LIMIT])
    return shown + "…" if len(value) > ID_LIMIT else shown
