"""Every connection and security setting reaches librdkafka under its own name, secrets
revealed only there; the producer and consumer keep their safety settings."""

from pathlib import Path

from pydantic import SecretStr

from config.settings import Settings


def test_security_settings_reach_every_client(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    settings = Settings(
        kafka_bootstrap="b1:9093,b2:9093", kafka_security_protocol="sasl_ssl",
        kafka_sasl_mechanism="SCRAM-SHA-512", kafka_sasl_username="flow",
        kafka_sasl_password=SecretStr("s3cret"), kafka_ssl_ca_location=str(ca),
        kafka_ssl_certificate_location="/certs/flow.pem", kafka_ssl_key_location="/certs/flow.key",
        kafka_ssl_key_password=SecretStr("k3y"),
    )
    assert settings.kafka_common() == {
        "bootstrap.servers": "b1:9093,b2:9093", "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": "flow", "sasl.password": "s3cret",
        "ssl.ca.location": str(ca), "ssl.certificate.location": "/certs/flow.pem",
        "ssl.key.location": "/certs/flow.key", "ssl.key.password": "k3y",
    }
    source = settings.kafka_source()
    assert "bootstrap.servers" not in source and source["sasl.password"] == "s3cret"
    assert settings.kafka_consumer()["sasl.username"] == "flow"


def test_plaintext_clients_carry_only_the_brokers_and_their_safety_settings() -> None:
    settings = Settings(kafka_bootstrap="localhost:9092")
    assert settings.kafka_common() == {"bootstrap.servers": "localhost:9092"}
    producer = settings.kafka_producer()
    assert producer["enable.idempotence"] is True and producer["acks"] == "all"
    consumer = settings.kafka_consumer()
    assert consumer["isolation.level"] == "read_committed" and consumer["enable.auto.commit"] == "false"
