"""What a setting's value must look like before any server is contacted, and how a
secret inside one is kept out of messages.

Each check returns the value (normalised) or raises ``ValueError`` with the words
the one-line settings error shows (:func:`config.settings.load_settings`).

>>> one_of(" sasl_ssl ", ("PLAINTEXT", "SASL_SSL")), bootstrap_list("a:9092, b:9093")
('SASL_SSL', 'a:9092,b:9093')
>>> redis_url("http://cache")
Traceback (most recent call last):
...
ValueError: must be a redis://, rediss:// or unix:// URL
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from contracts.errors import ConfigurationError

SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "GSSAPI", "OAUTHBEARER")
REDIS_SCHEMES = ("redis", "rediss", "unix")
_SECRET_QUERY = re.compile(r"((?:^|[?&;])(?:password|pass|pwd|secret|token)=)[^&;#]*", re.IGNORECASE)


def mask_url(url: str) -> str:
    """``url`` with any password replaced by ``***``: the user and password (everything
    up to the last ``@`` of the authority, so an ``@`` or ``:`` in a password cannot
    leak a part of it), and ``password=`` in the query.

    >>> mask_url("redis://default:p@ss:w@rd@cache:6379/0")
    'redis://***@cache:6379/0'
    >>> mask_url("redis://cache:6379/0?password=s3cret&db=1")
    'redis://cache:6379/0?password=***&db=1'
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    # Query secrets first, so the "@" looked for next is the authority's last one: a
    # password may hold any character, a host no "@".
    rest = _SECRET_QUERY.sub(r"\1***", rest)
    at = rest.rfind("@")
    if at >= 0:
        rest = "***" + rest[at:]
    return f"{scheme}{sep}{rest}"


def one_of(value: str | None, allowed: tuple[str, ...]) -> str | None:
    """``value`` upper-cased when it is one of ``allowed``; None when blank."""
    if value is None or not value.strip():
        return None
    if value.strip().upper() not in allowed:
        raise ValueError(f"must be one of {', '.join(allowed)}")
    return value.strip().upper()


def bootstrap_list(value: str) -> str:
    """A comma-separated list of host:port, each port 1-65535, without spaces."""
    servers = [s.strip() for s in value.split(",")]
    if not value.strip() or not all(servers):
        raise ValueError("must be a comma-separated list of host:port")
    for server in servers:
        host, _, port = server.rpartition("://")[2].rpartition(":")
        if port and host and not (port.isdigit() and 0 < int(port) < 65536):
            raise ValueError(f"{server!r} has no valid port (host:port, port 1-65535)")
    return ",".join(servers)


def existing_path(value: str | None) -> str | None:
    """A file or directory that exists (``probe``: librdkafka finds the system's CAs)."""
    if value and value != "probe" and not Path(value).exists():
        raise ValueError(f"no such file or directory: {value}")
    return value


def redis_url(url: str) -> str:
    """A redis://, rediss:// or unix:// URL, its port (if any) a number."""
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme not in REDIS_SCHEMES:
        raise ValueError("must be a redis://, rediss:// or unix:// URL")
    if scheme != "unix":
        try:
            urlsplit(url).port  # noqa: B018 - parsing it is the check
        except ValueError:
            raise ValueError("has a port that is not a number from 0 to 65535") from None
    return url


def loads_with(load: Callable[[Path], Any], path: Path | None) -> Path | None:
    """A file that ``load`` reads without a :class:`ConfigurationError` (whose line it keeps)."""
    if path is not None:
        try:
            load(path)
        except ConfigurationError as exc:
            raise ValueError(str(exc)) from None
    return path
