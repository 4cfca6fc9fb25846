"""Who is signed in: built-in accounts with argon2 password hashes, or a trusted proxy's header.

Built-in accounts live in a YAML file (``CUEWIRE_CONSOLE_USERS_FILE``)::

    users:
      - {email: riley@vendor.com, name: Riley Chen, password_hash: "$argon2id$…"}
      - {email: ops@vendor.com, name: Ops, password_hash: "$argon2id$…", admin: true}

``cuewire console --hash-password`` makes a hash. Behind oauth2-proxy (or any
proxy that signs people in), the e-mail in ``CUEWIRE_CONSOLE_PROXY_HEADER`` is
believed only from ``CUEWIRE_CONSOLE_TRUSTED_PROXIES``; such a user is an admin
if the users file says so. Every form carries the session's CSRF token.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from config.yaml_errors import DuplicateKey, at_line, strict_load
from console.settings import ConsoleSettings
from console.store import Viewer
from contracts.errors import ConfigurationError

log = logging.getLogger("cuewire.console")
HASHER = PasswordHasher()
# Verifying against this when the e-mail is unknown keeps the answer's timing the same.
_DUMMY_HASH = HASHER.hash(secrets.token_hex(8))


@dataclass(frozen=True, slots=True)
class User:
    email: str
    name: str | None
    password_hash: str | None
    admin: bool = False

    def viewer(self) -> Viewer:
        return Viewer(self.email, self.name, self.admin)


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def load_users(path: Path | None) -> dict[str, User]:
    if path is None:
        return {}
    try:
        doc = strict_load(path.read_text(encoding="utf-8")) or {}
    except DuplicateKey as exc:
        raise ConfigurationError(f"CUEWIRE_CONSOLE_USERS_FILE {path}{at_line(exc)}: "
                                 f"{exc.problem}; keep one of them") from None
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"CUEWIRE_CONSOLE_USERS_FILE {path}{at_line(exc)}: "
                                 "not valid YAML") from None
    except OSError as exc:
        raise ConfigurationError(f"CUEWIRE_CONSOLE_USERS_FILE: cannot read {path} "
                                 f"({exc.strerror})") from None
    users: dict[str, User] = {}
    for i, entry in enumerate(doc.get("users") or []):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("email"), str):
            raise ConfigurationError(f"{path}: users[{i}] needs an `email`")
        email = entry["email"].strip().lower()
        if email in users:
            # The later entry would replace the earlier one's password and role unseen.
            raise ConfigurationError(f"{path}: users[{i}] repeats {email}: keep one entry per person")
        users[email] = User(email, entry.get("name"), entry.get("password_hash"), bool(entry.get("admin")))
    return users


class Authenticator:
    def __init__(self, settings: ConsoleSettings, users: Mapping[str, User]) -> None:
        self.settings = settings
        self.users = dict(users)

    def sign_in(self, email: str, password: str) -> User | None:
        user = self.users.get(email.strip().lower())
        stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
        try:
            HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        return user if user and user.password_hash else None

    def from_proxy(self, client_host: str | None, headers: Mapping[str, str]) -> User | None:
        """The proxy's signed-in user, when the request comes from a trusted proxy."""
        email = headers.get(self.settings.proxy_header.lower())
        if not email or not self.settings.trusted_proxies:
            return None
        try:
            address = ip_address(client_host or "")
        except ValueError:
            return None
        if not any(address in net for net in self.settings.trusted_proxies):
            log.warning("ignored %s from %s: not a trusted proxy", self.settings.proxy_header, client_host)
            return None
        email = email.strip().lower()
        known = self.users.get(email)
        return User(email, known.name if known else None, None, known.admin if known else False)

    def current(self, session: dict[str, Any], client_host: str | None,
                headers: Mapping[str, str]) -> User | None:
        proxied = self.from_proxy(client_host, headers)
        if proxied is not None:
            return proxied
        email = session.get("email")
        return self.users.get(email) if isinstance(email, str) else None


def csrf_token(session: dict[str, Any]) -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_ok(session: dict[str, Any], sent: str | None) -> bool:
    expected = session.get("csrf")
    return isinstance(expected, str) and isinstance(sent, str) and hmac.compare_digest(expected, sent)
