"""The one typed settings object, read once from the environment at the entry point.

Every variable is ``CUEWIRE_<FIELD>``; nested groups use ``__`` is not needed,
so each name below maps directly (``CUEWIRE_KAFKA_BOOTSTRAP``,
``CUEWIRE_TOPIC_TICKETS`` …). The Kafka and Redis client configurations are
derived here, with every safety-relevant librdkafka setting written out instead
of left to defaults that differ from the Java client's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts.errors import ConfigurationError

TopicKind = Literal["events", "tickets", "accounts", "feedback", "alerts", "digest", "dlq"]


class Settings(BaseSettings):
    """Everything an operator can set; defaults are the documented ones."""

    model_config = SettingsConfigDict(env_prefix="CUEWIRE_", extra="ignore")

    deployment: str = Field("default", description="names this deployment in CloudEvents `source`")

    # Kafka
    kafka_bootstrap: str = "localhost:9092"
    kafka_security_protocol: str | None = None
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_ca_location: str | None = None
    kafka_ssl_certificate_location: str | None = Field(
        None, description="client certificate (PEM) for brokers that authenticate clients by TLS")
    kafka_ssl_key_location: str | None = Field(None, description="the client certificate's private key (PEM)")
    kafka_ssl_key_password: SecretStr | None = None
    kafka_group_id: str | None = Field(
        None, description="consumer group the flow commits its read offsets to, for lag monitoring "
        "(default cuewire.<deployment>); resume uses Bytewax's recovery store, never these offsets")
    kafka_commit_offsets: bool = True
    kafka_start_from: Literal["earliest", "latest"] = "earliest"
    kafka_batch_size: int = Field(1000, ge=1, le=100_000)
    kafka_create_topics: bool = True
    kafka_partitions: int = Field(3, ge=1)
    kafka_replication: int = Field(1, ge=1)

    topic_events: str = "cuewire.events"
    topic_tickets: str = "cuewire.tickets"
    topic_accounts: str = "cuewire.accounts"
    topic_feedback: str = "cuewire.feedback"
    topic_alerts: str = "cuewire.alerts"
    topic_digest: str = "cuewire.digest"
    topic_dlq: str = "cuewire.dlq"

    # Redis
    redis_url: SecretStr = SecretStr("redis://localhost:6379/0")
    redis_prefix: str = "cw:"
    allow_volatile_redis: bool = Field(
        False, description="run against a Redis without persistence (a throwaway run)"
    )

    # Behaviour
    rules: Path | None = None
    taxonomy: Path | None = None
    max_record_bytes: int = Field(262_144, ge=1024)
    max_json_depth: int = Field(32, ge=4, le=512)
    date_window_years: float = Field(
        10, gt=0, le=100,
        description="a record dated further than this from now (either way) is a dead letter",
    )
    account_ttl_days: int = Field(180, ge=1)
    identity_ttl_days: int = Field(400, ge=1)
    ledger_ttl_days: int = Field(30, ge=3)
    metrics_port: int | None = None
    metrics_port_per_process: bool = Field(
        True, description="add the process id to CUEWIRE_METRICS_PORT, for -i/-a processes sharing a "
        "host; false where each process has its own address (a pod)")
    timer_lateness_seconds: float = Field(
        300, ge=0, description="how late a record may arrive and still stop an absence timer"
    )
    order_wait_ms: int = Field(
        30, ge=0, le=60_000,
        description="live input: how long a record may wait for the other input partitions to be "
        "read past it, so records are handled in log order (0: as they arrive)",
    )

    @field_validator("redis_prefix")
    @classmethod
    def _prefix_shape(cls, value: str) -> str:
        if not value or " " in value:
            raise ValueError("CUEWIRE_REDIS_PREFIX must be non-empty and without spaces")
        return value

    def topic(self, kind: TopicKind) -> str:
        return str(getattr(self, f"topic_{kind}"))

    @property
    def input_topics(self) -> list[str]:
        return [self.topic_accounts, self.topic_events, self.topic_tickets]

    @property
    def output_topics(self) -> list[str]:
        return [self.topic_alerts, self.topic_digest, self.topic_dlq]

    def kafka_common(self) -> dict[str, str | int | float | bool]:
        conf: dict[str, str | int | float | bool] = {"bootstrap.servers": self.kafka_bootstrap}
        if self.kafka_security_protocol:
            conf["security.protocol"] = self.kafka_security_protocol
        if self.kafka_sasl_mechanism:
            conf["sasl.mechanism"] = self.kafka_sasl_mechanism
        if self.kafka_sasl_username:
            conf["sasl.username"] = self.kafka_sasl_username
        if self.kafka_sasl_password:
            conf["sasl.password"] = self.kafka_sasl_password.get_secret_value()
        if self.kafka_ssl_ca_location:
            conf["ssl.ca.location"] = self.kafka_ssl_ca_location
        if self.kafka_ssl_certificate_location:
            conf["ssl.certificate.location"] = self.kafka_ssl_certificate_location
        if self.kafka_ssl_key_location:
            conf["ssl.key.location"] = self.kafka_ssl_key_location
        if self.kafka_ssl_key_password:
            conf["ssl.key.password"] = self.kafka_ssl_key_password.get_secret_value()
        return conf

    def monitoring_group_id(self) -> str:
        """The consumer group the input partitions commit their positions to (monitoring only)."""
        return self.kafka_group_id or f"cuewire.{self.deployment}"

    def kafka_consumer(self) -> dict[str, str | int | float | bool]:
        return {
            **self.kafka_common(),
            "auto.offset.reset": self.kafka_start_from,
            "enable.auto.commit": "false",
            # Our limit is enforced per record in the flow; this only bounds fetches.
            "fetch.max.bytes": str(max(52_428_800, self.max_record_bytes * 4)),
            "isolation.level": "read_committed",
        }

    def kafka_producer(self) -> dict[str, str | int | float | bool]:
        return {
            **self.kafka_common(),
            "enable.idempotence": True,
            "acks": "all",
            "max.in.flight.requests.per.connection": 5,
            "message.max.bytes": 2_097_152,
            "linger.ms": 5,
            "compression.type": "lz4",
            "queue.buffering.max.messages": 200_000,
            "delivery.timeout.ms": 120_000,
        }


def load_settings() -> Settings:
    """Read the environment once; translate validation errors into one clear message."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"CUEWIRE_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigurationError(f"invalid settings: {problems}") from None
