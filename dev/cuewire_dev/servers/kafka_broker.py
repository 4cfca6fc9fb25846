"""A single-node KRaft broker on loopback, its jars fetched from Maven Central by Maven."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from cuewire_dev.servers.processes import ServerError, cache_dir, kill_process, stop_process, wait_port

KAFKA_VERSION = os.environ.get("CUEWIRE_KAFKA_VERSION", "4.1.1")
LOG4J_VERSION = "2.24.3"


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
            self._format(java, props)
        log = self.data_dir / "broker.log"
        self.process = subprocess.Popen(
            [*java, "kafka.Kafka", str(props)],
            stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_port(self.port, timeout, self.process, log)
        self._wait_ready(timeout)
        return self

    def _format(self, java: list[str], props: Path) -> None:
        """Format the log directory for KRaft. Tried twice: a JVM that fails to start once (a
        loaded machine) should not fail a whole test session; what the tool said is in the error."""
        command = [*java, "kafka.tools.StorageTool", "format", "-t", _cluster_id(), "-c", str(props),
                   *self.format_arguments()]
        for _attempt in (1, 2):
            done = subprocess.run(command, capture_output=True)
            if done.returncode == 0:
                return
            if (self.data_dir / "logs" / "meta.properties").exists():
                return  # formatted by the first try after all
        said = (done.stderr or done.stdout).decode(errors="replace").strip().splitlines()[-5:]
        raise ServerError(f"Kafka's StorageTool could not format {self.data_dir / 'logs'} (exit "
                          f"{done.returncode}): {' / '.join(said) or 'no output'}")

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
        stop_process(self.process)

    def kill(self) -> None:
        """SIGKILL, as a crashed host would: no clean shutdown. ``start()`` brings the
        same broker back on the same port and data directory."""
        kill_process(self.process)


# ---------------------------------------------------------------- Redis
