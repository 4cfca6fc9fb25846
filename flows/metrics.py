"""Prometheus metrics the running flow exposes (``CUEWIRE_METRICS_PORT``, plus the
process id under ``-i/-a``, so every process of a cluster is scraped on its own port).

Labels carry coordinates only (topic, step, rule, reason): never ticket text,
ids or e-mail addresses, which would also explode cardinality.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

RECORDS_IN = Counter("cuewire_records_in_total", "Records read, per input topic", ["topic"])
DEAD_LETTERS = Counter(
    "cuewire_dead_letters_total", "Records sent to the dead-letter topic", ["topic", "step"]
)
ALERTS_OUT = Counter("cuewire_alerts_total", "Alerts published, per rule", ["rule"])
DIGEST_OUT = Counter("cuewire_digest_total", "Digest records published")
DUPLICATES_DROPPED = Counter(
    "cuewire_duplicate_alerts_dropped_total", "Alerts not published because their id was already"
)
EVENT_TO_ALERT = Histogram(
    "cuewire_event_to_alert_seconds",
    "From the produce time of the record that completed the evidence to the alert's publication",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10, 30, 60),
)
REDIS_ROUND_TRIPS = Histogram(
    "cuewire_redis_round_trips_per_batch", "Redis round trips made by one call of a batch step",
    ["step"], buckets=(0, 1, 2, 3, 4, 6, 8, 16),
)

RECORDS_OUT_OF_ORDER = Counter(
    "cuewire_records_out_of_order_total",
    "Records handled after a record later in log order (a live partition read behind the others "
    "for longer than CUEWIRE_ORDER_WAIT_MS)",
)

SUPPRESSED = Counter(
    "cuewire_alerts_held_total", "Alerts suppressed or deferred by governance, by reason and rule",
    ["outcome", "reason", "rule"],
)
FEEDBACK = Counter(
    "cuewire_feedback_total", "Reviewer feedback records, by what the model did with them", ["outcome"]
)

FEEDBACK_DECISIONS = Counter(
    "cuewire_feedback_decisions_total",
    "Reviewer decisions, once per feedback record, by rule (the feedback's labels.rule, else "
    "'unknown'), decision and verdict (useful, not_useful, other): per-rule precision is "
    "useful / (useful + not_useful)",
    ["rule", "decision", "verdict"],
)


OFFSET_COMMIT_FAILURES = Counter(
    "cuewire_offset_commit_failures_total",
    "Offset commits to the monitoring consumer group that Kafka refused (resume is unaffected)",
)


def serve(port: int) -> None:
    """Metrics on ``/metrics`` and the probes on ``/livez`` and ``/readyz`` (``flows/health.py``)."""
    from flows import health

    health.serve(port)
