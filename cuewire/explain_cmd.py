"""``cuewire explain ACCOUNT_ID``: why did nobody hear about this account?

Prints the account's recorded suppressions and deferrals (cooldown, daily cap,
open frustrated ticket, consent), newest first, as a table or as JSON lines
for scripts. It only reads the governance log in Redis.
"""

from __future__ import annotations

import sys

import orjson
import redis
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from config.settings import load_settings
from contracts.errors import DependencyDown
from state.governance import GovernanceStore
from state.keys import DAY, Keyspace, TTLs
from state.redis_client import connect


def explain_command(account_id: str, limit: int = 50, as_json: bool = False) -> None:
    """Print ``account_id``'s latest ``limit`` suppressions and deferrals."""
    settings = load_settings()
    # Reading a log loses nothing, so a Redis without persistence is no reason to refuse.
    client = connect(settings.redis_url.get_secret_value(), allow_volatile=True)
    store = GovernanceStore(client, Keyspace(settings.redis_prefix), TTLs())
    try:
        entries = store.explain(account_id, limit=limit)
    except redis.RedisError as exc:
        raise DependencyDown(f"Redis: reading the governance log failed ({exc.__class__.__name__})") \
            from None

    if as_json:
        for entry in entries:
            sys.stdout.write(orjson.dumps(entry).decode() + "\n")
        return

    console = Console()
    if not entries:
        days = TTLs().governance_log // DAY
        console.print(f"No suppression or deferral recorded for [bold]{escape(account_id)}[/] "
                      f"in the last {days} days: governance held nothing back for it.")
        return
    table = Table(title=f"Held-back alerts for {escape(account_id)}, newest first", show_lines=False)
    table.add_column("evidence at", no_wrap=True)
    table.add_column("outcome")
    table.add_column("rule")
    table.add_column("signal")
    table.add_column("priority")
    table.add_column("reason", overflow="fold")
    table.add_column("retry at", no_wrap=True)
    table.add_column("alert id", no_wrap=True)
    for e in entries:
        outcome = "[yellow]deferred[/]" if e.get("outcome") == "deferred" else "[red]suppressed[/]"
        # CRM and rule data may contain "[": never let it be read as markup.
        cells = [escape(str(e.get(k) or "")) for k in ("at", "rule", "signal", "priority", "reason")]
        table.add_row(cells[0], outcome, *cells[1:], escape(str(e.get("retry_at") or "—")),
                      escape(str(e.get("alert_id") or "")))
    console.print(table)
