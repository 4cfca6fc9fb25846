"""The envelope of every record cuewire publishes: a CloudEvent with a deterministic id.

``alert_id`` is rule, account and the ids of the triggering evidence — so a
replay or a restart re-derives the same id and consumers can drop duplicates.
Every alert and digest passes :func:`cloud_event`, the one place their text is
made plain (:mod:`operators.sanitise`).

>>> first = alert_id("ticket-frustration-gate", "acct_42", ["evt-1", "evt-2"])
>>> first == alert_id("ticket-frustration-gate", "acct_42", ["evt-2", "evt-1", "evt-1"])
True
>>> first == alert_id("ticket-frustration-gate", "acct_43", ["evt-1", "evt-2"])
False
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from operators.records import iso
from operators.sanitise import plain_text, plain_tree

ALERT_NAMESPACE = uuid.UUID("6f1d8a52-3c1e-4f7e-9a8b-2f6c1d0e9b47")


def alert_id(rule: str, account_id: str, evidence_ids: Iterable[str]) -> str:
    """A stable id for (rule, account, triggering evidence), as a UUID string."""
    name = "\x1f".join([rule, account_id, *sorted(set(evidence_ids))])
    return str(uuid.uuid5(ALERT_NAMESPACE, name))


def digest_id(kind: str, record_id: str) -> str:
    """A stable id for a digest entry of ``kind`` about one record."""
    return str(uuid.uuid5(ALERT_NAMESPACE, f"digest\x1f{kind}\x1f{record_id}"))


def cloud_event(
    *, event_id: str, type_: str, subject: str, time: datetime, deployment: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    """A CloudEvent around ``data``, its text made plain."""
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": f"cuewire/{deployment}",
        "type": type_,
        "subject": plain_text(subject),
        "time": iso(time),
        "datacontenttype": "application/json",
        "data": plain_tree(data),
    }
