"""One measured run in its own process: ``python -m bench.runner VARIANT``.

Each variant reads the input topics named by the CUEWIRE_* environment from the
beginning to their current end, and prints one JSON line: when it started
reading (``t0``, after imports and before connecting), when it finished
(``t1``), and what it counted; the passthrough also when it saw its first and
its last record (``first``, ``last``), so its rate can be taken without its
start-up and shutdown. A process of its own keeps one run's memory,
threads and GIL out of the next one's, and out of the harness's.

* ``bare``: confluent-kafka consume → produce, no logic (the floor of any Python flow).
* ``passthrough``: Bytewax ``KafkaSource`` → ``KafkaSink``, no logic (the engine's ceiling),
  timed from its first to its last record.
* ``cuewire``: the full flow, ``run_kafka(..., exit_at_end=True)``; ``-w``, ``-i``, ``-a`` as in
  ``cuewire run``; also timed from the start of its first decoded batch to the end of its last
  ledger claim (the step before its sink), as the passthrough is from its first to its last
  record, so neither rate carries its start-up and shutdown.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import orjson

from config.settings import Settings, load_settings


def bare(settings: Settings, out_topic: str) -> int:
    from confluent_kafka import Consumer, Producer, TopicPartition

    consumer = Consumer({**settings.kafka_consumer(), "group.id": "bench-bare"})
    producer = Producer(settings.kafka_producer())
    parts, ends = [], {}
    for topic in settings.input_topics:
        for p in consumer.list_topics(topic, timeout=10).topics[topic].partitions:
            _low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            if high > 0:
                parts.append(TopicPartition(topic, p, 0))
                ends[(topic, p)] = high
    consumer.assign(parts)
    remaining, count = set(ends), 0
    deadline = time.monotonic() + 600
    while remaining and time.monotonic() < deadline:
        for msg in consumer.consume(1000, timeout=0.5):
            if msg.error():
                continue
            while True:
                try:
                    producer.produce(out_topic, msg.value(), msg.key())
                    break
                except BufferError:
                    producer.poll(0.05)
            count += 1
            if msg.offset() + 1 >= ends[(msg.topic(), msg.partition())]:
                remaining.discard((msg.topic(), msg.partition()))
        producer.poll(0)
    producer.flush(60)
    consumer.close()
    return count


class Seen:
    """When this process's passthrough saw its first and its last record, and how many."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.last: float | None = None
        self.records = 0

    def saw(self) -> None:
        now = time.time()
        if self.first is None:
            self.first = now
        self.last = now
        self.records += 1


def mark_flow_ends(seen: Seen) -> None:
    """Record when the flow began decoding its first records and when it last handed records
    to its sink (the end of the ledger's claim), counting the records decoded."""
    from flows.stages.ingest import Decoder
    from flows.stages.publish import Publisher

    decode, claim = Decoder.decode_batch, Publisher.claim

    def decode_batch(self: Decoder, batch: list[Any]) -> Any:
        if batch and seen.first is None:
            seen.first = time.time()
        seen.records += len(batch)
        return decode(self, batch)

    def claimed(self: Publisher, batch: list[Any]) -> Any:
        try:
            return claim(self, batch)
        finally:
            seen.last = time.time()

    Decoder.decode_batch = decode_batch  # type: ignore[method-assign]
    Publisher.claim = claimed  # type: ignore[method-assign]


def passthrough(settings: Settings, out_topic: str, workers: int, process_id: int | None,
                addresses: list[str] | None, seen: Seen) -> None:
    import bytewax.operators as op
    from bytewax.connectors.kafka import KafkaSinkMessage
    from bytewax.connectors.kafka import operators as kop
    from bytewax.dataflow import Dataflow
    from bytewax.run import cli_main
    from confluent_kafka import OFFSET_BEGINNING

    flow = Dataflow("passthrough")
    src = kop.input("in", flow, brokers=[settings.kafka_bootstrap], topics=settings.input_topics,
                    tail=False, starting_offset=OFFSET_BEGINNING, batch_size=settings.kafka_batch_size)
    def to_sink(m: Any) -> Any:
        seen.saw()  # one call per record, as the engine's own per-record work
        return KafkaSinkMessage(m.key, m.value)

    msgs = op.map("to-sink", src.oks, to_sink)
    # Same producer settings as the flow's sink; a queue big enough that KafkaSink never overflows.
    conf = {k: str(v) for k, v in settings.kafka_producer().items() if k != "bootstrap.servers"}
    conf["queue.buffering.max.messages"] = "2000000"
    kop.output("out", msgs, brokers=[settings.kafka_bootstrap], topic=out_topic, add_config=conf)
    cli_main(flow, workers_per_process=workers, process_id=process_id, addresses=addresses)


def redis_round_trips() -> dict[str, list[float]]:
    """Step → [round trips, batch calls] of this process's run, from the flow's own metric."""
    from flows.metrics import REDIS_ROUND_TRIPS

    found: dict[str, list[float]] = {}
    for metric in REDIS_ROUND_TRIPS.collect():
        for sample in metric.samples:
            step = sample.labels.get("step", "")
            if sample.name.endswith("_sum"):
                found.setdefault(step, [0.0, 0.0])[0] += sample.value
            elif sample.name.endswith("_count"):
                found.setdefault(step, [0.0, 0.0])[1] += sample.value
    return found


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.runner")
    ap.add_argument("variant", choices=["bare", "passthrough", "cuewire"])
    ap.add_argument("--out-topic", default="bench.out")
    ap.add_argument("-w", "--workers", type=int, default=1)
    ap.add_argument("-i", "--process-id", type=int, default=None)
    ap.add_argument("-a", "--addresses", default=None)
    args = ap.parse_args(argv)
    settings = load_settings()
    addresses = args.addresses.split(";") if args.addresses else None
    if args.variant == "cuewire":
        # Imported before t0 so the timing is the flow's, not Python's start-up.
        from cuewire.app import run_kafka
    seen = Seen()
    if args.variant == "cuewire":
        mark_flow_ends(seen)
    t0 = time.time()
    count = None
    round_trips: dict[str, list[float]] = {}
    if args.variant == "bare":
        count = bare(settings, args.out_topic)
    elif args.variant == "passthrough":
        passthrough(settings, args.out_topic, args.workers, args.process_id, addresses, seen)
    else:
        run_kafka(settings, workers=args.workers, process_id=args.process_id, addresses=addresses,
                  exit_at_end=True)
        round_trips = redis_round_trips()
    t1 = time.time()
    sys.stdout.write(orjson.dumps({"variant": args.variant, "t0": t0, "t1": t1, "count": count,
                                   "first": seen.first, "last": seen.last, "records": seen.records,
                                   "round_trips": round_trips}).decode() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
