"""Kafka and Redis as a production cluster runs them: TLS, SASL and ACLs, on loopback.

For the tests that prove cuewire's connection settings against real servers:

* :func:`make_test_ca` writes a throwaway certificate authority, a server
  certificate for 127.0.0.1/localhost and a client certificate, all PEM;
* :class:`SecureKafkaBroker` listens with SASL_SSL only (SCRAM-SHA-512, the
  users created when the storage is formatted) and requires a client
  certificate signed by that CA;
* :class:`SecureRedisServer` listens with TLS only, with the default user off
  and one ACL user allowed only the keys under one prefix.

``cryptography`` (a dev dependency) makes the certificates.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from cuewire_dev.servers import KafkaBroker, RedisServer

BROKER_USER = ("broker", "broker-secret-1")
"""The broker's own SCRAM user (inter-broker and controller traffic of the one node)."""


@dataclass(frozen=True)
class ThrowawayCA:
    """Paths of the PEM files :func:`make_test_ca` wrote."""

    ca: Path
    server_cert: Path
    server_key: Path
    server_pem: Path
    """The server's key and certificate chain in one file, as Kafka's PEM keystore reads it."""
    client_cert: Path
    client_key: Path


def make_test_ca(directory: Path, days: int = 2) -> ThrowawayCA:
    """A CA, a server certificate (127.0.0.1, localhost) and a client certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("cuewire test CA")).issuer_name(name("cuewire test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))

    def leaf(common: str,
             sans: list[x509.GeneralName]) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (x509.CertificateBuilder().subject_name(name(common)).issuer_name(ca.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(minutes=5))
                   .not_valid_after(now + dt.timedelta(days=days))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True))
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return key, builder.sign(ca_key, hashes.SHA256())

    server_key, server = leaf("localhost", [x509.DNSName("localhost"),
                                            x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    client_key, client = leaf("cuewire-flow", [])
    pem = serialization.Encoding.PEM
    files = ThrowawayCA(ca=directory / "ca.crt", server_cert=directory / "server.crt",
                   server_key=directory / "server.key", server_pem=directory / "server.pem",
                   client_cert=directory / "client.crt", client_key=directory / "client.key")
    files.ca.write_bytes(ca.public_bytes(pem))
    files.server_cert.write_bytes(server.public_bytes(pem) + ca.public_bytes(pem))
    files.server_key.write_bytes(key_pem(server_key))
    files.server_pem.write_bytes(key_pem(server_key) + server.public_bytes(pem) + ca.public_bytes(pem))
    files.client_cert.write_bytes(client.public_bytes(pem))
    files.client_key.write_bytes(key_pem(client_key))
    for private in (files.server_key, files.server_pem, files.client_key):
        private.chmod(0o600)
    return files


@dataclass
class SecureKafkaBroker(KafkaBroker):
    """A KRaft node whose only client listener is SASL_SSL (SCRAM-SHA-512) with
    client certificates required; ``users`` are created with the storage."""

    tls: ThrowawayCA | None = None
    users: dict[str, str] = field(default_factory=dict)

    def listener_properties(self) -> list[str]:
        assert self.tls is not None, "SecureKafkaBroker needs tls=make_test_ca(...)"
        user, password = BROKER_USER
        jaas = (f'org.apache.kafka.common.security.scram.ScramLoginModule required '
                f'username="{user}" password="{password}";')
        return [
            f"listeners=SASL_SSL://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            f"advertised.listeners=SASL_SSL://127.0.0.1:{self.port}",
            "listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name=SASL_SSL",
            "sasl.enabled.mechanisms=SCRAM-SHA-512",
            "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
            f"listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config={jaas}",
            "ssl.keystore.type=PEM",
            f"ssl.keystore.location={self.tls.server_pem}",
            "ssl.truststore.type=PEM",
            f"ssl.truststore.location={self.tls.ca}",
            "listener.name.sasl_ssl.ssl.client.auth=required",
        ]

    def format_arguments(self) -> list[str]:
        args: list[str] = []
        for user, password in {**dict([BROKER_USER]), **self.users}.items():
            args += ["--add-scram", f"SCRAM-SHA-512=[name={user},password={password}]"]
        return args

    def client_config(self, user: str | None = None, password: str | None = None) -> dict[str, str]:
        assert self.tls is not None
        if user is None:
            user, password = BROKER_USER
        return {
            "bootstrap.servers": self.bootstrap, "security.protocol": "SASL_SSL",
            "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": user, "sasl.password": password or "",
            "ssl.ca.location": str(self.tls.ca),
            "ssl.certificate.location": str(self.tls.client_cert),
            "ssl.key.location": str(self.tls.client_key),
        }


@dataclass
class SecureRedisServer(RedisServer):
    """redis-server with TLS only and ACL users instead of the open default user:
    ``users`` maps a name to (password, key prefix it may touch)."""

    tls: ThrowawayCA | None = None
    users: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"rediss://127.0.0.1:{self.port}/0"

    def url_for(self, user: str, password: str) -> str:
        """A ``CUEWIRE_REDIS_URL`` for ``user``, trusting the test CA."""
        assert self.tls is not None
        return f"rediss://{user}:{password}@127.0.0.1:{self.port}/0?ssl_ca_certs={self.tls.ca}"

    def listener_arguments(self) -> list[str]:
        assert self.tls is not None, "SecureRedisServer needs tls=make_test_ca(...)"
        args = ["--port", "0", "--tls-port", str(self.port),
                "--tls-cert-file", str(self.tls.server_cert), "--tls-key-file", str(self.tls.server_key),
                "--tls-ca-cert-file", str(self.tls.ca), "--tls-auth-clients", "optional",
                "--user", "default", "off"]
        for user, (password, prefix) in self.users.items():
            # Every command the flow sends except the dangerous family (INFO is in it, and the
            # flow reads its persistence section), on the keys under its prefix only.
            args += ["--user", user, "on", f">{password}", "resetkeys", f"~{prefix}*", "resetchannels",
                     "+@all", "-@dangerous", "+info"]
        return args
