"""How many times the server has run commands, from ``INFO commandstats``."""

import redis


def command_calls(client: redis.Redis, *commands: str) -> int:
    """The calls of ``commands`` together, since the server started."""
    stats = client.info("commandstats")
    return sum(int(stats.get(f"cmdstat_{c}", {}).get("calls", 0)) for c in commands)
