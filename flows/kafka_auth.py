"""Kafka refusing the flow's credentials or certificates, said in one line before start.

librdkafka reports a failed SASL handshake or TLS verification only through its
error callback and logs, while the call that needed the broker fails later as a
plain "transport failure"; a wrong password would read as "Kafka is down".
"""

from __future__ import annotations

import time
from typing import Any

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

from config.settings import Settings
from contracts.errors import ConfigurationError

_WHAT = {
    KafkaError._AUTHENTICATION: "refused the SASL credentials (CUEWIRE_KAFKA_SASL_USERNAME, "
                                "CUEWIRE_KAFKA_SASL_PASSWORD, CUEWIRE_KAFKA_SASL_MECHANISM)",
    KafkaError._SSL: "failed the TLS handshake (CUEWIRE_KAFKA_SSL_CA_LOCATION, "
                     "CUEWIRE_KAFKA_SSL_CERTIFICATE_LOCATION, CUEWIRE_KAFKA_SSL_KEY_LOCATION)",
}


def check_credentials(settings: Settings, timeout_s: float = 15.0) -> None:
    """Raise :class:`ConfigurationError` naming the settings when the broker rejects them;
    return quietly when it accepts them or cannot be reached (that is reported elsewhere)."""
    refused: list[KafkaError] = []

    def on_error(error: KafkaError) -> None:
        if error.code() in _WHAT:
            refused.append(error)

    conf: dict[str, Any] = {**settings.kafka_common(), "error_cb": on_error, "log_level": 0}
    admin = AdminClient(conf)
    deadline = time.monotonic() + timeout_s
    while not refused and time.monotonic() < deadline:
        try:
            admin.list_topics(timeout=1)
            return
        except KafkaException:
            admin.poll(0)  # serves the error callback, where librdkafka says why
    if refused:
        error = refused[0]
        # librdkafka's text names the broker and mechanism, never the password.
        detail = error.str().split(": ", 1)[-1]
        raise ConfigurationError(
            f"Kafka at {settings.kafka_bootstrap} {_WHAT[error.code()]}: {detail}"
        )
