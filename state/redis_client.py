"""Connecting to Redis, and refusing one that would lose state on restart."""

from __future__ import annotations

import threading
from typing import Any

import redis

from config.settings import mask_url
from contracts.errors import ConfigurationError, DependencyDown


def connect(url: str, *, allow_volatile: bool = False) -> redis.Redis:
    """A client for ``url``, checked for reachability and append-only persistence.

    Cooldowns, windows and the alert ledger must survive a Redis restart; a
    server without AOF would silently forget them, so the flow refuses it
    unless ``allow_volatile`` says this is a throwaway run.
    """
    try:
        client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5,
                                      health_check_interval=30)
    except ValueError:  # its message may quote the URL, password and all
        raise ConfigurationError(
            f"CUEWIRE_REDIS_URL: {mask_url(url)} is not a Redis URL the client can use") from None
    pool = client.connection_pool
    base = pool.connection_class
    pool.connection_class = type(f"Counted{base.__name__}", (_Counted, base), {})
    try:
        info = client.info("persistence")
    except redis.ConnectionError as exc:
        raise DependencyDown(
            f"Redis at {_redacted(url)} does not answer ({exc.__class__.__name__}); "
            "start it or set CUEWIRE_REDIS_URL"
        ) from None
    if not allow_volatile and not int(info.get("aof_enabled", 0)):
        raise ConfigurationError(
            f"Redis at {_redacted(url)} has append-only persistence off, so cooldowns and the "
            "alert ledger would be lost on restart: enable `appendonly yes`, or set "
            "CUEWIRE_ALLOW_VOLATILE_REDIS=true for a throwaway run"
        )
    return client


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
