"""``python -m bench.console``: how fast the review console rebuilds its view from the topics.

Starts its own Kafka, produces ``--alerts`` alerts and a decision on every
second one, then times a console follower reading them into an empty view
(SQLite in a temporary directory, or ``--database-url``, e.g. a PostgreSQL
database). Prints records per second and writes ``bench/results/console.json``.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from typing import Any

import orjson
from confluent_kafka import Producer

from bench.harness import bench_servers, console, machine, save
from console.follow import TopicFollower
from console.store import ViewStore, connect


def alert(i: int) -> dict[str, Any]:
    account = f"acct_{i % 500}"
    data = {"alert_id": f"al-{i}", "account_id": account, "account_name": f"Account {i % 500}",
            "signal": "churn_risk", "rule": ("ticket-frustration-gate", "repeat-unresolved")[i % 2],
            "priority": ("critical", "high", "medium", "low")[i % 4], "score": 50 + i % 50,
            "owner": {"name": "Riley Chen", "email": f"owner{i % 7}@vendor.test"}, "mrr": 1000 + i,
            "summary": "A contact raised a problem.", "risk_factors": ["score ≥ 80"],
            "recommended_action": "Call them", "suggested_message": "Hi —",
            "evidence": [{"kind": "ticket", "id": f"T-{i}", "at": "2026-11-20T10:15:00Z",
                          "text": "Our numbers are wrong.", "phrases": ["numbers are wrong"]}],
            "first_evidence_at": "2026-11-20T10:15:00Z", "detected_at": "2026-11-20T10:16:00Z"}
    return {"specversion": "1.0", "id": data["alert_id"], "type": "io.cuewire.alert.churn_risk",
            "source": "cuewire/bench", "time": data["detected_at"], "data": data}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.console", description=__doc__.split("\n\n")[0])
    ap.add_argument("--alerts", type=int, default=5000)
    ap.add_argument("--database-url", default=None, help="the view's database (default: SQLite, temporary)")
    args = ap.parse_args(argv)
    with bench_servers() as b:
        topics = b.topics(uuid.uuid4().hex[:6])
        settings = b.settings(topics, "unused:")
        b.create(settings)
        producer = Producer(settings.kafka_producer())
        for i in range(args.alerts):
            producer.produce(settings.topic_alerts, orjson.dumps(alert(i)), f"acct_{i % 500}".encode())
            if i % 2 == 0:
                producer.produce(settings.topic_feedback, orjson.dumps({
                    "alert_id": f"al-{i}", "decision": ("approved", "dismissed")[i % 4 // 2],
                    "reason": "false_signal", "by": "owner@vendor.test", "at": "2026-11-20T11:00:00Z"}),
                    f"al-{i}".encode())
            producer.poll(0)
        producer.flush(60)
        total = args.alerts + (args.alerts + 1) // 2
        url = args.database_url or f"sqlite:///{b.tmp / 'console.db'}"
        store = ViewStore(connect(url))
        started = time.monotonic()
        follower = TopicFollower(store, settings.kafka_consumer(), {
            "alerts": settings.topic_alerts, "feedback": settings.topic_feedback,
            "digest": settings.topic_digest}).start()
        with console.status(f"rebuilding the view from {total:,} records …"):
            while sum(store.next_offsets().values()) < total:
                time.sleep(0.05)
        seconds = time.monotonic() - started
        follower.stop()
    database = url.split(":", 1)[0].split("+", 1)[0]
    console.print(f"rebuilt {args.alerts:,} alerts and {total - args.alerts:,} decisions into {database} "
                  f"in {seconds:.1f} s: {total / seconds:,.0f} records/s")
    path = save("console", {"alerts": args.alerts, "records": total, "database": database,
                            "seconds": round(seconds, 2), "records_per_s": round(total / seconds),
                            "machine": machine()})
    console.print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
