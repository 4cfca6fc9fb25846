"""A redis-server of one run's own, on a unix socket: the state of ``cuewire replay``.

Replay and backtests used to run on fakeredis, a Redis written in Python inside
the flow's own process: every command was parsed and executed by Python on the
flow's thread, half of a replay's time. A real ``redis-server`` on a unix socket
in a private temporary directory does that work in C on another core, and the
flow's client speaks to it exactly as it speaks to production Redis (the same
commands, pipelines and scripts, so a replay cannot pass on behaviour only the
fake has). Nothing is persisted: the server, its socket and its directory go
when the run ends, so two replays never share state.

Where no ``redis-server`` binary is found (on ``PATH``, in ``CUEWIRE_REDIS_SERVER``
or in the cache the repository's scripts fill), the run falls back to fakeredis
and says so in one line.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import redis

from contracts.errors import ConfigurationError, DependencyDown
from state.cache_root import cache_root
from state.redis_client import connect

SERVER_SETTING = "CUEWIRE_REDIS_SERVER"
START_TIMEOUT_S = 30.0


def find_redis_server() -> tuple[Path, dict[str, str]] | None:
    """The ``redis-server`` to start and the environment it needs, or ``None``.

    ``CUEWIRE_REDIS_SERVER`` first, then ``PATH``, then the binary the repository's
    scripts unpack from Debian's packages into ``$CUEWIRE_CACHE`` (``~/.cache/cuewire``),
    which needs its own libraries on ``LD_LIBRARY_PATH``.
    """
    named = os.environ.get(SERVER_SETTING)
    if named:
        if not os.access(named, os.X_OK):
            raise ConfigurationError(f"{SERVER_SETTING}={named} is not an executable redis-server")
        return Path(named), {}
    on_path = shutil.which("redis-server")
    if on_path:
        return Path(on_path), {}
    root = cache_root() / "redis"
    binary = root / "usr" / "bin" / "redis-server"
    if binary.exists():
        return binary, {"LD_LIBRARY_PATH": str(root / "usr" / "lib" / "x86_64-linux-gnu")}
    return None


@contextlib.contextmanager
def private_redis(binary: Path, env: dict[str, str] | None = None) -> Iterator[redis.Redis]:
    """A client of a fresh ``redis-server`` listening only on a unix socket in a new
    temporary directory; the server is stopped and the directory removed on the way out."""
    with tempfile.TemporaryDirectory(prefix="cuewire-redis-") as tmp:
        socket_path = Path(tmp) / "redis.sock"
        log = Path(tmp) / "redis.log"
        server = subprocess.Popen(
            [str(binary), "--port", "0", "--unixsocket", str(socket_path), "--unixsocketperm", "700",
             "--dir", tmp, "--save", "", "--appendonly", "no", "--logfile", str(log)],
            env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT, preexec_fn=_die_with_parent())
        try:
            _wait_for_socket(server, socket_path, log)
            client = connect(f"unix://{socket_path}", allow_volatile=True, retry_seconds=5.0)
            try:
                yield client
            finally:
                client.close()
        finally:
            _stop(server)


def _wait_for_socket(server: subprocess.Popen[bytes], socket_path: Path, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not socket_path.exists():
        if server.poll() is not None:
            tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
            raise DependencyDown(f"redis-server exited {server.returncode} at start: {tail.strip()}")
        if time.monotonic() > deadline:
            raise DependencyDown(f"redis-server did not open its socket within {START_TIMEOUT_S:.0f}s")
        time.sleep(0.02)


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _die_with_parent() -> Callable[[], None] | None:
    """Linux: the server gets SIGTERM if the run that started it dies without cleaning up."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def arm() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return arm
