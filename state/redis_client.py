"""Connecting to Redis, and refusing one that would lose state on restart."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from config.settings import mask_url
from contracts.errors import ConfigurationError, DependencyDown

RETRY_SETTING = "CUEWIRE_REDIS_RETRY_SECONDS"
T = TypeVar("T")


def connect(url: str, *, allow_volatile: bool = False, retry_seconds: float = 60.0,
            on_gone: Callable[[DependencyDown], None] | None = None) -> redis.Redis:
    """A client for ``url``, checked for reachability and append-only persistence.

    Cooldowns, windows and the alert ledger must survive a Redis restart; a
    server without AOF would silently forget them, so the flow refuses it
    unless ``allow_volatile`` says this is a throwaway run. A Redis that stops
    answering (restarting, a network blip) is retried with backoff for
    ``retry_seconds``; then the call raises :class:`DependencyDown` naming it, after
    handing it to ``on_gone`` (the running flow stops there, with one line).
    """
    try:
        client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5,
                                      health_check_interval=30,
                                      retry=RetryFor(retry_seconds, mask_url(url), on_gone),
                                      retry_on_error=[redis.ConnectionError, redis.TimeoutError])
    except ValueError:  # its message may quote the URL, password and all
        raise ConfigurationError(
            f"CUEWIRE_REDIS_URL: {mask_url(url)} is not a Redis URL the client can use") from None
    pool = client.connection_pool
    base = pool.connection_class
    pool.connection_class = type(f"Counted{base.__name__}", (_Counted, base), {})
    info = client.info("persistence")
    if not allow_volatile and not int(info.get("aof_enabled", 0)):
        raise ConfigurationError(
            f"Redis at {_redacted(url)} has append-only persistence off, so cooldowns and the "
            "alert ledger would be lost on restart: enable `appendonly yes`, or set "
            "CUEWIRE_ALLOW_VOLATILE_REDIS=true for a throwaway run"
        )
    return client


class RetryFor(Retry):
    """Retries with exponential backoff (0.1 s doubling, at most 2 s apart) until
    ``seconds`` have passed since the first failure, then gives up with one line that
    names Redis and the setting."""

    def __init__(self, seconds: float, where: str,
                 on_gone: Callable[[DependencyDown], None] | None = None) -> None:
        super().__init__(ExponentialBackoff(cap=2.0, base=0.1), retries=-1,
                         supported_errors=(redis.ConnectionError, redis.TimeoutError))
        self._seconds = seconds
        self._where = where
        self._on_gone = on_gone

    def call_with_retry(self, do: Callable[[], T], fail: Callable[..., Any],
                        is_retryable: Callable[[Exception], bool] | None = None,
                        with_failure_count: bool = False) -> T:
        deadline: float | None = None
        failures = 0
        while True:
            try:
                return do()
            except (redis.ConnectionError, redis.TimeoutError) as error:
                if is_retryable and not is_retryable(error):
                    raise
                failures += 1
                fail(error, failures) if with_failure_count else fail(error)
                now = time.monotonic()
                deadline = deadline or now + self._seconds
                if now >= deadline:
                    gone = DependencyDown(
                        f"Redis at {self._where} did not answer for {self._seconds:g} s "
                        f"({error.__class__.__name__}; {RETRY_SETTING} sets how long to retry); "
                        "start it or set CUEWIRE_REDIS_URL"
                    )
                    if self._on_gone is not None:
                        self._on_gone(gone)
                    raise gone from None
                time.sleep(min(2.0, 0.1 * 2 ** min(failures, 5), max(deadline - now, 0.0)))


class _RoundTrips(threading.local):
    value = 0


ROUND_TRIPS = _RoundTrips()
"""Requests this thread has sent to Redis through a :func:`connect` client (a pipeline is
one): the flow's batch steps read it before and after a batch to export round trips per
batch. Per thread, because each Bytewax worker is one."""


class _Counted:
    """Mixed into the pool's connection class (plain, TLS or unix socket alike)."""

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        ROUND_TRIPS.value += 1
        super().send_packed_command(command, check_health)  # type: ignore[misc]


_redacted = mask_url


def check_credentials(url: str) -> None:
    """Refuse to start, in one line, when Redis rejects the user, password or ACL in ``url``.

    One connection without retries: wrong credentials do not get better by waiting,
    unlike a Redis that is restarting (which :func:`connect` waits for).
    """
    client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
    try:
        client.info("persistence")
    except redis.AuthenticationError:
        raise ConfigurationError(
            f"Redis at {_redacted(url)} refused the user name or password in CUEWIRE_REDIS_URL"
        ) from None
    except redis.exceptions.NoPermissionError:
        raise ConfigurationError(
            f"Redis at {_redacted(url)}: the ACL user in CUEWIRE_REDIS_URL may not run INFO; "
            "allow +info (and the key pattern of CUEWIRE_REDIS_PREFIX)"
        ) from None
    except redis.ConnectionError:
        return  # unreachable or restarting: connect() retries and names it
    finally:
        client.close()
