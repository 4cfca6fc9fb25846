"""Prometheus metrics the running flow exposes (``CUEWIRE_METRICS_PORT``, plus the
process id under ``-i/-a``, so every process of a cluster is scraped on its own port).

Labels carry coordinates only (topic, step, rule, reason): never ticket text,
ids or e-mail addresses, which would also explode cardinality.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

RECORDS_IN = Counter("cuewire_records_in_total", "Records read, per input topic", ["topic"])
DEAD_LETTERS = Counter(
    "cuewire_dead_letters_total", "Records sent to the dead-letter topic", ["topic", "step"]
)
ALERTS_OUT = Counter("cuewire_alerts_total", "Alerts published, per rule", ["rule"])
DIGEST_OUT = Counter("cuewire_digest_total", "Digest records published")
DUPLICATES_DROPPED = Counter(
    "cuewire_duplicate_alerts_dropped_total", "Alerts not published because their id was already"
)
REDERIVED_SKIPPED = Counter(
    "cuewire_rederived_alerts_skipped_total",
    "Candidates match-patterns left out because Kafka had already acknowledged their alert",
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

JOIN_WAIT = Histogram(
    "cuewire_join_wait_seconds",
    "How long a record waited for the other input partitions (the accounts topic's among them) "
    "to be read past it before it was joined with the tables",
    buckets=(0, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
)
JOIN_WAIT_EXPIRED = Counter(
    "cuewire_join_wait_expired_total",
    "Records joined before a partition behind them was read, after waiting CUEWIRE_JOIN_WAIT_MS",
)
RECORDS_WAITING = Gauge(
    "cuewire_records_waiting", "Records held for the input partitions to be read past them")
UNATTACHED_PARKED = Gauge(
    "cuewire_unattached_waiting",
    "Records that reached no account, kept to be re-resolved when a matching link arrives",
)
REATTACHED = Counter(
    "cuewire_reattached_total", "Records that reached no account at first and reached one when a link arrived"
)
UNATTACHED_EXPIRED = Counter(
    "cuewire_unattached_expired_total",
    "Records that reached no account and no link reached within CUEWIRE_REATTACH_WINDOW_HOURS (or that "
    "made room in a full list)",
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
