"""The alert ids this process has seen Kafka acknowledge, so the rule side can stop re-deriving them.

A late record re-evaluates its account's rules as of the later records already kept
(``operators/batch_triggers.py``), and most of those evaluations complete the same alerts
again. Governance keeps state by alert id, so an alert that was already published is
published again ("already governed and published (re-derived)") and the alert ledger drops
it: exact, but each copy was rendered, governed and claimed first. Once the sink has
Kafka's acknowledgement for an alert, every later candidate with its id can only end as
that dropped copy, so ``match-patterns`` leaves it out (``PatternEngine._pending``).

Only acknowledged alerts are kept, and only in memory: after a restart the set starts
empty and re-derivation recovers an alert lost between governing and producing, as before.
A second process has its own set; what it has not seen it governs and the ledger drops.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

KEPT = 200_000
"""Most ids kept (the oldest are forgotten first): about 20 MB."""


class PublishedAlerts:
    """Alert ids acknowledged by Kafka in this process, newest :data:`KEPT` of them.

    >>> seen = PublishedAlerts(kept=2)
    >>> seen.add(["a", "b", "c"])
    >>> "a" in seen, "b" in seen, "c" in seen
    (False, True, True)
    """

    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._ids: dict[str, None] = {}
        # Workers of one process are threads: the sink adds while match-patterns reads.
        self._lock = threading.Lock()

    def add(self, alert_ids: Iterable[str]) -> None:
        with self._lock:
            ids = self._ids
            for alert_id in alert_ids:
                ids.pop(alert_id, None)
                ids[alert_id] = None
            while len(ids) > self._kept:
                del ids[next(iter(ids))]

    def __contains__(self, alert_id: object) -> bool:
        return alert_id in self._ids
