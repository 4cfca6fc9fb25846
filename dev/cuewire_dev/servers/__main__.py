"""``python -m cuewire_dev.servers fetch|up|down``: ``make up`` and ``make down``."""

from __future__ import annotations

import sys

from cuewire_dev.servers.kafka_broker import fetch_kafka
from cuewire_dev.servers.redis_server import fetch_redis
from cuewire_dev.servers.stack import down, up


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "up"
    if cmd == "fetch":
        print(fetch_kafka())
        print(fetch_redis()[0])
    elif cmd == "up":
        info = up()
        print(f"Kafka  {info['bootstrap']}\nRedis  {info['redis_url']}")
        print(f"export CUEWIRE_KAFKA_BOOTSTRAP={info['bootstrap']} CUEWIRE_REDIS_URL={info['redis_url']}")
    elif cmd == "down":
        down()
        print("stopped")
    else:
        print("usage: python -m cuewire_dev.servers fetch|up|down", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
