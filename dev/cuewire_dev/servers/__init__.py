"""Real Kafka (KRaft, single node) and Redis on loopback, without a Docker engine.

The broker's jars come from Maven Central through Maven; ``redis-server`` comes
from Debian's packages (the system one when installed, otherwise the .debs are
downloaded and unpacked). Both land in a cache outside the repository
(``$CUEWIRE_CACHE``, default ``~/.cache/cuewire``) so a second start is fast.

Used by ``make up``/``make down``, ``make demo``, the benchmarks and the pytest
session fixtures::

    python -m cuewire_dev.servers up      # prints the bootstrap address and Redis URL
    python -m cuewire_dev.servers down

:mod:`.kafka_broker` and :mod:`.redis_server` are the two servers, :mod:`.processes`
what they share, :mod:`.stack` the two together.
"""

from cuewire_dev.servers.kafka_broker import KAFKA_VERSION, KafkaBroker, fetch_kafka
from cuewire_dev.servers.processes import ServerError, cache_dir, free_port
from cuewire_dev.servers.redis_server import RedisServer, fetch_redis
from cuewire_dev.servers.stack import down, status, throwaway_servers, up

__all__ = [
    "KAFKA_VERSION",
    "KafkaBroker",
    "RedisServer",
    "ServerError",
    "cache_dir",
    "down",
    "fetch_kafka",
    "fetch_redis",
    "free_port",
    "status",
    "throwaway_servers",
    "up",
]
