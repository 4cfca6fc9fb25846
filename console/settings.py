"""The console's settings, from ``CUEWIRE_CONSOLE_*`` (the flow's own settings give Kafka and topics)."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CUEWIRE_CONSOLE_", extra="ignore")

    database_url: str = "sqlite:///cuewire-console.db"
    """SQLAlchemy URL of the view: SQLite by default, ``postgresql+psycopg://…`` for PostgreSQL."""
    users_file: Path | None = None
    """YAML list of built-in accounts: e-mail, name, argon2 ``password_hash``, ``admin``."""
    secret_key: SecretStr | None = None
    """Signs the session cookie; unset, a random key is made and sign-ins end with the process."""
    trusted_proxies: list[IPv4Network | IPv6Network] = Field(default_factory=list)
    """Addresses (or networks) of the reverse proxy whose identity header is believed."""
    proxy_header: str = "X-Forwarded-Email"
    """The header carrying the signed-in e-mail (oauth2-proxy's default)."""
    secure_cookies: bool = False
    """Send the session cookie over HTTPS only: set it when the console is served behind TLS."""
    host: str = "127.0.0.1"
    port: int = 8300

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        if isinstance(value, str):
            return [ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip()]
        return value
