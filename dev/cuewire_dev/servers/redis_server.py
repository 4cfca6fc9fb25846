"""redis-server on loopback: the system one, or Debian's package unpacked into the cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from cuewire_dev.servers.processes import ServerError, cache_dir, kill_process, stop_process, wait_port

REDIS_DEBS = ("redis-tools", "libjemalloc2", "liblzf1")


def fetch_redis() -> tuple[Path, dict[str, str]]:
    """Return the redis-server binary and the environment it needs."""
    system = shutil.which("redis-server")
    if system:
        return Path(system), {}
    root = cache_dir() / "redis"
    binary = root / "usr" / "bin" / "redis-server"
    libdir = root / "usr" / "lib" / "x86_64-linux-gnu"
    env = {"LD_LIBRARY_PATH": str(libdir)}
    if binary.exists():
        return binary, env
    if shutil.which("apt-get") is None:
        raise ServerError("redis-server is not installed and apt-get is missing: install Redis 7")
    debs = root / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    print("fetching redis-server from Debian's packages …", file=sys.stderr)
    got = subprocess.run(["apt-get", "download", *REDIS_DEBS], cwd=debs,
                         capture_output=True, text=True, check=False)
    if got.returncode != 0 and os.geteuid() == 0:
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True, check=False)
        got = subprocess.run(["apt-get", "download", *REDIS_DEBS], cwd=debs,
                             capture_output=True, text=True, check=False)
    if got.returncode != 0:
        raise ServerError(f"apt-get download {' '.join(REDIS_DEBS)} failed:\n{got.stderr[-1500:]}")
    for deb in debs.glob("*.deb"):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    # redis-tools ships the real binary as redis-check-rdb; argv[0] picks the mode.
    if not binary.exists():
        binary.symlink_to("redis-check-rdb")
    return binary, env


@dataclass
class RedisServer:
    """redis-server on 127.0.0.1 with append-only persistence, as in production."""

    port: int
    data_dir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 30.0) -> RedisServer:
        binary, env = fetch_redis()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.data_dir / "redis.log"
        self.process = subprocess.Popen(
            [str(binary), *self.listener_arguments(), "--bind", "127.0.0.1",
             "--dir", str(self.data_dir), "--appendonly", "yes", "--appendfsync", "everysec",
             "--save", "", "--logfile", str(log), "--protected-mode", "yes"],
            env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_port(self.port, timeout, self.process, log)
        return self

    def listener_arguments(self) -> list[str]:
        """How redis-server listens (the secure variant: TLS only, and its ACL users)."""
        return ["--port", str(self.port)]

    def stop(self) -> None:
        stop_process(self.process)

    def kill(self) -> None:
        """SIGKILL: no final AOF rewrite or fsync. ``start()`` brings the same server back
        on the same port, replaying its append-only file from the same data directory."""
        kill_process(self.process)
