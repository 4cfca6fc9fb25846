"""The published contract: a JSON Schema for every payload in CONTRACTS.md, from the models.

``contracts/schemas/<name>.schema.json`` is generated from the pydantic models
here, so what consumers and producers validate against is what the flow
validates with; ``tests/unit/contracts/test_published_contract.py`` fails when the files
and the models drift apart. Regenerate with ``make schemas``
(``python -m contracts.published``).

Input schemas describe what the flow accepts (validation mode: an id may be a
JSON string or integer, a time RFC 3339 text or Unix seconds); output schemas
describe what it publishes. Both allow fields they do not list, as the
contract only ever grows.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, TypeAdapter

from contracts.account import AccountSnapshot
from contracts.alert import AlertData, CloudEvent, DeadLetter
from contracts.feedback import FeedbackRecord
from contracts.helpdesk import GenericTicket, ZendeskEventWebhook, ZendeskTriggerBody
from contracts.intercom import IntercomNotification
from contracts.segment import SegmentGroup, SegmentIdentify, SegmentPage, SegmentTrack

SCHEMA_DIR = Path(__file__).parent / "schemas"
BASE_ID = "https://cuewire.io/schemas/"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


class AlertEvent(CloudEvent):
    """A message on ``cuewire.alerts``: CloudEvents 1.0, structured mode, one alert."""

    model_config = ConfigDict(extra="allow", title="cuewire alert")

    type: str = Field(pattern=r"^io\.cuewire\.alert\.[a-z0-9_.-]+$")
    subject: str
    data: AlertData  # type: ignore[assignment]


class DigestEvent(CloudEvent):
    """A message on ``cuewire.digest``: below-gate signals, unattached records,
    held-back alerts and weekly roll-ups, each a CloudEvent."""

    model_config = ConfigDict(extra="allow", title="cuewire digest entry")

    type: str = Field(pattern=r"^io\.cuewire\.digest\.[a-z0-9_.-]+$")
    subject: str


SegmentMessage = SegmentTrack | SegmentPage | SegmentIdentify | SegmentGroup
TicketWebhook = ZendeskEventWebhook | ZendeskTriggerBody | IntercomNotification | GenericTicket

Direction = Literal["in", "out"]
PAYLOADS: dict[str, tuple[Direction, Any, str]] = {
    # name: (direction, model or union, what it is)
    "segment-message": ("in", SegmentMessage, "cuewire.events: one Segment-spec track, page, "
                                              "identify or group call"),
    "ticket-webhook": ("in", TicketWebhook, "cuewire.tickets: a helpdesk webhook body as the helpdesk "
                                            "sent it (Zendesk event or trigger, Intercom, or generic)"),
    "account-snapshot": ("in", AccountSnapshot, "cuewire.accounts: a CRM account snapshot"),
    "feedback": ("in", FeedbackRecord, "cuewire.feedback: a reviewer's decision on an alert"),
    "alert": ("out", AlertEvent, "cuewire.alerts: one staged alert, a CloudEvent"),
    "digest": ("out", DigestEvent, "cuewire.digest: one digest entry, a CloudEvent"),
    "dead-letter": ("out", DeadLetter, "cuewire.dlq: a record that could not be processed, and why"),
}
OUTPUT_TOPICS = {"alerts": "alert", "digest": "digest", "dlq": "dead-letter"}
"""Which schema each output topic's records follow."""


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema of one payload, as it is published."""
    direction, model, description = PAYLOADS[name]
    adapter: TypeAdapter[Any] = TypeAdapter(model)
    body = adapter.json_schema(mode="validation" if direction == "in" else "serialization",
                               ref_template="#/$defs/{model}")
    return {"$schema": DIALECT, "$id": f"{BASE_ID}{name}.schema.json",
            "title": body.pop("title", name), "description": description, **body}


def rendered(name: str) -> str:
    return json.dumps(schema(name), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(directory: Path = SCHEMA_DIR) -> list[Path]:
    """(Re)write every schema file; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in PAYLOADS:
        path = directory / f"{name}.schema.json"
        path.write_text(rendered(name), encoding="utf-8")
        paths.append(path)
    return paths


def load(name: str, directory: Path = SCHEMA_DIR) -> dict[str, Any]:
    """A published schema file, as consumers read it."""
    loaded: dict[str, Any] = json.loads((directory / f"{name}.schema.json").read_text(encoding="utf-8"))
    return loaded


def main(argv: list[str]) -> int:
    for path in write(Path(argv[0]) if argv else SCHEMA_DIR):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
