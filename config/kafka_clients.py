"""The Kafka clients' configurations a deployment's settings derive: every
safety-relevant librdkafka setting written out instead of left to defaults that
differ from the Java client's, and librdkafka's log sent through Python logging,
rate-limited (:mod:`config.kafka_log`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pydantic import SecretStr

from config.kafka_log import kafka_logger

if TYPE_CHECKING:
    from config.settings import Settings

ClientConfig = dict[str, str | int | float | bool | logging.Logger]


_OPTIONAL = (
    ("security.protocol", "kafka_security_protocol"),
    ("sasl.mechanism", "kafka_sasl_mechanism"),
    ("sasl.username", "kafka_sasl_username"),
    ("sasl.password", "kafka_sasl_password"),
    ("ssl.ca.location", "kafka_ssl_ca_location"),
    ("ssl.certificate.location", "kafka_ssl_certificate_location"),
    ("ssl.key.location", "kafka_ssl_key_location"),
    ("ssl.key.password", "kafka_ssl_key_password"),
)
"""librdkafka's name for each connection and security setting, set only when given."""


def kafka_common(settings: Settings) -> dict[str, str | int | float | bool]:
    """Connection and security: what every client shares."""
    conf: dict[str, str | int | float | bool] = {"bootstrap.servers": settings.kafka_bootstrap}
    for name, field in _OPTIONAL:
        value = getattr(settings, field)
        if value:
            conf[name] = value.get_secret_value() if isinstance(value, SecretStr) else value
    return conf


def monitoring_group_id(settings: Settings) -> str:
    """The consumer group the input partitions commit their positions to (monitoring only)."""
    return settings.kafka_group_id or f"cuewire.{settings.deployment}"


def kafka_admin(settings: Settings) -> ClientConfig:
    """An admin client's config: connection, security and the rate-limited log."""
    return {**kafka_common(settings), "logger": kafka_logger()}


def kafka_source(settings: Settings) -> ClientConfig:
    """What Bytewax's Kafka source adds to its consumers' (and admin client's) config:
    security as text, and the log; it sets the brokers, group and commits itself."""
    conf: ClientConfig = {
        k: str(v) for k, v in kafka_common(settings).items() if k != "bootstrap.servers"}
    conf["logger"] = kafka_logger()
    return conf


def kafka_consumer(settings: Settings) -> ClientConfig:
    """The flow's own consumers: read committed records only, commits left to the flow."""
    return {
        **kafka_common(settings),
        "logger": kafka_logger(),
        "auto.offset.reset": settings.kafka_start_from,
        "enable.auto.commit": "false",
        # Our limit is enforced per record in the flow; this only bounds fetches.
        "fetch.max.bytes": str(max(52_428_800, settings.max_record_bytes * 4)),
        "isolation.level": "read_committed",
    }


def kafka_producer(settings: Settings) -> ClientConfig:
    """Idempotent, every replica acknowledging: a published alert is never lost or doubled."""
    return {
        **kafka_common(settings),
        "logger": kafka_logger(),
        "enable.idempotence": True,
        "acks": "all",
        "max.in.flight.requests.per.connection": 5,
        "message.max.bytes": 2_097_152,
        "linger.ms": 5,
        "compression.type": "lz4",
        "queue.buffering.max.messages": 200_000,
        "delivery.timeout.ms": 120_000,
    }
