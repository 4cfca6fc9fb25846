"""Real Kafka (KRaft, single node) and Redis on loopback, without a Docker engine.

The broker's jars come from Maven Central through Maven; ``redis-server`` comes
from Debian's packages (the system one when installed, otherwise the .debs are
downloaded and unpacked). Both land in a cache outside the repository
(``$CUEWIRE_CACHE``, default ``~/.cache/cuewire``) so a second start is fast.

Used by ``make up``/``make down``, ``make demo``, the benchmarks and the pytest
session fixtures::

    python -m cuewire_dev.servers up      # prints the bootstrap address and Redis URL
    python -m cuewire_dev.servers down
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

KAFKA_VERSION = os.environ.get("CUEWIRE_KAFKA_VERSION", "4.1.1")
LOG4J_VERSION = "2.24.3"
REDIS_DEBS = ("redis-tools", "libjemalloc2", "liblzf1")


class ServerError(RuntimeError):
    """A local server could not be fetched or started; the message says what to do."""


def cache_dir() -> Path:
    root = Path(os.environ.get("CUEWIRE_CACHE", Path.home() / ".cache" / "cuewire"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, timeout: float, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"server exited with {proc.returncode}; see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise ServerError(f"nothing answered on 127.0.0.1:{port} after {timeout:.0f}s; see {log}")


# ---------------------------------------------------------------- Kafka


def _cluster_id() -> str:
    """A KRaft cluster id: base64url of a UUID, never starting with ``-`` (the storage
    tool would read such an id as an option, about one start in 64)."""
    while True:
        cluster = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster.startswith("-"):
            return cluster

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.cuewire.local</groupId><artifactId>kafka-broker</artifactId>
  <version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId>
      <version>{kafka}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId>
      <version>{log4j}</version></dependency>
  </dependencies>
</project>
"""

_LOG4J2 = """Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
"""


def fetch_kafka() -> Path:
    """Download the broker's jars with Maven (once) and return the lib directory."""
    home = cache_dir() / f"kafka-{KAFKA_VERSION}"
    libs = home / "libs"
    if (home / ".complete").exists():
        return libs
    if shutil.which("mvn") is None or shutil.which("java") is None:
        raise ServerError("Kafka needs Java 17+ and Maven on PATH (apt-get install maven openjdk-17-jre)")
    home.mkdir(parents=True, exist_ok=True)
    (home / "pom.xml").write_text(_POM.format(kafka=KAFKA_VERSION, log4j=LOG4J_VERSION))
    (home / "log4j2.yaml").write_text(_LOG4J2)
    print(f"fetching Apache Kafka {KAFKA_VERSION} from Maven Central …", file=sys.stderr)
    result = subprocess.run(
        ["mvn", "-q", "-B", "dependency:copy-dependencies",
         f"-DoutputDirectory={libs}", "-DincludeScope=runtime"],
        cwd=home, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise ServerError(f"Maven could not fetch Kafka {KAFKA_VERSION}:\n{result.stdout[-2000:]}")
    (home / ".complete").write_text(KAFKA_VERSION)
    return libs


@dataclass
class KafkaBroker:
    """A single-node KRaft broker on 127.0.0.1 with its own data directory."""

    port: int
    controller_port: int
    data_dir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> KafkaBroker:
        libs = fetch_kafka()
        home = libs.parent
        self.data_dir.mkdir(parents=True, exist_ok=True)
        props = self.data_dir / "server.properties"
        props.write_text(
            "\n".join([
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@127.0.0.1:{self.controller_port}",
                *self.listener_properties(),
                "controller.listener.names=CONTROLLER",
                f"log.dirs={self.data_dir / 'logs'}",
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "message.max.bytes=2097152",
            ]) + "\n"
        )
        cp = f"{libs}/*"
        java = ["java", "-Xms256m", "-Xmx768m", f"-Dlog4j2.configurationFile={home / 'log4j2.yaml'}",
                "-cp", cp]
        if not (self.data_dir / "logs" / "meta.properties").exists():
            subprocess.run(
                [*java, "kafka.tools.StorageTool", "format", "-t", _cluster_id(),
                 "-c", str(props), *self.format_arguments()],
                check=True, capture_output=True,
            )
        log = self.data_dir / "broker.log"
        self.process = subprocess.Popen(
            [*java, "kafka.Kafka", str(props)],
            stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        _wait_port(self.port, timeout, self.process, log)
        self._wait_ready(timeout)
        return self

    def listener_properties(self) -> list[str]:
        """The listener lines of server.properties (the secure variant has its own)."""
        return [
            f"listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        ]

    def format_arguments(self) -> list[str]:
        """Extra arguments for formatting the storage (SCRAM credentials, say)."""
        return []

    def client_config(self) -> dict[str, str]:
        """What a client needs to reach this broker."""
        return {"bootstrap.servers": self.bootstrap}

    def _wait_ready(self, timeout: float) -> None:
        # The port opens before the broker has registered with its controller.
        from confluent_kafka.admin import AdminClient

        admin = AdminClient(self.client_config())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                md = admin.list_topics(timeout=2)
                if md.brokers:
                    return
            except Exception:
                pass
            time.sleep(0.3)
        raise ServerError(f"Kafka on {self.bootstrap} never listed its brokers")

    def stop(self) -> None:
        _stop(self.process)

    def kill(self) -> None:
        """SIGKILL, as a crashed host would: no clean shutdown. ``start()`` brings the
        same broker back on the same port and data directory."""
        _kill(self.process)


# ---------------------------------------------------------------- Redis


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
        _wait_port(self.port, timeout, self.process, log)
        return self

    def listener_arguments(self) -> list[str]:
        """How redis-server listens (the secure variant: TLS only, and its ACL users)."""
        return ["--port", str(self.port)]

    def stop(self) -> None:
        _stop(self.process)

    def kill(self) -> None:
        """SIGKILL: no final AOF rewrite or fsync. ``start()`` brings the same server back
        on the same port, replaying its append-only file from the same data directory."""
        _kill(self.process)


def _kill(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.kill()
    proc.wait()


def _stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ---------------------------------------------------------------- make up / down

STATE_FILE_NAME = "stack.json"


@contextlib.contextmanager
def throwaway_servers(directory: Path) -> Iterator[tuple[KafkaBroker, RedisServer]]:
    """A Kafka broker and a redis-server on free loopback ports, their data under
    ``directory``, both stopped on the way out: the stack the demo and the benchmarks
    run against."""
    broker = KafkaBroker(free_port(), free_port(), directory / "kafka").start()
    try:
        redis_server = RedisServer(free_port(), directory / "redis").start()
    except BaseException:
        broker.stop()
        raise
    try:
        yield broker, redis_server
    finally:
        redis_server.stop()
        broker.stop()


def _stack_file() -> Path:
    return cache_dir() / STATE_FILE_NAME


def up(kafka_port: int = 9092, redis_port: int = 6379) -> dict[str, str]:
    """Start both servers detached (for `make up`), recording their pids."""
    existing = status()
    if existing:
        return existing
    data = cache_dir() / "stack"
    kafka = KafkaBroker(kafka_port, free_port(), data / "kafka").start()
    redis = RedisServer(redis_port, data / "redis").start()
    info = {
        "bootstrap": kafka.bootstrap, "redis_url": redis.url,
        "kafka_pid": str(kafka.process.pid if kafka.process else ""),
        "redis_pid": str(redis.process.pid if redis.process else ""),
    }
    _stack_file().write_text(json.dumps(info))
    return info


def status() -> dict[str, str]:
    path = _stack_file()
    if not path.exists():
        return {}
    info: dict[str, str] = json.loads(path.read_text())
    for key in ("kafka_pid", "redis_pid"):
        try:
            os.kill(int(info[key]), 0)
        except (OSError, ValueError, KeyError):
            return {}
    return info


def down() -> None:
    path = _stack_file()
    if not path.exists():
        return
    info = json.loads(path.read_text())
    for key in ("redis_pid", "kafka_pid"):
        try:
            pid = int(info[key])
            os.kill(pid, signal.SIGTERM)
            for _ in range(150):
                os.kill(pid, 0)
                time.sleep(0.2)
        except (OSError, ValueError, KeyError):
            pass
    path.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "up"
    if cmd == "fetch":
        print(fetch_kafka())
        print(fetch_redis()[0])
    elif cmd == "up":
        info = up()
        print(f"Kafka  {info['bootstrap']}\nRedis  {info['redis_url']}")
        print(f"export CUEWIRE_KAFKA_BOOTSTRAP={info['bootstrap']} CUEWIRE_REDIS_URL={info['redis_url']}")
    elif cmd == "down":
        down()
        print("stopped")
    else:
        print("usage: python -m cuewire_dev.servers fetch|up|down", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
