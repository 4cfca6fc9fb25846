"""A downstream consumer: read cuewire's alerts, decide, and write the decision back.

    python examples/consume_alerts.py localhost:9092 [--max N]

Joins its own consumer group (at-least-once: it commits after it has answered),
drops alert ids it has already seen (cuewire's ids are deterministic), and
approves every critical alert, dismissing the rest as not useful.
"""

import json
import os
import sys
from datetime import UTC, datetime

from confluent_kafka import Consumer, Producer

bootstrap, limit = sys.argv[1], int(sys.argv[sys.argv.index("--max") + 1]) if "--max" in sys.argv else None
alerts_topic = os.environ.get("CUEWIRE_TOPIC_ALERTS", "cuewire.alerts")
feedback_topic = os.environ.get("CUEWIRE_TOPIC_FEEDBACK", "cuewire.feedback")
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "cs-triage", "auto.offset.reset": "earliest",
                     "enable.auto.commit": False})
producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
consumer.subscribe([alerts_topic])
seen: set[str] = set()
while limit is None or len(seen) < limit:
    msg = consumer.poll(1.0)
    if msg is None or msg.error():
        continue
    alert = json.loads(msg.value())["data"]  # a CloudEvent: the alert is its data
    if alert["alert_id"] not in seen:
        seen.add(alert["alert_id"])
        decision = {"alert_id": alert["alert_id"], "by": "triage-bot@example.com",
                    "at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                    **({"decision": "approved"} if alert["priority"] == "critical"
                       else {"decision": "dismissed", "reason": "not_useful"})}
        producer.produce(feedback_topic, json.dumps(decision).encode(), alert["alert_id"].encode())
        producer.flush(30)
        print(f"{decision['decision']:>9} {alert['priority']:<8} {alert['rule']} {alert['account_id']}")
    consumer.commit(msg, asynchronous=False)
consumer.close()
