"""What a run is asked to do: its options, how they are parsed, and the loopback-only rule.

A load test aimed at a shared cluster by mistake is an outage, so every address must
resolve to loopback only.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field

from cuewire_dev.loadtest.traffic import TrafficConfig


def parse_weights(spec: str | None, defaults: dict[str, float]) -> dict[str, float]:
    """``"page=30,pricing=10"`` over ``defaults``; unknown names are an error.

    >>> parse_weights("pricing=50", {"page": 50, "pricing": 0})["pricing"]
    50.0
    """
    weights = dict(defaults)
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in defaults:
            raise ValueError(f"unknown kind {name!r}; known: {', '.join(defaults)}")
        weights[name] = float(value)
    if sum(weights.values()) <= 0 or any(w < 0 for w in weights.values()):
        raise ValueError("weights must be non-negative and not all zero")
    return weights


def parse_duration(text: str) -> float:
    """Seconds from ``"250ms"``, ``"1s"``, ``"1.5s"``, ``"2m"`` or a bare number of seconds.

    >>> parse_duration("250ms"), parse_duration("2m"), parse_duration("1.5")
    (0.25, 120.0, 1.5)
    """
    t = text.strip().lower()
    for suffix, factor in (("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)):
        if t.endswith(suffix):
            return float(t[: -len(suffix)]) * factor
    return float(t)



@dataclass(slots=True)
class LoadOptions:
    rate: float = 1000.0
    duration_s: float = 30.0
    drain_s: float = 20.0
    setup: bool = True
    metrics_url: str | None = None
    slo_p99_ms: float | None = None
    traffic: TrafficConfig = field(default_factory=TrafficConfig)
    settle_s: float = 60.0
    """After the setup records, wait at most this long for the flow to apply them."""
    max_tracked: int = 2_000_000
    """Bound on remembered produce times (tickets first; events while room remains)."""



def require_loopback(hostports: list[str], what: str) -> None:
    """Refuse any address that does not resolve to loopback only."""
    for hp in hostports:
        host = hp.rsplit(":", 1)[0].strip("[]") if ":" in hp else hp
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError as exc:
            raise ValueError(f"{what} {hp!r} does not resolve ({exc})") from None
        for info in infos:
            if not ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback:
                raise ValueError(
                    f"{what} {hp!r} is not a loopback address: the load test only targets this "
                    "machine (127.0.0.1, ::1, localhost)")


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------
