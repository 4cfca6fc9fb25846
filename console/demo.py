"""``make demo CONSOLE=1``: the review console on the demo's sample, until Ctrl-C.

Signs in the owner with the most staged alerts as a reviewer (and an admin who
sees the team), with passwords made for this run, and prints the address.
"""

from __future__ import annotations

import secrets
import socket
from collections import Counter
from pathlib import Path
from typing import Any

import uvicorn
import yaml
from rich.console import Console as Terminal

from config.settings import Settings
from console.app import create_app
from console.auth import hash_password
from console.server import console_parts
from console.settings import ConsoleSettings

ADMIN = "admin@cuewire.demo"
PORT = 8300


def _port() -> int:
    """8300 when it is free, else any free port."""
    for wanted in (PORT, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", wanted))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise OSError("no free port on 127.0.0.1")


def busiest_owner(alerts: list[dict[str, Any]]) -> str:
    """The owner with the most staged alerts: the reviewer the demo signs in."""
    owners = Counter(str(email) for a in alerts if (email := (a["data"].get("owner") or {}).get("email")))
    return owners.most_common(1)[0][0] if owners else "reviewer@cuewire.demo"


def serve_demo(settings: Settings, alerts: list[dict[str, Any]], data: Path, terminal: Terminal) -> None:
    owners = Counter(str(email) for a in alerts if (email := (a["data"].get("owner") or {}).get("email")))
    reviewer = busiest_owner(alerts)
    password = secrets.token_urlsafe(9)
    users = data / "console-users.yaml"
    hashed = hash_password(password)
    users.write_text(yaml.safe_dump({"users": [
        {"email": reviewer, "name": reviewer.split("@")[0].title(), "password_hash": hashed},
        {"email": ADMIN, "name": "Demo admin", "password_hash": hashed, "admin": True}]}))
    port = _port()
    cs = ConsoleSettings(database_url=f"sqlite:///{data / 'console.db'}", users_file=users, port=port,
                         secret_key=secrets.token_urlsafe(32))
    with console_parts(settings, cs) as console:
        terminal.print(f"\n[bold]Review console[/]: http://127.0.0.1:{port}/\n"
                       f"  reviewer  {reviewer}  password {password}  "
                       f"({owners.get(reviewer, 0)} of the {len(alerts)} alerts are theirs)\n"
                       f"  admin     {ADMIN}  password {password}  (sees the whole team)\n"
                       "Ctrl-C stops the console, Kafka and Redis.")
        uvicorn.run(create_app(console), host="127.0.0.1", port=port, log_level="warning")
