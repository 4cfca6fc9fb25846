"""``cuewire loadtest``: realistic traffic into a running flow, measured from the outside.

The tool is a client of the flow, never part of it. It produces to the input
topics and reads the output topics of whatever ``cuewire run`` listens on the
CUEWIRE_* settings, so what it measures is what a downstream team would see:

* **Traffic** (:class:`Traffic`): N accounts whose activity follows a Zipf law
  (a few accounts are very busy, most are quiet), several users per account, a
  configurable mix of Segment events (page views, pricing and cancellation
  pages, cart and onboarding steps, logins) and a share of tickets (10 % by
  default) in every helpdesk shape of CONTRACTS.md, whose texts span the
  taxonomy from data loss to polite how-to questions. Account snapshots and a
  ``group`` call per user are produced first, as a CRM sync and the identity
  calls would be in production.
* **Event→alert latency**: each ticket's ``record_id`` (the idempotency key the
  flow puts in the alert's evidence) is remembered with its produce time; an
  alert's latency is its arrival time minus the produce time of the newest
  record in its evidence.
* **Throughput**: the rate actually offered, and, when the flow's Prometheus
  endpoint answers, the rate at which it read records.
* **Consumer lag** over time: Bytewax keeps offsets in its recovery store and
  never commits them to Kafka, so lag is read from the flow's metrics
  (``cuewire_consumer_lag`` when exposed, else the input topics' end offsets
  minus ``cuewire_records_in_total``).
* **Dead letters** produced during the run.

Loads go only to loopback addresses: a load test aimed at a shared cluster by
mistake is an outage. Every loop is bounded in count and in time.

The parts: :mod:`.vocabulary` and :mod:`.traffic` (what is produced),
:mod:`.options` (what a run is asked to do), :mod:`.watcher` (what comes out),
:mod:`.run` (one run), :mod:`.result` (its document, table and plot) and
:mod:`.command` (``cuewire loadtest``).
"""

from cuewire_dev.loadtest.command import loadtest_command
from cuewire_dev.loadtest.options import LoadOptions, parse_duration, parse_weights, require_loopback
from cuewire_dev.loadtest.result import percentile, summary_table, write_plot
from cuewire_dev.loadtest.run import run_loadtest
from cuewire_dev.loadtest.traffic import Produced, Traffic, TrafficConfig
from cuewire_dev.loadtest.vocabulary import DEFAULT_EVENT_MIX, TICKET_SHAPES
from cuewire_dev.loadtest.watcher import records_in, scrape_metrics

__all__ = [
    "DEFAULT_EVENT_MIX",
    "TICKET_SHAPES",
    "LoadOptions",
    "Produced",
    "Traffic",
    "TrafficConfig",
    "loadtest_command",
    "parse_duration",
    "parse_weights",
    "percentile",
    "records_in",
    "require_loopback",
    "run_loadtest",
    "scrape_metrics",
    "summary_table",
    "write_plot",
]
