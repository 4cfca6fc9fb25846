"""The publish stage: every output record to its topic, once.

The sink (``flows/kafka_io.py``, or ``flows/replay_io.py`` in a replay) calls the
:class:`Publisher` around each batch: :meth:`~Publisher.claim` before producing (the
ledger, ``state/ledger.py``, drops what was already published), :meth:`~Publisher.produced`
as it hands the batch to Kafka, :meth:`~Publisher.published` once Kafka has it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime

import bytewax.operators as op
from bytewax.dataflow import Stream, operator
from bytewax.outputs import FixedPartitionedSink

from flows import metrics
from flows.delivery import outbox_payload, record_id
from flows.progress import Progress
from flows.published_alerts import PublishedAlerts
from flows.stages.failures import counts_round_trips
from flows.stages.items import Outgoing
from state.ledger import AlertLedger


class Publisher:
    """The ledger's claims and confirmations, and the counts of what went out."""

    def __init__(self, *, ledger: AlertLedger, clock: Callable[[], datetime],
                 progress: Progress | None = None, counted: bool = True,
                 acknowledged: PublishedAlerts | None = None) -> None:
        self.ledger = ledger
        self.clock = clock
        self.progress = progress or Progress()
        self.counted = counted
        """Whether what goes out counts in the flow's metrics: a shadow branch's does not
        (dashboards and alerting rules see the live alerts alone)."""
        self.acknowledged = acknowledged
        """Where the alerts Kafka has acknowledged are told to the rule side
        (``flows/published_alerts.py``)."""

    @staticmethod
    def output_key(out: Outgoing) -> str:
        """Routes outputs to sink partitions: one account's records stay in order."""
        return out.key.decode("utf-8", "replace") if out.key else ""

    def produced(self, batch: list[Outgoing]) -> None:
        """Called by a sink as it hands ``batch`` to Kafka: counts, latency and progress."""
        now = self.clock()
        now_ms = now.timestamp() * 1000
        for out in batch if self.counted else ():
            if out.rule:
                metrics.ALERTS_OUT.labels(out.rule).inc()
                if out.produced_ms:
                    metrics.EVENT_TO_ALERT.observe(max(0.0, (now_ms - out.produced_ms) / 1000))
            elif out.kind == "digest":
                metrics.DIGEST_OUT.inc()
        self.progress.count(batch, now)

    @counts_round_trips("claim")
    def claim(self, batch: list[Outgoing]) -> list[Outgoing]:
        """Called by a sink before producing: claim every record's id in the ledger, with the
        record (the outbox a restart settles), and drop what this deployment already
        published or is publishing. The records kept carry their id."""
        now_ms = int(self.clock().timestamp() * 1000)
        identified: list[Outgoing] = []
        claims: list[tuple[str, bytes]] = []
        for out in batch:
            rid = record_id(out.kind, out.value, out.alert_id)
            if rid is None:
                identified.append(out)
                continue
            if rid != out.alert_id:
                out = dataclasses.replace(out, alert_id=rid)
            identified.append(out)
            claims.append((rid, outbox_payload(out.kind, out.key, out.value, now_ms)))
        decisions = iter(self.ledger.claim(claims))
        kept: list[Outgoing] = []
        for out in identified:
            if out.alert_id is None or next(decisions):
                kept.append(out)
            else:
                metrics.DUPLICATES_DROPPED.inc()
        return kept

    @counts_round_trips("publish")
    def published(self, batch: list[Outgoing]) -> None:
        """Called by a sink once ``batch`` is durably written (acknowledged by Kafka)."""
        self.ledger.confirm([o.alert_id for o in batch if o.alert_id])
        if self.acknowledged is not None:
            self.acknowledged.add(o.alert_id for o in batch if o.kind == "alerts" and o.alert_id)


@operator
def publish(step_id: str, sink: FixedPartitionedSink[Outgoing, None], publisher: Publisher,
            *outputs: Stream[Outgoing]) -> None:
    outgoing = op.merge("merge-outgoing", *outputs)
    keyed = op.key_on("key-outgoing", outgoing, publisher.output_key)    # (Kafka key, Outgoing)
    op.output("publish", keyed, sink)
