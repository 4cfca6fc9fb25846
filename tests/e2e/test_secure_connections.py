"""The flow end to end through a SASL_SSL Kafka and a TLS Redis with an ACL user.

One broker and one Redis for the module, as a production cluster runs them
(``dev/cuewire_dev/secure_servers.py``): a CA made here, SCRAM-SHA-512 over TLS with
client certificates required, Redis on TLS only with the default user off and
the flow's user allowed only the keys under its prefix. The flow is configured
only through its settings, so this proves CUEWIRE_KAFKA_SSL_* and a
``rediss://`` URL work; wrong credentials must fail in one line that says what to fix.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
import redis
from confluent_kafka import Producer

from config.settings import Settings
from cuewire.app import run_kafka
from cuewire_dev.secure_servers import SecureKafkaBroker, SecureRedisServer, ThrowawayCA, make_test_ca
from cuewire_dev.servers import free_port
from flows.kafka_io import ensure_topics, read_to_end
from tests.published import assert_published

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]
FLOW_USER = ("cuewire-flow", "scram-pass-7f3a")
REDIS_USER = ("cuewire", "redis-pass-91c2")
PREFIX = "sec:"


@dataclass
class SecureStack:
    tls: ThrowawayCA
    kafka: SecureKafkaBroker
    redis: SecureRedisServer

    def env(self, **override: str) -> dict[str, str]:
        """The flow's settings for this stack, as a deployment sets them."""
        env = {
            "CUEWIRE_KAFKA_BOOTSTRAP": self.kafka.bootstrap,
            "CUEWIRE_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "CUEWIRE_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "CUEWIRE_KAFKA_SASL_USERNAME": FLOW_USER[0],
            "CUEWIRE_KAFKA_SASL_PASSWORD": FLOW_USER[1],
            "CUEWIRE_KAFKA_SSL_CA_LOCATION": str(self.tls.ca),
            "CUEWIRE_KAFKA_SSL_CERTIFICATE_LOCATION": str(self.tls.client_cert),
            "CUEWIRE_KAFKA_SSL_KEY_LOCATION": str(self.tls.client_key),
            "CUEWIRE_REDIS_URL": self.redis.url_for(*REDIS_USER),
            "CUEWIRE_REDIS_PREFIX": PREFIX,
            "CUEWIRE_DEPLOYMENT": "secure",
            **{f"CUEWIRE_TOPIC_{k.upper()}": f"secure.{k}" for k in
               ("events", "tickets", "accounts", "feedback", "alerts", "digest", "dlq")},
        }
        return {**env, **override}

    def settings(self) -> Settings:
        return Settings(**{k.removeprefix("CUEWIRE_").lower(): v  # type: ignore[arg-type]
                           for k, v in self.env().items()})


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureStack]:
    root = tmp_path_factory.mktemp("secure")
    tls = make_test_ca(root / "tls")
    kafka = SecureKafkaBroker(free_port(), free_port(), root / "kafka", tls=tls, users=dict([FLOW_USER]))
    server = SecureRedisServer(free_port(), root / "redis", tls=tls,
                               users={REDIS_USER[0]: (REDIS_USER[1], PREFIX)})
    kafka.start()
    try:
        server.start()
        try:
            yield SecureStack(tls, kafka, server)
        finally:
            server.stop()
    finally:
        kafka.stop()


def _cuewire_run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CUEWIRE_")}
    return subprocess.run([sys.executable, "-m", "cuewire", "run", "--exit-at-end"], cwd=ROOT,
                          env={**clean, **env}, capture_output=True, text=True, timeout=120, check=False)


def test_the_flow_runs_end_to_end_through_sasl_ssl_kafka_and_tls_redis(stack: SecureStack) -> None:
    settings = stack.settings()
    ensure_topics(settings)
    account = {"account_id": "acct_s", "name": "Secure Co", "mrr": 5000, "contacts": ["kim@secure.test"],
               "cs_owner": {"name": "Riley Chen"}, "consent": {"email": True}}
    ticket = {"source": "generic", "ticket_id": "S-1", "requester_email": "kim@secure.test",
              "subject": "Data", "body": "Our numbers are wrong and data disappeared.",
              "created_at": "2026-11-20T10:15:00Z", "account_id": "acct_s"}
    producer = Producer(settings.kafka_producer())
    producer.produce(settings.topic_accounts, orjson.dumps(account), b"acct_s")
    assert producer.flush(30) == 0
    run_kafka(settings, exit_at_end=True, epoch_seconds=1)
    producer.produce(settings.topic_tickets, orjson.dumps(ticket), b"acct_s")
    assert producer.flush(30) == 0
    run_kafka(settings, exit_at_end=True, epoch_seconds=1)

    alerts = [value for _key, value in read_to_end(settings.kafka_consumer(), settings.topic_alerts, 20)]
    assert_published("alerts", alerts)
    assert [orjson.loads(a)["data"]["account_id"] for a in alerts] == ["acct_s"]

    flow_redis = redis.Redis.from_url(settings.redis_url.get_secret_value())
    assert next(flow_redis.scan_iter(f"{PREFIX}*"), None), "the flow kept its state under its prefix"
    with pytest.raises(redis.exceptions.NoPermissionError):
        flow_redis.set("elsewhere:x", 1)  # the ACL really limits the user to its prefix


def test_wrong_credentials_fail_in_one_line_that_names_the_setting(stack: SecureStack) -> None:
    kafka = _cuewire_run(stack.env(CUEWIRE_KAFKA_SASL_PASSWORD="wrong-password"))
    assert kafka.returncode == 2, kafka.stderr[-3000:]
    lines = kafka.stderr.strip().splitlines()
    assert len(lines) == 1, kafka.stderr[-3000:]
    assert "refused the SASL credentials" in lines[0] and "CUEWIRE_KAFKA_SASL_PASSWORD" in lines[0]
    assert "wrong-password" not in kafka.stderr

    no_cert = _cuewire_run(stack.env(CUEWIRE_KAFKA_SSL_CERTIFICATE_LOCATION="",
                                     CUEWIRE_KAFKA_SSL_KEY_LOCATION=""))
    assert no_cert.returncode != 0, "the broker requires a client certificate"

    bad_redis = stack.redis.url_for(REDIS_USER[0], "not-the-password")
    rejected = _cuewire_run(stack.env(CUEWIRE_REDIS_URL=bad_redis))
    assert rejected.returncode == 2, rejected.stderr[-3000:]
    lines = rejected.stderr.strip().splitlines()
    assert len(lines) == 1 and "refused the user name or password in CUEWIRE_REDIS_URL" in lines[0], lines
    assert "not-the-password" not in rejected.stderr
