"""A throwaway PostgreSQL server from Debian's packages, on a free loopback port.

``scripts/system-packages.sh`` (run by ``make test``) installs ``postgresql``;
this starts the server binaries directly (no cluster manager, no service), in
a temporary directory, as the ``postgres`` user when the tests run as root
(PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

from cuewire_dev.servers import ServerError, free_port


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise ServerError("PostgreSQL is not installed: run `bash scripts/system-packages.sh` "
                          "(apt-get install postgresql)")
    return found[-1]


class PostgresServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.data = root / "data"
        self._as: list[str] = []

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://cuewire@127.0.0.1:{self.port}/postgres"

    def start(self) -> PostgresServer:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            shutil.chown(self.root, pw.pw_uid, pw.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run([_bin("initdb"), "-D", str(self.data), "-U", "cuewire", "-A", "trust", "-E", "UTF8",
                   "--no-sync"])
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._run([_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-o", options,
                   "-w", "-t", "120", "start"])
        deadline = time.monotonic() + 60
        while subprocess.run([_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                             capture_output=True).returncode != 0:
            if time.monotonic() > deadline:
                raise ServerError(f"PostgreSQL did not answer; see {self.root / 'log'}")
            time.sleep(0.2)
        return self

    def stop(self) -> None:
        subprocess.run([*self._as, _bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                       capture_output=True, check=False)

    def _run(self, cmd: list[str]) -> None:
        result = subprocess.run([*self._as, *cmd], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ServerError(f"{Path(cmd[0]).name} failed: {result.stderr[-1500:]}")
