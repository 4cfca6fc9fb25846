"""librdkafka's log, through Python logging and rate-limited.

Every Kafka client the flow builds gets ``logger`` (confluent-kafka's config key
for it) set to the ``cuewire.kafka`` logger, so librdkafka's lines go where the
rest of the log goes instead of straight to stderr. While a broker is down
librdkafka repeats itself several times a second; :class:`RateLimited` lets a
few lines through per minute and then says how many it held back, so an outage
reads as a handful of lines, not hundreds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

KAFKA_LOGGER = "cuewire.kafka"
_SUMMARY = "_cuewire_rate_summary"


class RateLimited(logging.Filter):
    """At most ``burst`` records per ``period_s`` seconds; then one line with the count
    of the rest, when the next record arrives after the period."""

    def __init__(self, burst: int = 5, period_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._burst = burst
        self._period = period_s
        self._clock = clock
        self._lock = threading.Lock()
        self._since: float | None = None
        self._passed = 0
        self._held = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, _SUMMARY, False):
            return True
        now = self._clock()
        with self._lock:
            held = 0
            if self._since is None or now - self._since >= self._period:
                held, self._since, self._passed, self._held = self._held, now, 0, 0
            allow = self._passed < self._burst
            if allow:
                self._passed += 1
            else:
                self._held += 1
        if held:
            self._summarise(record, held)
        return allow

    def _summarise(self, record: logging.LogRecord, held: int) -> None:
        summary = logging.LogRecord(
            record.name, logging.WARNING, record.pathname, record.lineno,
            "%d more librdkafka messages in the last %.0f s were not shown", (held, self._period),
            None)
        setattr(summary, _SUMMARY, True)
        logging.getLogger(record.name).handle(summary)


_lock = threading.Lock()


def kafka_logger() -> logging.Logger:
    """The logger every Kafka client config names, with its rate limit installed once."""
    logger = logging.getLogger(KAFKA_LOGGER)
    with _lock:
        if not any(isinstance(f, RateLimited) for f in logger.filters):
            logger.addFilter(RateLimited())
    return logger
