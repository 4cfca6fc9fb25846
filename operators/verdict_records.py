"""What a governed candidate is published as: the alert, or a digest record of why not.

An alert published outside the owner's working hours goes out at once, marked
``"queue": "next_morning"`` with the time it should be delivered; a suppressed or
deferred candidate becomes an ``io.cuewire.digest.suppressed`` / ``…deferred``
record, whose id is derived from the decision, so a replay re-deriving it is
recognised by the ledger.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from operators.alert_thread import thread_record
from operators.govern import Verdict, explain_entry
from operators.render import ALERT_NAMESPACE, cloud_event, iso


def published_alert(verdict: Verdict) -> dict[str, Any]:
    """The alert as rendered, in its thread (an update of an open alert goes out as
    ``io.cuewire.alert.updated``), marked for the next morning when governance queued it so."""
    body = thread_record(verdict.candidate.alert or {}, verdict)
    if not verdict.queue_for_next_morning:
        return body
    deliver_after = iso(verdict.next_morning_at) if verdict.next_morning_at else None
    return {**body, "data": {**body["data"], "queue": "next_morning", "deliver_after": deliver_after}}


def held_record(verdict: Verdict, *, now: datetime, deployment: str) -> dict[str, Any]:
    """The digest record of a candidate governance suppressed or deferred, with the alert's data."""
    c = verdict.candidate
    kind = "suppressed" if verdict.outcome == "suppressed" else "deferred"
    data = {**explain_entry(verdict), "alert": (c.alert or {}).get("data")}
    return cloud_event(
        event_id=str(uuid.uuid5(ALERT_NAMESPACE, f"{kind}\x1f{c.alert_id}\x1f{verdict.reason}")),
        type_=f"io.cuewire.digest.{kind}", subject=c.account_id, time=now,
        deployment=deployment, data=data,
    )
